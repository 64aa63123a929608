/**
 * A block: its header, the one aggregate signature and what it saves, the coinbase and the
 * transfers, and a button that verifies the whole block in the browser (verify.worker.ts).
 */
import type { BlockDetail } from '../api.js';
import { getBlock } from '../api.js';
import type { AppContext } from '../appContext.js';
import { ago, append, h, isoTime } from '../dom.js';
import { bytesSaved } from '../verify.js';
import type { VerifyMessage, VerifyRequest } from '../verify.worker.js';
import {
  TRANSFER_COLUMNS,
  addrLink,
  blockLink,
  card,
  coins,
  difficultyOf,
  fields,
  formatNumber,
  page,
  table,
  transferCells,
  txLink,
} from './parts.js';

function verifyPanel(ctx: AppContext, block: BlockDetail): HTMLElement {
  const button = h('button', { type: 'button', id: 'verify', class: 'primary' }, 'Verify in browser');
  const progress = h('progress', { id: 'verify-progress', max: 1, value: 0, hidden: true });
  const phase = h('span', { id: 'verify-phase', class: 'muted' });
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  button.addEventListener('click', () => {
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    result.replaceChildren();
    result.removeAttribute('data-valid');
    const worker = new Worker(new URL('../verify.worker.ts', import.meta.url), { type: 'module' });
    const started = performance.now();
    worker.onmessage = (event: MessageEvent<VerifyMessage>) => {
      const msg = event.data;
      if (msg.type === 'progress') {
        const { phase: p, done, total } = msg.progress;
        const steps = 2 * total + 1; // rebuild each transfer, validate each key, one pairing
        const at = p === 'rebuilding' ? done : p === 'keys' ? total + done : p === 'pairing' ? 2 * total : steps;
        progress.max = steps;
        progress.value = at;
        phase.textContent =
          p === 'rebuilding'
            ? `recomputing txids and signing messages ${done}/${total}`
            : p === 'keys'
              ? `checking public keys ${done}/${total}`
              : p === 'pairing'
                ? `checking the aggregate: one multi-pairing over ${total} messages…`
                : '';
        return;
      }
      worker.terminate();
      const r = msg.result;
      const wall = performance.now() - started;
      button.disabled = false;
      progress.hidden = true;
      phase.textContent = '';
      result.dataset.valid = String(r.valid);
      const ok = (b: boolean): HTMLElement => h('span', { class: b ? 'ok' : 'bad' }, b ? 'yes' : 'NO');
      result.replaceChildren();
      append(result, [
        h(
          'p',
          { class: `verdict ${r.valid ? 'ok' : 'bad'}`, id: 'verify-verdict' },
          r.valid ? '✔ valid' : '✘ invalid',
          ' ',
          h(
            'span',
            { class: 'muted' },
            `(${r.transfers} transfers, ${Math.round(r.ms)} ms in the worker, ${Math.round(wall)} ms in all)`,
          ),
        ),
        r.error ? h('p', { class: 'bad' }, r.error) : null,
        fields([
          [
            'Aggregate signature covers every transfer',
            r.signatureError ? h('span', { class: 'bad' }, `NO: ${r.signatureError}`) : ok(r.signatureValid),
          ],
          [
            'Recomputed txids match the JSON',
            r.txidMismatches.length === 0
              ? ok(true)
              : h('span', { class: 'bad' }, `NO: position ${r.txidMismatches.join(', ')}`),
          ],
          ['Merkle root of the txids = header.txRoot', ok(r.txRootMatches)],
          ['sha256(aggregate) = header.signatureHash', ok(r.signatureHashMatches)],
          ['sha256(nonce, sha256(header), tag) = block hash', ok(r.headerHashMatches)],
        ]),
      ]);
    };
    worker.onerror = (event) => {
      worker.terminate();
      button.disabled = false;
      progress.hidden = true;
      result.dataset.valid = 'false';
      result.replaceChildren(h('p', { class: 'bad' }, `verification failed to run: ${event.message}`));
    };
    const request: VerifyRequest = { network: ctx.network.name, block };
    worker.postMessage(request);
  });
  return h(
    'div',
    { class: 'verify' },
    h(
      'p',
      {},
      'Recompute every transfer’s txid and signing message here, from the fields above, and check the one aggregate signature with @noble/curves (pure JS, in a Web Worker). Nothing is taken on trust from the node.',
    ),
    h('div', { class: 'verify-row' }, button, progress, phase),
    result,
  );
}

