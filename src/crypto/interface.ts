/**
 * BLS12-381 signatures as OurCoin uses them: one small interface, two backends.
 *
 * Ciphersuite BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (IETF draft-irtf-cfrg-bls-signature-05):
 * 32-byte secret keys, 48-byte compressed G1 public keys ("min-pubkey-size"), 96-byte compressed
 * G2 signatures. The node uses `blst.ts` (native, fast); the browser uses `noble.ts` (pure JS).
 * Both take and return plain bytes so the protocol layer never sees a backend's point types.
 *
 * Validation contract (every backend):
 * - Public keys and signatures from outside are deserialized with on-curve, subgroup and
 *   infinity checks. The point at infinity is never a valid public key, nor a valid signature
 *   passed to `verify`. Failures throw `OurCoinError` with kind 'crypto' and one of the codes in
 *   `BlsErrorCode`; `verify`/`aggregateVerify` return false instead of throwing on bad points.
 * - `aggregateVerify` requires at least one pair and equal-length lists, and refuses an
 *   infinity aggregate; it returns false otherwise.
 * - `aggregateSignatures` is plain group addition: it accepts infinity inputs (the protocol
 *   refuses infinity transaction signatures earlier, through `validateSignature`).
 * - Secret keys are scalars 0 < sk < r; a backend rejects others rather than reducing them.
 */
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';

export const SECRET_KEY_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 48;
export const SIGNATURE_LENGTH = 96;

/** Compressed encoding of the G2 point at infinity: the aggregate of zero signatures. */
export const INFINITY_SIGNATURE: Uint8Array = (() => {
  const b = new Uint8Array(SIGNATURE_LENGTH);
  b[0] = 0xc0;
  return b;
})();

export const BlsErrorCode = {
  invalidSecretKey: 'BLS_INVALID_SECRET_KEY',
  invalidPublicKey: 'BLS_INVALID_PUBLIC_KEY',
  infinityPublicKey: 'BLS_INFINITY_PUBLIC_KEY',
  invalidSignature: 'BLS_INVALID_SIGNATURE',
  infinitySignature: 'BLS_INFINITY_SIGNATURE',
  emptyAggregate: 'BLS_EMPTY_AGGREGATE',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    bls: CodeOf<typeof BlsErrorCode>;
  }
}

export interface Bls {
  /** Backend name, for logs and benchmarks ("blst", "noble"). */
  readonly name: string;
  /** Secret key from 32 bytes (big-endian scalar, 0 < sk < r); throws BLS_INVALID_SECRET_KEY. */
  secretKeyToPublicKey(secretKey: Uint8Array): Uint8Array;
  /** Sign `message` under the POP ciphersuite DST. */
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Throws unless `publicKey` is a canonical, on-curve, in-subgroup, non-infinity G1 point. */
  validatePublicKey(publicKey: Uint8Array): void;
  /** Throws unless `signature` is a canonical, in-subgroup G2 point; infinity is refused unless allowed. */
  validateSignature(signature: Uint8Array, allowInfinity?: boolean): void;
  /** Core verify; false on any invalid input. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** Sum of signatures; throws BLS_EMPTY_AGGREGATE for an empty list, BLS_INVALID_SIGNATURE on a bad point. */
  aggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array;
  /**
   * Sum of signatures this node has already verified, compressed (96 bytes) or uncompressed
   * (192): no subgroup checks, and no decompression for the uncompressed ones. The block
   * fast path's sum; never for input from outside that was not verified.
   */
  aggregateVerifiedSignatures(signatures: readonly Uint8Array[]): Uint8Array;
  /** One pairing check that `signature` aggregates a signature of messages[i] by publicKeys[i], for all i. */
  aggregateVerify(publicKeys: readonly Uint8Array[], messages: readonly Uint8Array[], signature: Uint8Array): boolean;
}

/** Validated public keys a backend keeps in memory by default (LRU). */
export const DEFAULT_PUBLIC_KEY_CACHE_SIZE = 10_000;

export function blsError(code: CodeOf<typeof BlsErrorCode>, message: string, cause?: unknown): OurCoinError {
  return new OurCoinError(code, message, 'crypto', cause === undefined ? undefined : { cause });
}

export function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length);
}

/** True for the one canonical compressed encoding of infinity: 0xc0 then zeros. */
export function isCanonicalInfinity(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0xc0) return false;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
