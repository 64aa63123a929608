/**
 * The explorer's pages: each fetches what it shows and returns a DOM tree.
 */
import { formatCoins } from '../protocol/amount.js';
import { decodeCompact, formatHashRate } from '../protocol/pow.js';
import type { TransferJson } from '../protocol/transaction.js';
import { getBlock, getJson } from './api.js';
import type { AddressInfo, AnyTx, BlockDetail, BlockPage, History, Mempool, TransactionInfo } from './api.js';
import { chart } from './charts.js';
import { ago, append, h, isoTime, link, short } from './dom.js';
import type { Child } from './dom.js';
import type { AppContext } from './main.js';
import { bytesSaved } from './verify.js';
import type { VerifyMessage, VerifyRequest } from './verify.worker.js';

/** Blocks the home page's charts cover. */
export const CHART_BLOCKS = 30;
const HISTORY_PAGE = 20;

const coins = (baseUnits: string): string => `${formatCoins(BigInt(baseUnits))} OUR`;
const blockLink = (hashOrHeight: string | number, text?: string): HTMLAnchorElement =>
  link(
    `#/block/${hashOrHeight}`,
    text ?? (typeof hashOrHeight === 'number' ? `#${hashOrHeight}` : short(hashOrHeight)),
    { class: 'mono' },
  );
const txLink = (txid: string, full = false): HTMLAnchorElement =>
  link(`#/tx/${txid}`, full ? txid : short(txid), { class: 'mono' });
const addrLink = (address: string, full = false): HTMLAnchorElement =>
  link(`#/address/${address}`, full ? address : short(address, 12), { class: 'mono' });

function page(title: string, ...children: Child[]): HTMLElement {
  const el = h('div', { class: 'page' }, ...children);
  el.dataset.title = title;
  return el;
}

function card(title: Child, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A definition list of label/value rows; values may be nodes. */
function fields(rows: readonly (readonly [string, Child] | false)[]): HTMLElement {
  const dl = h('dl', { class: 'fields' });
  for (const row of rows) {
    if (!row) continue;
    dl.append(h('dt', {}, row[0]), h('dd', {}, row[1]));
  }
  return dl;
}

function table(
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  attrs: Record<string, string> = {},
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, 'none');
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      attrs,
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { 'data-label': headers[i] }, c))))),
    ),
  );
}

function stat(label: string, value: Child, key: string): HTMLElement {
  return h(
    'div',
    { class: 'stat', 'data-stat': key },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
  );
}

function difficultyOf(ctx: AppContext, bits: string | number): number {
  return (
    Number(ctx.network.powLimit) / Number(decodeCompact(typeof bits === 'number' ? bits : Number.parseInt(bits, 16)))
  );
}

function formatNumber(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 1e6 || Math.abs(n) < 1e-3) return n.toExponential(3);
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** Seconds, compactly (chart axes are narrow): 42 s, 17 min, 9.5 h, 3.2 d. */
function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 120) return `${Math.round(seconds)} s`;
  if (a < 7200) return `${Math.round(seconds / 60)} min`;
  if (a < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

// ---- home ----

export async function homePage(ctx: AppContext): Promise<HTMLElement> {
  const { status } = ctx;
  const recent = await getJson<BlockPage>(`/blocks?limit=${CHART_BLOCKS}`);
  const details = await Promise.all(recent.blocks.map((b) => getBlock(b.hash, true)));

  const latestTxs: { tx: TransferJson; height: number }[] = [];
  for (const d of details)
    for (const tx of d.transactions) if (latestTxs.length < 10) latestTxs.push({ tx, height: d.height });

  // Oldest first for the charts.
  const chrono = [...details].reverse();
  const intervals = chrono.slice(1).map((b, i) => b.header.timestamp - chrono[i]!.header.timestamp);

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
        kind: 'line',
        heights: chrono.slice(1).map((b) => b.height),
        values: intervals,
        format: duration,
      }),
      chart({
        title: 'Difficulty',
        kind: 'line',
        heights: chrono.map((b) => b.height),
        values: chrono.map((b) => difficultyOf(ctx, b.header.bits)),
        format: formatNumber,
      }),
      chart({
        title: 'Transfers per block',
        kind: 'bars',
        heights: chrono.map((b) => b.height),
        values: chrono.map((b) => b.transactions.length),
        format: (v) => String(v),
      }),
    ),
  );
}

