/**
 * A transaction, confirmed or pending: where it is, and its fields.
 */
import type { AnyTx, TransactionInfo } from '../api.js';
import { getJson } from '../api.js';
import type { AppContext } from '../appContext.js';
import { h, link } from '../dom.js';
import type { Child } from '../dom.js';
import { addrLink, blockLink, card, coins, fields, page } from './parts.js';

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
        info.status === 'confirmed' && [
          'Inclusion',
          link(`#/verify/${tx.txid}`, 'Verify in your browser (light client)', { id: 'verify-inclusion' }),
        ],
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
