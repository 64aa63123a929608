/**
 * Compact block relay: a new block travels as header + coinbase + txids + aggregate
 * signature (32 bytes a transfer instead of 97). The receiver rebuilds the block from its
 * mempool, asks the sender only for the transfers it lacks (with their signatures, which
 * go through mempool admission), and then imports it, using the signature fast path
 * wherever every transfer's signature is already verified.
 */
import type { Block } from '../protocol/block.js';
import { blockTxids } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import type { Transfer } from '../protocol/transaction.js';
import type { CompactBlock } from './messages.js';

export function toCompactBlock(block: Block): CompactBlock {
  return {
    header: block.header,
    coinbase: block.coinbase,
    txids: blockTxids(block).slice(1),
    aggregateSignature: block.aggregateSignature,
  };
}

/** The txids of `cb` that `lookup` cannot supply. */
export function missingTxids(cb: CompactBlock, lookup: (txid: Uint8Array) => Transfer | undefined): Uint8Array[] {
  return cb.txids.filter((id) => lookup(id) === undefined);
}

/** The full block, or undefined while a transfer is missing. Commitments are checked on import. */
export function rebuildBlock(cb: CompactBlock, lookup: (txid: Uint8Array) => Transfer | undefined): Block | undefined {
  const transactions: Transfer[] = [];
  for (const id of cb.txids) {
    const tx = lookup(id);
    if (!tx) return undefined;
    transactions.push(tx);
  }
  return { header: cb.header, coinbase: cb.coinbase, transactions, aggregateSignature: cb.aggregateSignature };
}

/** A lookup over extra transfers (fetched from the peer) in front of another lookup. */
export function withExtra(
  extra: readonly Transfer[],
  txidOf: (tx: Transfer) => Uint8Array,
  base: (txid: Uint8Array) => Transfer | undefined,
) {
  const byId = new Map(extra.map((tx) => [toHex(txidOf(tx)), tx]));
  return (txid: Uint8Array): Transfer | undefined => byId.get(toHex(txid)) ?? base(txid);
}
