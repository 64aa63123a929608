/**
 * The browser's BLS12-381 backend: `@noble/curves` (pure JS, audited, no native code).
 *
 * Implements `Bls` from ./interface.ts with noble's `longSignatures` (48-byte G1 public keys,
 * 96-byte G2 signatures) and the POP ciphersuite DST, so every byte it produces is identical
 * to the blst backend's. Browser-safe: no `node:` imports. About 20x slower than blst; an
 * aggregate is checked with one multi-pairing, never one pairing check per signature.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, bytesToNumberBE } from '@noble/curves/utils.js';
import { LruCache } from './lruCache.js';
import {
  BlsErrorCode,
  DEFAULT_PUBLIC_KEY_CACHE_SIZE,
  INFINITY_SIGNATURE,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SIGNATURE_LENGTH,
  blsError,
  isBytes,
  isCanonicalInfinity,
} from './interface.js';
import type { Bls } from './interface.js';

/** noble's default G2 DST is the `_NUL_` (basic) suite; OurCoin signs under POP, like blst. */
export const POP_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

export interface NobleBlsOptions {
  /** Validated public keys kept in memory (LRU). 0 disables the cache. */
  readonly publicKeyCacheSize?: number;
}

const sigs = bls12_381.longSignatures;
const G1Point = bls12_381.G1.Point;
const CURVE_ORDER = bls12_381.fields.Fr.ORDER;

type G1 = ReturnType<typeof sigs.getPublicKey>;
type G2 = ReturnType<typeof sigs.hash>;

function checkSecretKey(bytes: Uint8Array): Uint8Array {
  if (!isBytes(bytes, SECRET_KEY_LENGTH)) {
    throw blsError(BlsErrorCode.invalidSecretKey, `secret key must be ${SECRET_KEY_LENGTH} bytes`);
  }
  // Explicit range check: noble's Fr.fromBytes reduces mod r, so r+1 would silently act as 1.
  const n = bytesToNumberBE(bytes);
  if (n <= 0n || n >= CURVE_ORDER) {
    throw blsError(BlsErrorCode.invalidSecretKey, 'secret key must be a scalar with 0 < sk < r');
  }
  return bytes;
}

function parseSignature(bytes: Uint8Array, allowInfinity: boolean): G2 {
  if (!isBytes(bytes, SIGNATURE_LENGTH)) {
    throw blsError(BlsErrorCode.invalidSignature, `signature must be ${SIGNATURE_LENGTH} bytes`);
  }
  if (isCanonicalInfinity(bytes) && !allowInfinity) {
    throw blsError(BlsErrorCode.infinitySignature, 'signature is the point at infinity');
  }
  try {
    // Checks flags, canonical field elements, on-curve and subgroup membership.
    return sigs.Signature.fromBytes(bytes);
  } catch (err) {
    throw blsError(BlsErrorCode.invalidSignature, 'signature is not a valid compressed G2 point in the subgroup', err);
  }
}

function hashToG2(message: Uint8Array): G2 {
  return sigs.hash(message, POP_DST);
}

/** A noble-backed `Bls` with its own public-key cache; `nobleBls` is the shared default instance. */
export function createNobleBls(options: NobleBlsOptions = {}): Bls {
  const cache = new LruCache<G1>(options.publicKeyCacheSize ?? DEFAULT_PUBLIC_KEY_CACHE_SIZE);

  function parsePublicKey(bytes: Uint8Array): G1 {
    // Length first: noble's G1 decoder would also accept a 96-byte uncompressed encoding.
    if (!isBytes(bytes, PUBLIC_KEY_LENGTH)) {
      throw blsError(BlsErrorCode.invalidPublicKey, `public key must be ${PUBLIC_KEY_LENGTH} bytes`);
    }
    // Only valid keys are cached, so a hit means "already fully validated" (~1 ms saved in JS).
    const key = bytesToHex(bytes);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    if (isCanonicalInfinity(bytes))
      throw blsError(BlsErrorCode.infinityPublicKey, 'public key is the point at infinity');
    let pk: G1;
    try {
      pk = G1Point.fromBytes(bytes);
    } catch (err) {
      throw blsError(
        BlsErrorCode.invalidPublicKey,
        'public key is not a valid compressed G1 point in the subgroup',
        err,
      );
    }
    // Unreachable after the canonical-infinity check, kept so no path can cache infinity.
    if (pk.is0()) throw blsError(BlsErrorCode.infinityPublicKey, 'public key is the point at infinity');
    cache.set(key, pk);
    return pk;
  }

  return {
    name: 'noble',

    secretKeyToPublicKey(sk: Uint8Array): Uint8Array {
      return sigs.getPublicKey(checkSecretKey(sk)).toBytes(true);
    },

    sign(sk: Uint8Array, message: Uint8Array): Uint8Array {
      const key = checkSecretKey(sk);
      if (!isBytes(message)) throw new TypeError('message must be a Uint8Array');
      return sigs.Signature.toBytes(sigs.sign(hashToG2(message), key));
    },

    validatePublicKey(publicKey: Uint8Array): void {
      parsePublicKey(publicKey);
    },

    validateSignature(signature: Uint8Array, allowInfinity = false): void {
      parseSignature(signature, allowInfinity);
    },

    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      try {
        if (!isBytes(message)) return false;
        const pk = parsePublicKey(publicKey);
        const sig = parseSignature(signature, false);
        return sigs.verify(sig, hashToG2(message), pk);
      } catch {
        return false;
      }
    },

    aggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
      if (signatures.length === 0)
        throw blsError(BlsErrorCode.emptyAggregate, 'cannot aggregate an empty list of signatures');
      // Infinity inputs are accepted here on purpose: aggregation is plain group addition, and
      // the protocol refuses infinity transaction signatures earlier, in validateSignature.
      const points = signatures.map((s) => parseSignature(s, true));
      // Summed by hand: noble's aggregateSignatures refuses a zero sum (a signature plus its
      // negation), which blst returns as the infinity point. The backends must agree.
      const sum = points.reduce((a, b) => a.add(b));
      return sum.is0() ? INFINITY_SIGNATURE.slice() : sigs.Signature.toBytes(sum);
    },

    // The browser never holds verified signatures in uncompressed form: the plain sum will do.
    aggregateVerifiedSignatures(signatures: readonly Uint8Array[]): Uint8Array {
      return this.aggregateSignatures(signatures);
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
        // An infinity aggregate is refused as in verify (and as blst does by default).
        const sig = parseSignature(signature, false);
        // Hash each distinct message once and reuse the same point object: hash-to-curve is
        // slow in JS, and verifyBatch sums the keys of identical message objects before pairing.
        const hashed = new Map<string, G2>();
        const items = messages.map((message, i) => {
          const hex = bytesToHex(message);
          let point = hashed.get(hex);
          if (point === undefined) {
            point = hashToG2(message);
            hashed.set(hex, point);
          }
          return { message: point, publicKey: pks[i]! };
        });
        // One multi-pairing: e(-G1, sig) * prod e(pk_i, H(m_i)) == 1.
        return sigs.verifyBatch(sig, items);
      } catch {
        return false;
      }
    },
  };
}

export const nobleBls: Bls = createNobleBls();
