/**
 * The node's BLS12-381 backend: `@chainsafe/blst` (native supranational/blst bindings).
 *
 * Implements `Bls` from ./interface.ts for the POP ciphersuite (blst's default DST,
 * BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_). Every outside point is deserialized with
 * on-curve, subgroup and infinity checks; validated public keys are kept in a bounded LRU
 * cache because the same senders recur and deserialization plus subgroup check is the
 * dominant per-key cost after the pairing itself.
 */
import { randomBytes } from 'node:crypto';
import blst from '@chainsafe/blst';
import type { PublicKey, Signature } from '@chainsafe/blst';
import { LruCache } from './lruCache.js';
import {
  BlsErrorCode,
  DEFAULT_PUBLIC_KEY_CACHE_SIZE,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SIGNATURE_LENGTH,
  blsError,
  isBytes,
  isCanonicalInfinity,
} from './interface.js';
import type { Bls } from './interface.js';

// @chainsafe/blst is CommonJS (napi-rs); a default import is the portable way to load it from ESM.
const { SecretKey, PublicKey: BlstPublicKey, Signature: BlstSignature } = blst;

export interface BlstBlsOptions {
  /** Validated public keys kept in memory (LRU). 0 disables the cache. */
  readonly publicKeyCacheSize?: number;
  /** Validated signatures kept in memory (LRU). 0 disables the cache. */
  readonly signatureCacheSize?: number;
}

/** Enough for a mempool's worth of pending signatures in the common case (~0.7 KB each). */
export const DEFAULT_SIGNATURE_CACHE_SIZE = 20_000;

