/**
 * t-of-n threshold BLS: a dealer splits a key, partial signatures combine in the exponent.
 *
 * Boldyreva (2003), "Threshold signatures, multisignatures and blind signatures based on the
 * Gap-Diffie-Hellman-group signature scheme": with Shamir shares x_i = f(i) of the secret
 * x = f(0), participant i's partial signature is sigma_i = x_i * H(m), an ordinary BLS
 * signature under its public share X_i = x_i * G1. For any set S of t indices,
 *
 *     sum_{i in S} lambda_i * sigma_i = (sum lambda_i x_i) * H(m) = x * H(m),
 *
 * the ordinary signature of the group key X = x * G1 (Lagrange in the exponent, with the
 * coefficients of ./polynomial.ts). No interaction between signers, no nonces: each partial
 * is a deterministic BLS signature, so a combiner needs only t of them in any order.
 *
 * A bad partial makes the sum a bad signature without saying whose it was, so
 * `combineVerifiedPartials` first checks every partial against its signer's public share
 * (one pairing each) and names the participant whose partial fails.
 *
 * Signing uses the POP DST over OurCoin's signing message, through ../noble.ts: the combined
 * signature verifies in both backends like any other. Browser-safe: no `node:` imports.
 */
import { nobleBls } from '../noble.js';
import { GroupErrorCode, groupError } from './interface.js';
import type { GroupDescriptor, PartialSignature, RandomSource, SecretShare } from './interface.js';
import {
  Fr,
  checkIndex,
  checkThreshold,
  commitPolynomial,
  commitmentsAt,
  evaluatePolynomial,
  lagrangeCoefficientsAtZero,
  parseCommitments,
  randomPolynomial,
  scalarToBytes,
  shareMatchesCommitments,
  shareScalar,
  systemRandom,
} from './polynomial.js';
import { G2, decodeG2 } from './points.js';

/** A dealer's split: every share, and the public data every participant keeps. */
export interface DealerSplit extends GroupDescriptor {
  /** Feldman commitments C_0..C_{t-1} (C_0 is the group key). */
  readonly commitments: readonly Uint8Array[];
  /** Share i at shares[i - 1]: hand each to its participant, then forget the secret. */
  readonly shares: readonly SecretShare[];
}

/**
 * Split `secretKey` into `participants` shares, any `threshold` of which sign for it. The
 * group key is the secret key's own public key, so an existing account can become a group's
 * (a backup split: any t of n shares restore spending).
 */
export function dealerSplit(
  secretKey: Uint8Array,
  threshold: number,
  participants: number,
  random: RandomSource = systemRandom,
): DealerSplit {
  checkThreshold(threshold, participants);
  const groupKey = nobleBls.secretKeyToPublicKey(secretKey); // validates 0 < sk < r
  const secret = shareScalar(secretKey)!;
  // A zero share is not a valid BLS secret key; it happens with probability n / r, so draw again.
  for (;;) {
    const poly = randomPolynomial(secret, threshold, random);
    const values = Array.from({ length: participants }, (_, k) => evaluatePolynomial(poly, k + 1));
    if (values.some((v) => v === Fr.ZERO)) continue;
    const commitments = commitPolynomial(poly);
    const points = parseCommitments(commitments);
    return {
      threshold,
      groupKey,
      commitments,
      shares: values.map((v, k) => ({ index: k + 1, secretKey: scalarToBytes(v) })),
      publicShares: values.map((_, k) => commitmentsAt(points, k + 1).toBytes(true)),
    };
  }
}

/** Public shares of participants 1..n from Feldman commitments. */
export function publicSharesFromCommitments(commitments: readonly Uint8Array[], participants: number): Uint8Array[] {
  checkThreshold(commitments.length, participants);
  const points = parseCommitments(commitments);
  return Array.from({ length: participants }, (_, k) => commitmentsAt(points, k + 1).toBytes(true));
}