// ---- block ----

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
    const worker = new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module' });
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
          ['Aggregate signature covers every transfer', ok(r.signatureValid)],
          [
            'Recomputed txids match the JSON',
            r.txidMismatches.length === 0
              ? ok(true)
              : h('span', { class: 'bad' }, `NO: position ${r.txidMismatches.join(', ')}`),
          ],
          ['Merkle root of the txids = header.txRoot', ok(r.txRootMatches)],
          ['sha256(aggregate) = header.signatureHash', ok(r.signatureHashMatches)],
          ['sha256d(header) = block hash', ok(r.headerHashMatches)],
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
      'Coinbase',
      fields([
        ['Txid', txLink(block.coinbase.txid, true)],
        ['To', addrLink(block.coinbase.recipient, true)],
        ['Amount', coins(block.coinbase.amount)],
      ]),
    ),
    card(
      `Transfers (${n})`,
      table(
        ['#', 'Txid', 'From', 'To', 'Amount', 'Fee', 'Nonce'],
        block.transactions.map((tx, i) => [
          i + 1,
          txLink(tx.txid),
          addrLink(tx.sender),
          addrLink(tx.recipient),
          coins(tx.amount),
          coins(tx.fee),
          tx.nonce,
        ]),
        { id: 'block-txs' },
      ),
    ),
  );
  return el;
}

// ---- transaction ----

function txFields(tx: AnyTx): (readonly [string, Child])[] {
  if (tx.type === 'coinbase') {
    return [
      ['Type', 'coinbase (new coins for the block’s miner)'],
      ['To', addrLink(tx.recipient, true)],
      ['Amount', coins(tx.amount)],
      ['For block', blockLink(tx.height)],
    ];
  }
  const rows: (readonly [string, Child])[] = [
    ['Type', 'transfer'],
    ['From', addrLink(tx.sender, true)],
    ['To', addrLink(tx.recipient, true)],
    ['Amount', coins(tx.amount)],
    ['Fee', coins(tx.fee)],
    ['Nonce', tx.nonce],
    ['Sender key', h('span', { class: 'mono wrap' }, tx.senderPublicKey)],
  ];
  if (tx.signature) rows.push(['Signature', h('span', { class: 'mono wrap' }, tx.signature)]);
  return rows;
}

export async function txPage(_ctx: AppContext, txid: string): Promise<HTMLElement> {
  const info = await getJson<TransactionInfo>(`/transactions/${encodeURIComponent(txid.toLowerCase())}`);
  const tx = info.transaction;
  return page(
    'Transaction',
    h('h1', {}, 'Transaction'),
    card(
      'Summary',
      fields([
        ['Txid', h('span', { class: 'mono wrap', id: 'txid' }, tx.txid)],
        ['Status', h('span', { class: `badge ${info.status}`, id: 'tx-status' }, info.status)],
        ['Confirmations', info.confirmations],
        info.blockHash !== null && [
          'Block',
          h('span', {}, blockLink(info.height ?? info.blockHash), ' ', blockLink(info.blockHash)),
        ],
        info.position !== null && ['Position', info.position === 0 ? '0 (coinbase)' : info.position],
        ...txFields(tx),
      ]),
      info.status === 'confirmed'
        ? h(
            'p',
            { class: 'muted' },
            'In a block this transfer has no signature of its own: the block’s one aggregate signature covers it. Verify it on the block page.',
          )
        : null,
    ),
  );
}

// ---- address ----