export async function blockPage(ctx: AppContext, id: string): Promise<HTMLElement> {
  const block = await getBlock(id.startsWith('0x') ? id.toLowerCase() : id);
  const n = block.transactions.length;
  const hd = block.header;
  const saved = bytesSaved(n);
  const el = page(
    `Block #${block.height}`,
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, `Block #${block.height}`),
      h(
        'div',
        { class: 'pager' },
        block.height > 0 ? blockLink(block.height - 1, '← previous') : null,
        block.onMainChain && block.height < ctx.status.height ? blockLink(block.height + 1, 'next →') : null,
      ),
    ),
    card(
      'Header',
      fields([
        ['Hash', h('span', { class: 'mono wrap', id: 'block-hash' }, block.hash)],
        [
          'Status',
          block.onMainChain
            ? `main chain, ${block.confirmations} confirmation${block.confirmations === 1 ? '' : 's'}`
            : 'side branch (not on the main chain)',
        ],
        ['Time', `${isoTime(hd.timestamp)} (${ago(hd.timestamp)})`],
        ['Previous', block.height === 0 ? 'none (genesis)' : blockLink(hd.prevHash, hd.prevHash)],
        ['Tx root', h('span', { class: 'mono wrap' }, hd.txRoot)],
        ['Signature hash', h('span', { class: 'mono wrap' }, hd.signatureHash)],
        ['Bits', h('span', { class: 'mono' }, hd.bits)],
        ['Difficulty', formatNumber(difficultyOf(ctx, hd.bits))],
        ['Nonce', hd.nonce],
        ['Version', hd.version],
        ['Size', `${block.size} bytes`],
        ['Cumulative work', h('span', { class: 'mono wrap' }, block.cumulativeWork)],
      ]),
    ),
    card(
      'Aggregate signature',
      h('p', { class: 'mono wrap sig', id: 'aggregate-signature' }, block.aggregateSignature),
      fields([
        [
          'Covers',
          n === 0
            ? 'no transfers (the point at infinity)'
            : `${n} transfer${n === 1 ? '' : 's'} with one 96-byte signature`,
        ],
        [
          'Saved',
          h(
            'span',
            { id: 'bytes-saved' },
            `${saved} bytes`,
            n > 1
              ? ` (${((100 * saved) / (block.size + saved)).toFixed(1)}% of ${block.size + saved} bytes with one signature per transfer)`
              : '',
          ),
        ],
      ]),
      verifyPanel(ctx, block),
    ),
    card(
      'Coinbase and fees',
      fields([
        ['Txid', txLink(block.coinbase.txid, true)],
        ['To', addrLink(block.coinbase.recipient, true)],
        ['Amount', coins(block.coinbase.amount)],
        [
          'Of which',
          h(
            'span',
            { id: 'coinbase-split' },
            `${coins(block.stats.reward)} reward (new coins) + ${coins(block.stats.feesClaimed)} fees`,
          ),
        ],
        ['Total fees', h('span', { id: 'total-fees' }, coins(block.stats.totalFees))],
        ['Value moved', h('span', { id: 'value-moved' }, coins(block.stats.valueMoved))],
      ]),
    ),
    card(
      `Transfers (${n})`,
      table(
        ['#', ...TRANSFER_COLUMNS],
        block.transactions.map((tx, i) => [i + 1, ...transferCells(tx)]),
        { id: 'block-txs' },
      ),
    ),
  );
  return el;
}
