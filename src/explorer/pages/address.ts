/**
 * An address: its balance and nonce, totals received and sent, its balance over time, a QR
 * code of it, and its history a page at a time (newest first). Live: a transfer event about it
 * or a new tip reloads the numbers, the chart and the history in place.
 */
import QRCode from 'qrcode';
import { formatCoins } from '../../protocol/amount.js';
import type { AddressInfo, AnyTx, BalanceHistory, History } from '../api.js';
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { chart } from '../charts.js';
import { h, link } from '../dom.js';
import type { Child } from '../dom.js';
import { live, throttled } from '../live.js';
import { addrLink, blockLink, card, coins, fields, page, table, txLink } from './parts.js';

const HISTORY_PAGE = 20;
/** Points of the balance chart (the newest transactions). */
const BALANCE_POINTS = 100;

interface AddressData {
  readonly info: AddressInfo;
  readonly hist: History;
  readonly series: BalanceHistory;
}

async function load(address: string, offset: number): Promise<AddressData> {
  const base = `/addresses/${encodeURIComponent(address)}`;
  const [info, hist, series] = await Promise.all([
    getJson<AddressInfo>(base),
    getJson<History>(`${base}/transactions?limit=${HISTORY_PAGE}&offset=${offset}`),
    getJson<BalanceHistory>(`${base}/balance-history?limit=${BALANCE_POINTS}`),
  ]);
  return { info, hist, series };
}

/** A canvas with the address as a QR code (dark on light in both themes, so any scanner reads it). */
function qrCode(address: string): HTMLElement {
  const canvas = h('canvas', { id: 'address-qr', 'aria-label': `QR code of ${address}` });
  void QRCode.toCanvas(canvas, address, {
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 176,
    color: { dark: '#000000', light: '#ffffff' },
  });
  return h('figure', { class: 'qr' }, canvas, h('figcaption', { class: 'muted' }, 'Scan to pay this address'));
}

/** Balance, totals and nonces. */
function summary(data: AddressData): HTMLElement {
  const { info, series } = data;
  const over = series.complete ? '' : ` (over the newest ${series.transactions} transactions)`;
  return fields([
    ['Balance', h('span', { id: 'balance' }, coins(info.balance))],
    ['Pending balance', h('span', { id: 'pending-balance' }, coins(info.pendingBalance))],
    ['Total received', h('span', { id: 'received' }, coins(series.received), over)],
    ['Total sent', h('span', { id: 'sent' }, coins(series.sent), over)],
    ['Nonce', info.nonce],
    ['Next nonce', info.nextNonce],
  ]);
}

/** The balance chart and the history page. */
function details(data: AddressData, n: number): HTMLElement[] {
  const { info, hist, series } = data;
  const other = (item: History['transactions'][number]): Child => {
    const tx = item.transaction;
    if (tx.type === 'coinbase') return 'coinbase';
    if (item.direction === 'in') return addrLink(tx.sender);
    return addrLink(tx.recipient);
  };
  const amountOf = (tx: AnyTx): string => coins(tx.amount);
  const arrows = { in: '↓ in', out: '↑ out', self: '↻ self' } as const;
  return [
    card(
      'Balance over time',
      chart({
        title: 'Balance',
        unit: 'OUR, after each confirmed transaction, by block height',
        kind: 'line',
        heights: series.points.map((p) => p.height),
        values: series.points.map((p) => Number(formatCoins(BigInt(p.balance)))),
        format: (v) => v.toLocaleString('en-US', { maximumFractionDigits: 8 }),
      }),
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
  ];
}

export async function addressPage(_ctx: AppContext, address: string, n: number): Promise<HTMLElement> {
  const offset = (n - 1) * HISTORY_PAGE;
  const data = await load(address, offset);
  const numbers = h('div', { id: 'address-summary' }, summary(data));
  const rest = h('div', { id: 'address-details' }, ...details(data, n));
  const reload = throttled(async () => {
    const next = await load(address, offset);
    numbers.replaceChildren(summary(next));
    rest.replaceChildren(...details(next, n));
  });
  live({ tip: reload, transfer: reload, open: reload });
  return page(
    'Address',
    h('h1', {}, 'Address'),
    card(
      h('span', { class: 'mono wrap', id: 'address' }, data.info.address),
      h('div', { class: 'address-top' }, numbers, qrCode(data.info.address)),
    ),
    rest,
  );
}
