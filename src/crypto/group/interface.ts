/**
 * Group keys on top of OurCoin's BLS signatures: the shared types and the stable error codes.
 *
 * A group key is an ordinary 48-byte BLS public key and a combined signature an ordinary
 * 96-byte signature (docs/protocol.md 2), so the chain never learns that a group signed.
 * Three constructions build on it (docs/multisig.md):
 * - ./polynomial.ts: Shamir sharing over Fr with Feldman commitments, Lagrange coefficients;
 * - ./threshold.ts: t-of-n keys from a dealer, partial signatures combined in the exponent;
 * - ./bdn.ts: n-of-n keys aggregated with Boneh-Drijvers-Neven coefficients (no PoP needed);
 * - ./dkg.ts: Pedersen's distributed key generation (joint-Feldman), rounds as JSON files.
 *
 * Participants are numbered 1..n (the x-coordinate of their share); 0 is the secret itself.
 * Errors are `OurCoinError`s with the codes below: kind 'crypto' for a share, key or signature
 * that does not check, kind 'input' for a malformed request (bad threshold, index, count).
 */
import { OurCoinError } from '../../errors.js';
import type { CodeOf, ErrorKind } from '../../errors.js';

/** Shares are indexed 1..n with n at most this (one byte in the DKG's key derivation). */
export const MAX_PARTICIPANTS = 255;

export const GroupErrorCode = {
  invalidThreshold: 'GROUP_INVALID_THRESHOLD',
  invalidIndex: 'GROUP_INVALID_INDEX',
  duplicateIndex: 'GROUP_DUPLICATE_INDEX',
  unknownParticipant: 'GROUP_UNKNOWN_PARTICIPANT',
  notEnoughPartials: 'GROUP_NOT_ENOUGH_PARTIALS',
  invalidCommitment: 'GROUP_INVALID_COMMITMENT',
  badShare: 'GROUP_BAD_SHARE',
  badPartial: 'GROUP_BAD_PARTIAL',
  inconsistentGroup: 'GROUP_INCONSISTENT_GROUP',
  invalidKey: 'GROUP_INVALID_KEY',
  duplicateKey: 'GROUP_DUPLICATE_KEY',
  emptyGroup: 'GROUP_EMPTY',
  lengthMismatch: 'GROUP_LENGTH_MISMATCH',
  dkgBadMessage: 'GROUP_DKG_BAD_MESSAGE',
  dkgBadShare: 'GROUP_DKG_BAD_SHARE',
  dkgTooFewQualified: 'GROUP_DKG_TOO_FEW_QUALIFIED',
} as const;

export type GroupErrorCode = CodeOf<typeof GroupErrorCode>;

declare module '../../errors.js' {
  interface ErrorCodeRegistry {
    group: CodeOf<typeof GroupErrorCode>;
  }
}

export function groupError(
  code: GroupErrorCode,
  message: string,
  kind: ErrorKind = 'crypto',
  cause?: unknown,
): OurCoinError {
  return new OurCoinError(code, message, kind, cause === undefined ? undefined : { cause });
}

/** Bytes from a CSPRNG; injected so tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** Participant `index`'s secret share: a 32-byte big-endian scalar, usable as a BLS secret key. */
export interface SecretShare {
  readonly index: number;
  readonly secretKey: Uint8Array;
}

/** Participant `index`'s signature over the group's message with its share. */
export interface PartialSignature {
  readonly index: number;
  readonly signature: Uint8Array;
}

/**
 * What every signer and combiner knows about a t-of-n group: the threshold, the group key and
 * participant i's public share (share_i * G1) at publicShares[i - 1].
 */
export interface GroupDescriptor {
  readonly threshold: number;
  readonly groupKey: Uint8Array;
  readonly publicShares: readonly Uint8Array[];
}
