/**
 * Body rules that need no chain state: size, the header's commitments, the coinbase's
 * fields, every transfer's chain id and amounts, no duplicate txid.
 *
 * Commitment mismatches (txRoot, signatureHash) are `mutated`: a relayer can cause them, so
 * they never mark the block hash invalid. Everything after them is committed to by the
 * header, so those failures are `consensus`.
 */
import { blockSize, blockTxids, computeTxRoot, signatureHashOf } from '../block.js';
import type { Block } from '../block.js';
import { bytesEqual, toHex } from '../bytes.js';
import { MAX_MONEY } from '../amount.js';
import type { NetworkParams } from '../networks.js';
import type { Transfer } from '../transaction.js';
import { RuleCode, ruleError } from './codes.js';

/** Checks a lone transfer's fields (also used by the mempool). */
export function checkTransferFields(tx: Transfer, network: NetworkParams): void {
  if (tx.chainId !== network.chainId) {
    throw ruleError(
      RuleCode.txBadChainId,
      `chain id 0x${tx.chainId.toString(16)} is not ${network.name}'s 0x${network.chainId.toString(16)}`,
    );
  }
  if (tx.amount < 1n || tx.amount > MAX_MONEY)
    throw ruleError(RuleCode.txBadAmount, `amount ${tx.amount} is outside [1, ${MAX_MONEY}]`);
  if (tx.fee < 0n || tx.fee > MAX_MONEY)
    throw ruleError(RuleCode.txBadFee, `fee ${tx.fee} is outside [0, ${MAX_MONEY}]`);
  if (tx.amount + tx.fee > MAX_MONEY) throw ruleError(RuleCode.txBadAmount, `amount + fee exceeds ${MAX_MONEY}`);
}

/**
 * The header's commitments to the body (txRoot, signatureHash): only a body that passes them
 * is the block its hash names, so only then may a verdict on it be kept under that hash.
 * Returns the block's txids (coinbase first).
 */
export function checkBlockCommitments(block: Block): readonly Uint8Array[] {
  const txids = blockTxids(block);
  if (!bytesEqual(computeTxRoot(txids), block.header.txRoot)) {
    throw ruleError(RuleCode.badTxRoot, 'transactions do not match the header txRoot', 'mutated');
  }
  if (!bytesEqual(signatureHashOf(block.aggregateSignature), block.header.signatureHash)) {
    throw ruleError(
      RuleCode.badSignatureHash,
      'aggregate signature does not match the header signatureHash',
      'mutated',
    );
  }
  return txids;
}

/**
 * Returns the block's txids (coinbase first), computed once here for the later stages.
 */
export function checkBlockBody(block: Block, network: NetworkParams): readonly Uint8Array[] {
  const txids = checkBlockCommitments(block);
  const size = blockSize(block);
  if (size > network.maxBlockBytes)
    throw ruleError(RuleCode.tooLarge, `block is ${size} bytes, the limit is ${network.maxBlockBytes}`);

  const cb = block.coinbase;
  if (cb.chainId !== network.chainId)
    throw ruleError(RuleCode.coinbaseBadChainId, `coinbase chain id 0x${cb.chainId.toString(16)}`);
  if (cb.height !== block.header.height)
    throw ruleError(RuleCode.coinbaseBadHeight, `coinbase height ${cb.height}, block height ${block.header.height}`);
  if (cb.amount > MAX_MONEY)
    throw ruleError(RuleCode.coinbaseTooLarge, `coinbase amount ${cb.amount} exceeds ${MAX_MONEY}`);

  const seen = new Set<string>();
  block.transactions.forEach((tx, i) => {
    checkTransferFields(tx, network);
    const id = toHex(txids[i + 1]!);
    if (seen.has(id)) throw ruleError(RuleCode.txDuplicate, `transaction ${id} appears twice`);
    seen.add(id);
  });
  return txids;
}