/** blst returns plain Uint8Arrays today; copy anyway so callers never share a native-owned buffer. */
function plain(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

function secretKey(bytes: Uint8Array): InstanceType<typeof SecretKey> {
  if (!isBytes(bytes, SECRET_KEY_LENGTH)) {
    throw blsError(BlsErrorCode.invalidSecretKey, `secret key must be ${SECRET_KEY_LENGTH} bytes`);
  }
  try {
    // blst rejects 0 and anything >= r (BLST_BAD_ENCODING) rather than reducing mod r.
    return SecretKey.fromBytes(bytes);
  } catch (err) {
    throw blsError(BlsErrorCode.invalidSecretKey, 'secret key must be a scalar with 0 < sk < r', err);
  }
}

function parseSignature(bytes: Uint8Array, allowInfinity: boolean): Signature {
  // Length first: blst would also accept a 192-byte uncompressed encoding, which we never use.
  if (!isBytes(bytes, SIGNATURE_LENGTH)) {
    throw blsError(BlsErrorCode.invalidSignature, `signature must be ${SIGNATURE_LENGTH} bytes`);
  }
  if (isCanonicalInfinity(bytes)) {
    if (!allowInfinity) throw blsError(BlsErrorCode.infinitySignature, 'signature is the point at infinity');
    return BlstSignature.fromBytes(bytes, true, false);
  }
  try {
    return BlstSignature.fromBytes(bytes, true);
  } catch (err) {
    throw blsError(BlsErrorCode.invalidSignature, 'signature is not a valid compressed G2 point in the subgroup', err);
  }
}

/**
 * Outside bytes to validated blst points, with the checks and errors of the `Bls` contract and
 * LRU caches of validated points. Exposed for verifiers that batch blst calls themselves (the
 * BLS verification service's workers) and must refuse exactly what `Bls` refuses.
 */
export interface BlstPoints {
  /** A canonical, on-curve, in-subgroup, non-infinity G1 key; throws BLS_INVALID_PUBLIC_KEY or BLS_INFINITY_PUBLIC_KEY. */
  readonly publicKey: (bytes: Uint8Array) => PublicKey;
  /** A canonical, in-subgroup G2 point; throws BLS_INVALID_SIGNATURE, or BLS_INFINITY_SIGNATURE unless allowed. */
  readonly signature: (bytes: Uint8Array, allowInfinity?: boolean) => Signature;
}

export function createBlstPoints(options: BlstBlsOptions = {}): BlstPoints {
  const cache = new LruCache<PublicKey>(options.publicKeyCacheSize ?? DEFAULT_PUBLIC_KEY_CACHE_SIZE);
  // Validated signatures too: the mempool validates each transfer's signature on admission,
  // and summing a block's known signatures (the import fast path) then needs no second
  // deserialization and subgroup check.
  const signatureCache = new LruCache<Signature>(options.signatureCacheSize ?? DEFAULT_SIGNATURE_CACHE_SIZE);

  function parseSignatureCached(bytes: Uint8Array, allowInfinity = false): Signature {
    if (!isBytes(bytes, SIGNATURE_LENGTH)) return parseSignature(bytes, allowInfinity);
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
    const cached = signatureCache.get(key);
    if (cached !== undefined) return cached;
    const sig = parseSignature(bytes, allowInfinity);
    if (!isCanonicalInfinity(bytes)) signatureCache.set(key, sig);
    return sig;
  }

  function parsePublicKey(bytes: Uint8Array): PublicKey {
    // Length first: blst would also accept a 96-byte uncompressed encoding of the same key.
    if (!isBytes(bytes, PUBLIC_KEY_LENGTH)) {
      throw blsError(BlsErrorCode.invalidPublicKey, `public key must be ${PUBLIC_KEY_LENGTH} bytes`);
    }
    // Only valid keys are cached, so a cache hit means "already fully validated".
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    if (isCanonicalInfinity(bytes))
      throw blsError(BlsErrorCode.infinityPublicKey, 'public key is the point at infinity');
    let pk: PublicKey;
    try {
      pk = BlstPublicKey.fromBytes(bytes, true);
    } catch (err) {
      throw blsError(
        BlsErrorCode.invalidPublicKey,
        'public key is not a valid compressed G1 point in the subgroup',
        err,
      );
    }
    cache.set(key, pk);
    return pk;
  }

  return { publicKey: parsePublicKey, signature: parseSignatureCached };
}

/** A blst-backed `Bls` with its own public-key cache; `blstBls` is the shared default instance. */
export function createBlstBls(options: BlstBlsOptions = {}): Bls {
  const { publicKey: parsePublicKey, signature: parseSignatureCached } = createBlstPoints(options);

  return {
    name: 'blst',

    secretKeyToPublicKey(sk: Uint8Array): Uint8Array {
      return plain(secretKey(sk).toPublicKey().toBytes(true));
    },

    sign(sk: Uint8Array, message: Uint8Array): Uint8Array {
      const key = secretKey(sk);
      if (!isBytes(message)) throw new TypeError('message must be a Uint8Array');
      return plain(key.sign(message).toBytes(true));
    },

    validatePublicKey(publicKey: Uint8Array): void {
      parsePublicKey(publicKey);
    },

    validateSignature(signature: Uint8Array, allowInfinity = false): void {
      parseSignatureCached(signature, allowInfinity);
    },

    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      try {
        if (!isBytes(message)) return false;
        const pk = parsePublicKey(publicKey);
        const sig = parseSignatureCached(signature, false);
        // Both points are already validated above; don't pay for the checks twice.
        return blst.verify(message, pk, sig, false, false);
      } catch {
        return false;
      }
    },

    aggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
      if (signatures.length === 0)
        throw blsError(BlsErrorCode.emptyAggregate, 'cannot aggregate an empty list of signatures');
      // Infinity inputs are accepted here on purpose: aggregation is plain group addition, and
      // the protocol refuses infinity transaction signatures earlier, in validateSignature.
      const points = signatures.map((s) => parseSignatureCached(s, true));
      return plain(blst.aggregateSignatures(points, false).toBytes(true));
    },

    aggregateVerifiedSignatures(signatures: readonly Uint8Array[]): Uint8Array {
      if (signatures.length === 0)
        throw blsError(BlsErrorCode.emptyAggregate, 'cannot aggregate an empty list of signatures');
      try {
        const points = signatures.map((s) => BlstSignature.fromBytes(s, false));
        return plain(blst.aggregateSignatures(points, false).toBytes(true));
      } catch (err) {
        throw blsError(BlsErrorCode.invalidSignature, 'a verified signature does not parse', err);
      }
    },

    aggregateVerify(
      publicKeys: readonly Uint8Array[],
      messages: readonly Uint8Array[],
      signature: Uint8Array,
    ): boolean {
      try {
        if (publicKeys.length === 0 || publicKeys.length !== messages.length) return false;
        if (!messages.every((m) => isBytes(m))) return false;
        const pks = publicKeys.map(parsePublicKey);
        // An infinity aggregate is refused as in verify: honest distinct-message aggregates are
        // never infinity, and blst/Ethereum reject it by default.
        const sig = parseSignature(signature, false);
        return blst.aggregateVerify([...messages], pks, sig, false, false);
      } catch {
        return false;
      }
    },
  };
}

export const blstBls: Bls = createBlstBls();

/** A fresh random secret key (32 bytes, 0 < sk < r), via IETF KeyGen from 32 bytes of OS randomness. */
export function generateSecretKey(): Uint8Array {
  const ikm = randomBytes(32);
  try {
    return plain(SecretKey.fromKeygen(ikm).toBytes());
  } finally {
    ikm.fill(0);
  }
}
