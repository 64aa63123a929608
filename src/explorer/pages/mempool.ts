/**
 * The mempool: how many transfers wait and how many bytes they take, the node's fee estimate,
 * a histogram of their fee rates, and the transfers themselves, highest fee first. Live: every
 * transfer event and new tip reloads it in place, at most once a second.
 */
import type { FeesJson, Mempool, MempoolSummary } from '../api.js';
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { chart } from '../charts.js';
import { h } from '../dom.js';
import { live, throttled } from '../live.js';
import { TRANSFER_COLUMNS, card, coins, fields, page, table, transferCells } from './parts.js';

/** Transfers listed (the summary counts all of them). */
const LISTED = 200;

async function load(): Promise<{ pool: Mempool; summary: MempoolSummary; fees: FeesJson }> {
  const [pool, summary, fees] = await Promise.all([
    getJson<Mempool>(`/mempool?limit=${LISTED}`),
    getJson<MempoolSummary>('/mempool/summary'),
    getJson<FeesJson>('/fees'),
  ]);
  return { pool, summary, fees };
}

function view({ pool, summary, fees }: Awaited<ReturnType<typeof load>>): HTMLElement[] {
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const bucket = (b: MempoolSummary['histogram'][number]): string =>
    b.to === null ? `${b.from}+` : `${b.from}–${b.to}`;
  return [
    card(
      h('span', { id: 'mempool-count' }, `${plural(pool.count, 'pending transfer')}`),
      fields([
        ['Size in blocks', h('span', { id: 'mempool-bytes' }, `${summary.bytes.toLocaleString('en-US')} bytes`)],
        ['Fees waiting', coins(summary.totalFees)],
        [
          'Fee estimate',
          h(
            'span',
            { id: 'fee-estimate' },
            `next block ${coins(fees.fast.fee)} · within 3 blocks ${coins(fees.normal.fee)} · within 6 blocks ${coins(fees.slow.fee)}`,
          ),
        ],
        ['Minimum fee', coins(fees.minimumFee)],
        ['Would fill', plural(fees.mempool.blocks, 'block')],
      ]),
      chart({
        title: 'Fee rates',
        unit: `transfers per bucket of ${summary.feeRateUnit}`,
        kind: 'bars',
        heights: summary.histogram.map((_, i) => i),
        labels: summary.histogram.map(bucket),
        values: summary.histogram.map((b) => b.count),
        format: (v) => String(v),
      }),
    ),
    card(
      'Transfers',
      h(
        'p',
        { class: 'muted' },
        'Highest fee first: the order a miner takes them in. Each still carries its own signature until a block aggregates it.',
      ),
      table(TRANSFER_COLUMNS, pool.transactions.map(transferCells), { id: 'mempool' }),
    ),
  ];
}

export async function mempoolPage(_ctx: AppContext): Promise<HTMLElement> {
  const body = h('div', { id: 'mempool-live' }, ...view(await load()));
  const reload = throttled(async () => body.replaceChildren(...view(await load())));
  live({ tip: reload, transfer: reload, skipped: reload, open: reload });
  return page('Mempool', h('h1', {}, 'Mempool'), body);
}
