/**
 * What several explorer pages share: links to the other pages, amounts, page and card frames,
 * field lists, tables and difficulty.
 */
import { formatCoins } from '../../protocol/amount.js';
import { decodeCompact } from '../../protocol/pow.js';
import type { TransferJson } from '../../protocol/transaction.js';
import type { AppContext } from '../appContext.js';
import { h, link, short } from '../dom.js';
import type { Child } from '../dom.js';

export const coins = (baseUnits: string): string => `${formatCoins(BigInt(baseUnits))} OUR`;
export const blockLink = (hashOrHeight: string | number, text?: string): HTMLAnchorElement =>
  link(
    `#/block/${hashOrHeight}`,
    text ?? (typeof hashOrHeight === 'number' ? `#${hashOrHeight}` : short(hashOrHeight)),
    { class: 'mono' },
  );
export const txLink = (txid: string, full = false): HTMLAnchorElement =>
  link(`#/tx/${txid}`, full ? txid : short(txid), { class: 'mono' });
export const addrLink = (address: string, full = false): HTMLAnchorElement =>
  link(`#/address/${address}`, full ? address : short(address, 12), { class: 'mono' });

/** The columns of a transfer's row wherever transfers are listed (a block, the mempool). */
export const TRANSFER_COLUMNS = ['Txid', 'From', 'To', 'Amount', 'Fee', 'Nonce'] as const;

export function transferCells(tx: TransferJson): Child[] {
  return [txLink(tx.txid), addrLink(tx.sender), addrLink(tx.recipient), coins(tx.amount), coins(tx.fee), tx.nonce];
}

export function page(title: string, ...children: Child[]): HTMLElement {
  const el = h('div', { class: 'page' }, ...children);
  el.dataset.title = title;
  return el;
}

export function card(title: Child, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A definition list of label/value rows; values may be nodes. */
export function fields(rows: readonly (readonly [string, Child] | false)[]): HTMLElement {
  const dl = h('dl', { class: 'fields' });
  for (const row of rows) {
    if (!row) continue;
    dl.append(h('dt', {}, row[0]), h('dd', {}, row[1]));
  }
  return dl;
}

export function table(
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

export function difficultyOf(ctx: AppContext, bits: string | number): number {
  return (
    Number(ctx.network.powLimit) / Number(decodeCompact(typeof bits === 'number' ? bits : Number.parseInt(bits, 16)))
  );
}

export function formatNumber(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 1e6 || Math.abs(n) < 1e-3) return n.toExponential(3);
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