/** Throws GROUP_BAD_SHARE, naming the participant, unless `share` is f(index) for these commitments. */
export function checkShare(share: SecretShare, commitments: readonly Uint8Array[]): void {
  checkIndex(share.index);
  const s = shareScalar(share.secretKey);
  if (s === undefined || !shareMatchesCommitments(s, share.index, parseCommitments(commitments))) {
    throw groupError(
      GroupErrorCode.badShare,
      `participant ${share.index}'s share does not match the group's commitments (another group's, or corrupted)`,
    );
  }
}

/** Participant's partial signature: an ordinary BLS signature of `message` with its share. */
export function signPartial(share: SecretShare, message: Uint8Array): PartialSignature {
  checkIndex(share.index);
  return { index: share.index, signature: nobleBls.sign(share.secretKey, message) };
}

/** A partial is an ordinary signature under the signer's public share; false on any bad input. */
export function verifyPartial(publicShare: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return nobleBls.verify(publicShare, message, signature);
}

/**
 * sum lambda_i * sigma_i over the given partials (at least `threshold`, distinct indices).
 * Checks only that each signature is a valid G2 point: a wrong partial yields a signature that
 * does not verify. Use `combineVerifiedPartials` to learn whose partial was wrong.
 */
export function combinePartials(partials: readonly PartialSignature[], threshold: number): Uint8Array {
  checkThreshold(threshold, Math.max(threshold, partials.length));
  if (partials.length < threshold) {
    throw groupError(
      GroupErrorCode.notEnoughPartials,
      `${partials.length} partial signature(s), the group needs ${threshold}`,
      'input',
    );
  }
  const lambdas = lagrangeCoefficientsAtZero(partials.map((p) => p.index));
  let sum = G2.ZERO;
  partials.forEach((p, k) => {
    const sigma = decodeG2(p.signature, GroupErrorCode.badPartial, `participant ${p.index}'s partial signature`);
    // Public point, public scalar: the variable-time multiply is safe and faster.
    sum = sum.add(sigma.multiplyUnsafe(lambdas[k]!));
  });
  if (sum.is0()) throw groupError(GroupErrorCode.badPartial, 'the partial signatures combine to infinity');
  return sum.toBytes(true);
}

/**
 * Check each partial against its participant's public share, then combine: refuses unknown
 * participants, duplicates and fewer than t partials, and names the first participant whose
 * partial does not verify (GROUP_BAD_PARTIAL). The result verifies under the group key unless
 * the descriptor itself is inconsistent (GROUP_INCONSISTENT_GROUP).
 */
export function combineVerifiedPartials(
  group: GroupDescriptor,
  message: Uint8Array,
  partials: readonly PartialSignature[],
): Uint8Array {
  const n = group.publicShares.length;
  checkThreshold(group.threshold, n);
  const seen = new Set<number>();
  for (const p of partials) {
    if (!Number.isSafeInteger(p.index) || p.index < 1 || p.index > n) {
      throw groupError(
        GroupErrorCode.unknownParticipant,
        `participant ${String(p.index)} is not in this group of ${n}`,
        'input',
      );
    }
    if (seen.has(p.index)) {
      throw groupError(GroupErrorCode.duplicateIndex, `participant ${p.index} signed twice`, 'input');
    }
    seen.add(p.index);
  }
  for (const p of partials) {
    if (!verifyPartial(group.publicShares[p.index - 1]!, message, p.signature)) {
      throw groupError(
        GroupErrorCode.badPartial,
        `participant ${p.index}'s partial signature does not verify under its public share (tampered, or for another message or group)`,
      );
    }
  }
  const signature = combinePartials(partials, group.threshold);
  if (!nobleBls.verify(group.groupKey, message, signature)) {
    throw groupError(
      GroupErrorCode.inconsistentGroup,
      'valid partials combine to a signature the group key refuses: the public shares do not belong to that key',
    );
  }
  return signature;
}
