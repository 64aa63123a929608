/**
 * A transaction, confirmed or pending: where it is, its fields, and when this node first saw
 * it. Live: its status, confirmations and block follow the event stream in place (a new tip
 * counts a confirmation up; its own events say confirmed, replaced, dropped or unconfirmed).
 */
import type { AnyTx, TransactionInfo, TransferEventJson } from '../api.js';
import { ApiFailure, getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { ago, h, isoTime, link } from '../dom.js';
import type { Child } from '../dom.js';
import { live, throttled } from '../live.js';
import { addrLink, blockLink, card, coins, fields, page, txLink } from './parts.js';

/** "2 min ago (2026-…Z)", or a dash when the node does not know. */
export function firstSeenText(unixSeconds: number | null): Child {
  return unixSeconds === null
    ? h('span', { class: 'muted' }, 'not known (seen before the node last restarted)')
    : h('span', { title: isoTime(unixSeconds) }, `${ago(unixSeconds)} (${isoTime(unixSeconds)})`);
}

/** The parts of the summary that change while the page is open. */
function where(info: TransactionInfo): { status: string; confirmations: string; block: Node } {
  return {
    status: info.status,
    confirmations: String(info.confirmations),
    block:
      info.blockHash === null
        ? h('span', { class: 'muted' }, 'not in a block yet')
        : h('span', {}, blockLink(info.height ?? info.blockHash), ' ', blockLink(info.blockHash)),
  };
}

/** What a transfer that left the pool without a block became, from its event. */
function gone(event: TransferEventJson): { status: string; note: Node | string } {
  if (event.type === 'replaced')
    return {
      status: 'replaced',
      note: h('span', {}, 'replaced by ', event.replacedBy ? txLink(event.replacedBy) : 'another transfer'),
    };
  return { status: 'dropped', note: `dropped from the mempool (${event.reason ?? 'unknown reason'})` };
}

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
  if (tx.signature) rows.push(['Signature', h('span', { class: 'mono wrap', id: 'tx-signature' }, tx.signature)]);
  return rows;
}

export async function txPage(_ctx: AppContext, txid: string): Promise<HTMLElement> {
  const path = `/transactions/${encodeURIComponent(txid.toLowerCase())}`;
  const info = await getJson<TransactionInfo>(path);
  const tx = info.transaction;
  const now = where(info);
  const status = h('span', { class: `badge ${info.status}`, id: 'tx-status' }, now.status);
  const confirmations = h('span', { id: 'tx-confirmations' }, now.confirmations);
  const block = h('span', { id: 'tx-block' }, now.block);
  const note = h('p', { id: 'tx-note', class: 'muted', 'aria-live': 'polite' });
  let confirmedAt = info.height;
  const show = (next: TransactionInfo): void => {
    const w = where(next);
    confirmedAt = next.height;
    status.className = `badge ${next.status}`;
    status.replaceChildren(w.status);
    confirmations.replaceChildren(w.confirmations);
    block.replaceChildren(w.block);
    note.replaceChildren();
    // Mined: its own signature is folded into the block's aggregate and no longer served.
    if (next.status === 'confirmed')
      document
        .getElementById('tx-signature')
        ?.replaceChildren('in the block’s aggregate signature (verify it on the block page)');
  };
  const reload = throttled(async () => {
    try {
      show(await getJson<TransactionInfo>(path));
    } catch (err) {
      // Gone from the pool (replaced or dropped): its event said why, keep that on screen.
      if (!(err instanceof ApiFailure && err.status === 404)) throw err;
    }
  }, 250);
  if (tx.type === 'transfer')
    live({
      tip: (tip) => {
        // A confirmation more, counted at once; a reorg or a new block holding it is reloaded.
        if (confirmedAt !== null && tip.height > confirmedAt)
          confirmations.textContent = String(tip.height - confirmedAt + 1);
        reload();
      },
      transfer: (event) => {
        if (event.txid === tx.txid && (event.type === 'replaced' || event.type === 'dropped')) {
          const g = gone(event);
          status.className = `badge ${g.status}`;
          status.replaceChildren(g.status);
          note.replaceChildren(g.note);
          return;
        }
        reload();
      },
      open: reload,
    });
  else live({ tip: reload });
  return page(
    'Transaction',
    h('h1', {}, 'Transaction'),
    card(
      'Summary',
      fields([
        ['Txid', h('span', { class: 'mono wrap', id: 'txid' }, tx.txid)],
        ['Status', status],
        ['Confirmations', confirmations],
        ['Block', block],
        ['First seen', h('span', { id: 'tx-first-seen' }, firstSeenText(info.firstSeen))],
        info.position !== null && ['Position', info.position === 0 ? '0 (coinbase)' : info.position],
        info.status === 'confirmed' && [
          'Inclusion',
          link(`#/verify/${tx.txid}`, 'Verify in your browser (light client)', { id: 'verify-inclusion' }),
        ],
        ...txFields(tx),
      ]),
      note,
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
