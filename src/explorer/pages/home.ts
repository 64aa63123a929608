/**
 * The home page: the tip's numbers, the latest blocks and transfers, and charts over the last
 * CHART_BLOCKS blocks.
 */
import { formatHashRate } from '../../protocol/pow.js';
import type { TransferJson } from '../../protocol/transaction.js';
import { getBlock, getJson } from '../api.js';
import type { BlockPage } from '../api.js';
import type { AppContext } from '../appContext.js';
import { chart } from '../charts.js';
import { ago, h, isoTime, link } from '../dom.js';
import type { Child } from '../dom.js';
import { addrLink, blockLink, card, coins, difficultyOf, formatNumber, page, table, txLink } from './parts.js';

/** Blocks the home page's charts cover. */
export const CHART_BLOCKS = 30;

function stat(label: string, value: Child, key: string): HTMLElement {
  return h(
    'div',
    { class: 'stat', 'data-stat': key },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
  );
}

/** Seconds, compactly (chart axes are narrow): 42 s, 17 min, 9.5 h, 3.2 d. */
function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 120) return `${Math.round(seconds)} s`;
  if (a < 7200) return `${Math.round(seconds / 60)} min`;
  if (a < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export async function homePage(ctx: AppContext): Promise<HTMLElement> {
  const { status } = ctx;
  const recent = await getJson<BlockPage>(`/blocks?limit=${CHART_BLOCKS}`);
  const details = await Promise.all(recent.blocks.map((b) => getBlock(b.hash, true)));

  const latestTxs: { tx: TransferJson; height: number }[] = [];
  for (const d of details)
    for (const tx of d.transactions) if (latestTxs.length < 10) latestTxs.push({ tx, height: d.height });

  // Oldest first for the charts.
  const chrono = [...details].reverse();
  // Genesis is set days before block 1 on regtest and devnet: that gap is no block interval,
  // and would squash every real one to the floor. Intervals start at block 2.
  const timed = chrono.filter((b) => b.height >= 1);
  const intervals = timed.slice(1).map((b, i) => b.header.timestamp - timed[i]!.header.timestamp);

  return page(
    'Home',
    h(
      'section',
      { class: 'stats' },
      stat('Height', blockLink(status.height, `#${status.height}`), 'height'),
      stat('Tip', blockLink(status.tipHash), 'tip'),
      stat('Difficulty', formatNumber(status.difficulty), 'difficulty'),
      stat('Hash rate', status.mining ? formatHashRate(status.hashRate) : 'not mining', 'hashrate'),
      stat('Mempool', link('#/mempool', `${status.mempool} pending`), 'mempool'),
      stat('Peers', link('#/peers', String(status.peers)), 'peers'),
      stat('Network', status.network, 'network'),
    ),
    card(
      'Latest blocks',
      table(
        ['Height', 'Hash', 'Age', 'Transfers', 'Size'],
        recent.blocks
          .slice(0, 10)
          .map((b) => [
            blockLink(b.height),
            blockLink(b.hash),
            h('span', { title: isoTime(b.timestamp) }, ago(b.timestamp)),
            b.transfers,
            `${b.size} B`,
          ]),
        { id: 'latest-blocks' },
      ),
    ),
    card(
      'Latest transactions',
      table(
        ['Txid', 'From', 'To', 'Amount', 'Block'],
        latestTxs.map(({ tx, height }) => [
          txLink(tx.txid),
          addrLink(tx.sender),
          addrLink(tx.recipient),
          coins(tx.amount),
          blockLink(height),
        ]),
        { id: 'latest-txs' },
      ),
    ),
    h(
      'section',
      { class: 'charts' },
      chart({
        title: 'Block interval',
        unit: 'time since the previous block; from block 2, genesis is not timed',
        kind: 'line',
        heights: timed.slice(1).map((b) => b.height),
        values: intervals,
        format: duration,
      }),
      chart({
        title: 'Difficulty',
        unit: 'multiples of the easiest target',
        kind: 'line',
        heights: chrono.map((b) => b.height),
        values: chrono.map((b) => difficultyOf(ctx, b.header.bits)),
        format: formatNumber,
      }),
      chart({
        title: 'Transfers per block',
        unit: 'transfers',
        kind: 'bars',
        heights: chrono.map((b) => b.height),
        values: chrono.map((b) => b.transactions.length),
        format: (v) => String(v),
      }),
    ),
  );
}
