/**
 * Assembling a block from its parts: computes txRoot and signatureHash so the header's
 * commitments always match. Used by genesis, the miner's templates and tests.
 */
import { computeTxRoot, signatureHashOf } from './block.js';
import { coinbaseTxid, transferTxid } from './transaction.js';
import type { Block, BlockHeader } from './block.js';
import type { Coinbase, Transfer } from './transaction.js';

export interface BlockParts {
  readonly version: number;
  readonly height: number;
  readonly prevHash: Uint8Array;
  readonly timestamp: number;
  readonly bits: number;
  readonly nonce: bigint;
  readonly coinbase: Coinbase;
  readonly transactions: readonly Transfer[];
  readonly aggregateSignature: Uint8Array;
}

export function assembleBlock(p: BlockParts): Block {
  const body = { coinbase: p.coinbase, transactions: p.transactions, aggregateSignature: p.aggregateSignature };
  const header: BlockHeader = {
    version: p.version,
    height: p.height,
    prevHash: p.prevHash,
    txRoot: computeTxRoot([coinbaseTxid(p.coinbase), ...p.transactions.map(transferTxid)]),
    signatureHash: signatureHashOf(p.aggregateSignature),
    timestamp: p.timestamp,
    bits: p.bits,
    nonce: p.nonce,
  };
  return { header, ...body };
}

/** The same block with another header nonce. */
export function withNonce(block: Block, nonce: bigint): Block {
  return { ...block, header: { ...block.header, nonce } };
}
