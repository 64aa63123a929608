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
 */
import type { Bls } from '../../crypto/interface.js';
import { INFINITY_SIGNATURE } from '../../crypto/interface.js';
import type { Block } from '../block.js';
import { bytesEqual, toHex } from '../bytes.js';
import { OurCoinError } from '../../errors.js';
import { signingMessage } from '../transaction.js';
import { RuleCode, ruleError } from './codes.js';

/** `txids` are the block's transfer txids (without the coinbase's), in order. */
export function verifyBlockSignature(block: Block, transferTxids: readonly Uint8Array[], bls: Bls): void {
  if (block.transactions.length === 0) {
    if (!bytesEqual(block.aggregateSignature, INFINITY_SIGNATURE)) {
      throw ruleError(
        RuleCode.badEmptySignature,
        'a block without transfers must carry the empty aggregate (the point at infinity)',
      );
    }
    return;
  }
  const publicKeys = block.transactions.map((tx) => tx.senderPublicKey);
  const seen = new Set<string>();
  for (const pk of publicKeys) {
    const key = toHex(pk);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      bls.validatePublicKey(pk);
    } catch (err) {
      throw ruleError(
        RuleCode.txBadPublicKey,
        `sender public key ${key}: ${err instanceof OurCoinError ? err.message : String(err)}`,
      );
    }
  }
  try {
    bls.validateSignature(block.aggregateSignature);
  } catch (err) {
    throw ruleError(
      RuleCode.badAggregateSignature,
      `aggregate signature: ${err instanceof OurCoinError ? err.message : String(err)}`,
    );
  }
  const messages = block.transactions.map((tx, i) => signingMessage(tx, transferTxids[i]));
  if (!bls.aggregateVerify(publicKeys, messages, block.aggregateSignature)) {
    throw ruleError(
      RuleCode.badAggregateSignature,
      `aggregate signature does not cover the block's ${messages.length} transfers`,
    );
  }
}
