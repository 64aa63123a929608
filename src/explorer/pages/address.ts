/**
 * An address: its balance and nonce, and its history a page at a time (newest first).
 */
import type { AddressInfo, AnyTx, History } from '../api.js';
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { h, link } from '../dom.js';
import type { Child } from '../dom.js';
import { addrLink, blockLink, card, coins, fields, page, table, txLink } from './parts.js';

const HISTORY_PAGE = 20;

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
