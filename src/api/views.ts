/**
 * JSON views of chain objects for the API: block summaries and details, transactions with
 * their location, history directions. Every bigint becomes a decimal string here, every
 * byte string 0x-hex, every address bech32m.
 */
import { addressHashOf } from '../protocol/address.js';
import { blockHash, blockSize, blockToJson } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import type { NetworkParams } from '../protocol/networks.js';
import { coinbaseToJson, transferToJson } from '../protocol/transaction.js';
import type { Coinbase, CoinbaseJson, Transfer, TransferJson } from '../protocol/transaction.js';
import { SIGNATURE_LENGTH } from '../crypto/interface.js';
import { blockSubsidy } from '../protocol/rules/subsidy.js';
import type { BlockRecord, ChainReader } from '../chain/interface.js';
import type { BlockStats, BlockSummary, BlockDetail, Direction } from './json.js';
export type { BlockSummary, BlockDetail, Direction } from './json.js';

export function blockSummary(block: Block): BlockSummary {
  return {
    hash: toHex(blockHash(block.header)),
    height: block.header.height,
    prevHash: toHex(block.header.prevHash),
    timestamp: block.header.timestamp,
    transfers: block.transactions.length,
    size: blockSize(block),
    aggregateSignature: toHex(block.aggregateSignature),
  };
}

/** Confirmations of something at `height` on the main chain whose tip is at `tipHeight`. */
export function confirmationsAt(height: number, tipHeight: number): number {
  return Math.max(0, tipHeight - height + 1);
}

export function blockDetail(chain: ChainReader, network: NetworkParams, rec: BlockRecord, block: Block): BlockDetail {
  const onMainChain = chain.isOnMainChain(rec);
  const tipHeight = chain.tip.height;
  return {
    ...blockToJson(block, network),
    height: rec.height,
    confirmations: onMainChain ? confirmationsAt(rec.height, tipHeight) : 0,
    onMainChain,
    cumulativeWork: rec.cumulativeWork.toString(),
    stats: blockStats(block, network),
  };
}

/**
 * Fees, the coinbase's split into subsidy and claimed fees, value moved, and the bytes the one
 * aggregate signature saves over a signature per transfer (docs/decisions/0001).
 */
export function blockStats(block: Block, network: NetworkParams): BlockStats {
  let fees = 0n;
  let moved = 0n;
  for (const tx of block.transactions) {
    fees += tx.fee;
    moved += tx.amount;
  }
  const subsidy = blockSubsidy(block.header.height, network);
  const reward = block.coinbase.amount < subsidy ? block.coinbase.amount : subsidy;
  return {
    totalFees: fees.toString(),
    reward: reward.toString(),
    feesClaimed: (block.coinbase.amount - reward).toString(),
    valueMoved: moved.toString(),
    signatureBytesSaved: Math.max(0, block.transactions.length - 1) * SIGNATURE_LENGTH,
  };
}

/** The transaction at `position` of `block` (0 is the coinbase). */
export function transactionAt(block: Block, position: number): Transfer | Coinbase | undefined {
  return position === 0 ? block.coinbase : block.transactions[position - 1];
}

export function isTransfer(tx: Transfer | Coinbase): tx is Transfer {
  return 'senderPublicKey' in tx;
}

export function transactionToJson(
  tx: Transfer | Coinbase,
  network: NetworkParams,
  signature?: Uint8Array,
): TransferJson | CoinbaseJson {
  return isTransfer(tx) ? transferToJson(tx, network, signature) : coinbaseToJson(tx, network);
}

/** How `tx` moves coins for `address` (a 20-byte hash): a coinbase is always incoming. */
export function directionFor(tx: Transfer | Coinbase, address: Uint8Array): Direction {
  if (!isTransfer(tx)) return 'in';
  const out = bytesEqual(addressHashOf(tx.senderPublicKey), address);
  const into = bytesEqual(tx.recipient, address);
  if (out && into) return 'self';
  return out ? 'out' : 'in';
}
