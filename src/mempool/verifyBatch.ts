/**
 * Batch verification of individual transfer signatures with blst (node-only hot path).
 *
 * `verifyMultipleAggregateSignatures` checks n independent (key, message, signature)
 * triples with one randomized multi-pairing, much cheaper than n verifies. If the batch
 * fails, every item is re-verified alone, so only the bad ones are refused.
 *
 * Validated public keys are cached (one per thread): senders recur, and a key's
 * deserialization and subgroup check cost about a tenth of an item's verification.
 */
import blst from '@chainsafe/blst';
import type { PublicKey, SignatureSet } from '@chainsafe/blst';
import { DEFAULT_PUBLIC_KEY_CACHE_SIZE } from '../crypto/interface.js';
import { LruCache } from '../crypto/lruCache.js';

export interface VerifyItem {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

const publicKeys = new LruCache<PublicKey>(DEFAULT_PUBLIC_KEY_CACHE_SIZE);

/** Only keys that passed validation are cached, so a hit means "valid". */
function publicKey(bytes: Uint8Array): PublicKey {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let pk = publicKeys.get(key);
  if (!pk) {
    pk = blst.PublicKey.fromBytes(bytes, true);
    publicKeys.set(key, pk);
  }
  return pk;
}

export function verifyBatch(items: readonly VerifyItem[]): boolean[] {
  const sets: (SignatureSet | undefined)[] = items.map((it) => {
    try {
      const pk = publicKey(it.publicKey);
      return { pk, msg: it.message, sig: blst.Signature.fromBytes(it.signature, true) };
    } catch {
      return undefined; // not a valid point: this item fails, the others are still batched
    }
  });
  const valid = sets.filter((s): s is SignatureSet => s !== undefined);
  if (valid.length === sets.length && valid.length > 0 && verifyMany(valid)) return items.map(() => true);
  return sets.map((s) => s !== undefined && blst.verify(s.msg, s.pk, s.sig));
}

function verifyMany(sets: SignatureSet[]): boolean {
  try {
    return sets.length === 1
      ? blst.verify(sets[0]!.msg, sets[0]!.pk, sets[0]!.sig)
      : blst.verifyMultipleAggregateSignatures(sets);
  } catch {
    return false;
  }
}
