/**
 * The block signature rule: ONE aggregateVerify over every (sender public key, signing
 * message) pair of the block's transfers.
 *
 * - No transfers: the aggregate must be exactly the G2 point at infinity (canonical empty
 *   aggregate), and no pairing is computed.
 * - Otherwise: every sender key must be a valid, non-infinity G1 point; the aggregate must be
 *   a valid, non-infinity G2 point; and aggregateVerify must hold. Messages are distinct
 *   because txids are (no duplicates), and each message embeds its sender's key, so the
 *   aggregate is secure without proofs of possession.
 *
 * The rule is split in two so that every verifier (the chain, sync's worker pre-check, the
 * browser explorer) checks the same thing: `blockSignatureSet` says WHAT is verified (Lodestar
 * calls this a signature set), `verifySignatureSet` HOW, with the rule's error codes.
 */
import type { Bls } from '../../crypto/interface.js';
import { INFINITY_SIGNATURE } from '../../crypto/interface.js';
import type { Block } from '../block.js';
import { bytesEqual, toHex } from '../bytes.js';
import { OurCoinError } from '../../errors.js';
import { signingMessage } from '../transaction.js';
import { RuleCode, ruleError } from './codes.js';
import type { RuleCodeValue } from './codes.js';

/** What one block's aggregate must cover: publicKeys[i] signed messages[i], for every transfer. */
export interface SignatureSet {
  readonly publicKeys: readonly Uint8Array[];
  readonly messages: readonly Uint8Array[];
  readonly aggregateSignature: Uint8Array;
}

/** `transferTxids` are the block's transfer txids (without the coinbase's), in order. */
export function blockSignatureSet(
  block: Pick<Block, 'transactions' | 'aggregateSignature'>,
  transferTxids: readonly Uint8Array[],
): SignatureSet {
  return {
    publicKeys: block.transactions.map((tx) => tx.senderPublicKey),
    messages: block.transactions.map((tx, i) => signingMessage(tx, transferTxids[i])),
    aggregateSignature: block.aggregateSignature,
  };
}

/** Steps of `verifySignatureSet` a caller may watch (the explorer's progress bar). */
export interface SignatureSetObserver {
  /** After publicKeys[index] was validated (or found equal to an earlier, validated one). */
  keyValidated?(index: number, total: number): void;
  /** Before the one multi-pairing, after every point was validated. */
  pairing?(): void;
}

/** The rule on a signature set; throws its `OurCoinError` (RuleCode) when the set fails. */
export function verifySignatureSet(set: SignatureSet, bls: Bls, observer: SignatureSetObserver = {}): void {
  const { publicKeys, messages, aggregateSignature } = set;
  if (publicKeys.length === 0) {
    if (!bytesEqual(aggregateSignature, INFINITY_SIGNATURE)) {
      throw ruleError(
        RuleCode.badEmptySignature,
        'a block without transfers must carry the empty aggregate (the point at infinity)',
      );
    }
    return;
  }
  const seen = new Set<string>();
  publicKeys.forEach((pk, i) => {
    const key = toHex(pk);
    if (!seen.has(key)) {
      seen.add(key);
      try {
        bls.validatePublicKey(pk);
      } catch (err) {
        throw ruleError(RuleCode.txBadPublicKey, `sender public key ${key}: ${reason(err)}`);
      }
    }
    observer.keyValidated?.(i, publicKeys.length);
  });
  try {
    bls.validateSignature(aggregateSignature);
  } catch (err) {
    throw ruleError(RuleCode.badAggregateSignature, `aggregate signature: ${reason(err)}`);
  }
  observer.pairing?.();
  if (!bls.aggregateVerify(publicKeys, messages, aggregateSignature)) {
    throw ruleError(
      RuleCode.badAggregateSignature,
      `aggregate signature does not cover the block's ${messages.length} transfers`,
    );
  }
}

/** What the rule said about a set, and why it failed: the code and message it throws. */
export type SignatureVerdict =
  { readonly ok: true } | { readonly ok: false; readonly code: RuleCodeValue; readonly message: string };

/** `verifySignatureSet` as a value, for verifiers that report rather than throw (workers, the explorer). */
export function signatureSetVerdict(set: SignatureSet, bls: Bls, observer?: SignatureSetObserver): SignatureVerdict {
  try {
    verifySignatureSet(set, bls, observer);
    return { ok: true };
  } catch (err) {
    if (err instanceof OurCoinError && err.kind === 'consensus')
      return { ok: false, code: err.code as RuleCodeValue, message: err.message };
    throw err;
  }
}

/** The whole rule on a block: `transferTxids` as for `blockSignatureSet`. */
export function verifyBlockSignature(block: Block, transferTxids: readonly Uint8Array[], bls: Bls): void {
  verifySignatureSet(blockSignatureSet(block, transferTxids), bls);
}

function reason(err: unknown): string {
  return err instanceof OurCoinError ? err.message : String(err);
}