export async function addressPage(_ctx: AppContext, address: string, n: number): Promise<HTMLElement> {
  const offset = (n - 1) * HISTORY_PAGE;
  const [info, hist] = await Promise.all([
    getJson<AddressInfo>(`/addresses/${encodeURIComponent(address)}`),
    getJson<History>(`/addresses/${encodeURIComponent(address)}/transactions?limit=${HISTORY_PAGE}&offset=${offset}`),
  ]);
  const amountOf = (tx: AnyTx): string => coins(tx.amount);
  const other = (item: History['transactions'][number]): Child => {
    const tx = item.transaction;
    if (tx.type === 'coinbase') return 'coinbase';
    if (item.direction === 'in') return addrLink(tx.sender);
    return addrLink(tx.recipient);
  };
  const arrows = { in: '↓ in', out: '↑ out', self: '↻ self' } as const;
  return page(
    'Address',
    h('h1', {}, 'Address'),
    card(
      h('span', { class: 'mono wrap', id: 'address' }, info.address),
      fields([
        ['Balance', h('span', { id: 'balance' }, coins(info.balance))],
        ['Pending balance', coins(info.pendingBalance)],
        ['Nonce', info.nonce],
        ['Next nonce', info.nextNonce],
      ]),
    ),
    card(
      `History${hist.pending > 0 ? ` (${hist.pending} pending)` : ''}`,
      table(
        ['Status', 'Direction', 'Txid', 'Counterparty', 'Amount', 'Block'],
        hist.transactions.map((item) => [
          h('span', { class: `badge ${item.status}` }, item.status),
          arrows[item.direction],
          txLink(item.txid),
          other(item),
          amountOf(item.transaction),
          item.height === null ? '—' : blockLink(item.height),
        ]),
        { id: 'history' },
      ),
      h(
        'div',
        { class: 'pager' },
        n > 1 ? link(`#/address/${info.address}/${n - 1}`, '← newer') : null,
        h('span', { class: 'muted' }, `page ${n}`),
        hist.transactions.length === HISTORY_PAGE ? link(`#/address/${info.address}/${n + 1}`, 'older →') : null,
      ),
    ),
  );
}

// ---- mempool and peers ----

export async function mempoolPage(_ctx: AppContext): Promise<HTMLElement> {
  const pool = await getJson<Mempool>('/mempool?limit=200');
  return page(
    'Mempool',
    h('h1', {}, 'Mempool'),
    card(
      h('span', { id: 'mempool-count' }, `${pool.count} pending transfer${pool.count === 1 ? '' : 's'}`),
      h(
        'p',
        { class: 'muted' },
        'Highest fee first: the order a miner takes them in. Each still carries its own signature until a block aggregates it.',
      ),
      table(
        ['Txid', 'From', 'To', 'Amount', 'Fee', 'Nonce'],
        pool.transactions.map((tx) => [
          txLink(tx.txid),
          addrLink(tx.sender),
          addrLink(tx.recipient),
          coins(tx.amount),
          coins(tx.fee),
          tx.nonce,
        ]),
        { id: 'mempool' },
      ),
    ),
  );
}

interface PeerJson {
  peerId: string;
  address: string;
  direction: string;
  height: number | null;
  score: number;
  network: string | null;
}

export async function peersPage(ctx: AppContext): Promise<HTMLElement> {
  const peers = await getJson<PeerJson[]>('/peers');
  const p2p = ctx.status.p2p;
  return page(
    'Peers',
    h('h1', {}, 'Peers'),
    card(
      'This node',
      p2p
        ? fields([
            ['Peer id', h('span', { class: 'mono wrap' }, p2p.peerId)],
            ['Listening on', h('div', {}, ...p2p.multiaddrs.map((a) => h('div', { class: 'mono wrap' }, a)))],
          ])
        : h('p', { class: 'muted' }, 'Peer-to-peer networking is off on this node.'),
    ),
    card(
      `Connected peers (${peers.length})`,
      table(
        ['Peer id', 'Address', 'Direction', 'Height', 'Score'],
        peers.map((p) => [
          h('span', { class: 'mono' }, short(p.peerId, 8)),
          h('span', { class: 'mono wrap' }, p.address),
          p.direction,
          p.height ?? '—',
          p.score,
        ]),
        { id: 'peers' },
      ),
    ),
  );
}
