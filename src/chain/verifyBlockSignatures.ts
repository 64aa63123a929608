/**
 * The block signature check, with the node's fast path.
 *
 * BLS signatures are unique: for a given key and message exactly one signature verifies,
 * and compressed encodings are canonical. So when every transfer of a block has an
 * individual signature this node has already verified (in its mempool), the block's
 * aggregate is valid exactly when it equals the sum of those signatures, byte for byte:
 * no pairing needed. Otherwise the consensus rule runs: one full aggregateVerify. Both paths
 * accept and reject the same blocks.
 *
 * A verdict of that same rule computed ahead, on a worker thread while earlier blocks were
 * being connected (sync), stands in for it: it fails with the rule's own code and message.
 */
import type { Bls } from '../crypto/interface.js';
import { isCanonicalInfinity } from '../crypto/interface.js';
import type { Block } from '../protocol/block.js';
import { bytesEqual } from '../protocol/bytes.js';
import { RuleCode, ruleError } from '../protocol/rules/codes.js';
import { verifyBlockSignature } from '../protocol/rules/signature.js';
import type { SignatureVerdict } from '../protocol/rules/signature.js';

export type { SignatureVerdict };

/** Verified individual signatures by txid (the mempool and its recently-mined cache). */
export interface KnownSignatures {
  verifiedSignature(txid: Uint8Array): Uint8Array | undefined;
  /** The same signature, uncompressed when its verifier gave the point (cheaper to sum). */
  verifiedSignaturePoint?(txid: Uint8Array): Uint8Array | undefined;
}

export type SignaturePath = 'empty' | 'fast' | 'full' | 'prechecked';

export function verifyBlockSignatures(
  block: Block,
  transferTxids: readonly Uint8Array[],
  bls: Bls,
  known?: KnownSignatures,
  verdict?: SignatureVerdict,
): SignaturePath {
  if (verdict) {
    if (!verdict.ok) throw ruleError(verdict.code, verdict.message);
    return 'prechecked';
  }
  if (block.transactions.length === 0 || !known) {
    verifyBlockSignature(block, transferTxids, bls);
    return block.transactions.length === 0 ? 'empty' : 'full';
  }
  const signatures: Uint8Array[] = [];
  for (const txid of transferTxids) {
    const sig = known.verifiedSignaturePoint?.(txid) ?? known.verifiedSignature(txid);
    if (!sig) {
      verifyBlockSignature(block, transferTxids, bls);
      return 'full';
    }
    signatures.push(sig);
  }
  // Verified already (by this node's verifier): summed without subgroup checks.
  const sum = bls.aggregateVerifiedSignatures(signatures);
  // The full rule refuses an infinity aggregate; keep the verdicts identical even there.
  if (isCanonicalInfinity(sum)) {
    verifyBlockSignature(block, transferTxids, bls);
    return 'full';
  }
  if (!bytesEqual(sum, block.aggregateSignature)) {
    throw ruleError(
      RuleCode.badAggregateSignature,
      `aggregate signature is not the sum of the block's ${signatures.length} transfer signatures`,
    );
  }
  return 'fast';
}
