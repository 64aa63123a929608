/**
 * Shamir secret sharing over Fr with Feldman commitments, and Lagrange coefficients at 0.
 *
 * - Shamir (1979), "How to share a secret": a secret s is the constant term of a random
 *   polynomial f(x) = s + a_1 x + ... + a_{t-1} x^{t-1} over Fr (the BLS12-381 scalar field);
 *   participant i holds f(i). Any t shares determine f, and so s; t - 1 shares say nothing.
 * - Feldman (1987), "A practical scheme for non-interactive verifiable secret sharing": the
 *   dealer publishes C_k = a_k * G1 (C_0 = s * G1, the group key). Participant i checks its
 *   share with f(i) * G1 == sum_k C_k * i^k, and anyone computes i's public share f(i) * G1
 *   from the commitments alone.
 * - Lagrange interpolation at 0: f(0) = sum_{i in S} lambda_i f(i) with
 *   lambda_i = prod_{j in S, j != i} j / (j - i), for any set S of at least t indices. The
 *   same coefficients combine partial signatures "in the exponent" (./threshold.ts).
 *
 * All field arithmetic is noble's Fr, all point arithmetic noble's G1 points; nothing here
 * is hand-rolled. Coefficients are drawn from an injected `RandomSource` so tests can fix them.
 * Browser-safe: no `node:` imports.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { SECRET_KEY_LENGTH } from '../interface.js';
import { GroupErrorCode, MAX_PARTICIPANTS, groupError } from './interface.js';
import type { RandomSource } from './interface.js';
import { G1, decodeG1 } from './points.js';
import type { G1Point } from './points.js';

export const Fr = bls12_381.fields.Fr;

/** The platform CSPRNG (crypto.getRandomValues), the default everywhere a source is optional. */
export const systemRandom: RandomSource = (length) => randomBytes(length);

/**
 * A uniform nonzero scalar: 48 random bytes reduced into [1, r - 1] by noble's
 * `mapHashToField` (FIPS 186-5 A.4.1 style), so the bias is below 2^-128. Nonzero so that no
 * commitment is the point at infinity, which `parseCommitments` refuses from others.
 */
export function randomScalar(random: RandomSource = systemRandom): bigint {
  return bytesToNumberBE(mapHashToField(random(48), Fr.ORDER));
}

export function scalarToBytes(scalar: bigint): Uint8Array {
  return numberToBytesBE(scalar, SECRET_KEY_LENGTH);
}

/** Coefficients [secret, a_1, ..., a_{t-1}] of a random polynomial of degree t - 1. */
export function randomPolynomial(secret: bigint, threshold: number, random: RandomSource = systemRandom): bigint[] {
  checkThreshold(threshold, MAX_PARTICIPANTS);
  return [Fr.create(secret), ...Array.from({ length: threshold - 1 }, () => randomScalar(random))];
}

/** f(x) by Horner's rule in Fr. */
export function evaluatePolynomial(coefficients: readonly bigint[], x: number): bigint {
  const X = BigInt(x);
  let acc = Fr.ZERO;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = Fr.add(Fr.mul(acc, X), coefficients[k]!);
  return acc;
}

/** Feldman commitments C_k = a_k * G1, compressed (48 bytes each); C_0 is the public key of the secret. */
export function commitPolynomial(coefficients: readonly bigint[]): Uint8Array[] {
  return coefficients.map((a) => G1.BASE.multiply(a).toBytes(true));
}

/** Commitments from outside: 48-byte compressed G1 points in the subgroup, none at infinity. */
export function parseCommitments(commitments: readonly Uint8Array[], what = 'commitment'): G1Point[] {
  if (commitments.length === 0) throw groupError(GroupErrorCode.invalidCommitment, `no ${what}s`);
  return commitments.map((bytes, k) => decodeG1(bytes, GroupErrorCode.invalidCommitment, `${what} ${k}`));
}

/** sum_k C_k * i^k = f(i) * G1: participant i's public share, from the commitments alone. */
export function commitmentsAt(commitments: readonly G1Point[], index: number): G1Point {
  checkIndex(index);
  const x = BigInt(index);
  let power = Fr.ONE; // i^k, in Fr
  let sum = G1.ZERO;
  for (const C of commitments) {
    // Public values with a small scalar: the variable-time multiply is safe and much faster.
    sum = sum.add(C.multiplyUnsafe(power));
    power = Fr.mul(power, x);
  }
  return sum;
}

/** Participant i's public share f(i) * G1, compressed. */
export function publicShareOf(commitments: readonly Uint8Array[], index: number): Uint8Array {
  return commitmentsAt(parseCommitments(commitments), index).toBytes(true);
}

/** Whether `share` is f(index) for the polynomial the commitments commit to: share * G1 == sum C_k i^k. */
export function shareMatchesCommitments(share: bigint, index: number, commitments: readonly G1Point[]): boolean {
  if (share <= 0n || share >= Fr.ORDER) return false;
  // share is secret: the constant-time multiply.
  return G1.BASE.multiply(share).equals(commitmentsAt(commitments, index));
}

/** A 32-byte share as a scalar, 0 < s < r (the range a BLS secret key must have). */
export function shareScalar(secretKey: Uint8Array): bigint | undefined {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) return undefined;
  const s = bytesToNumberBE(secretKey);
  return s > 0n && s < Fr.ORDER ? s : undefined;
}

/**
 * lambda_i = prod_{j in S, j != i} j / (j - i) in Fr, for each i of `indices` (same order).
 * Refuses an empty set, index 0 (it is the secret), indices above `maxIndex` and duplicates
 * (a repeated x makes the denominators zero).
 */
export function lagrangeCoefficientsAtZero(indices: readonly number[], maxIndex = MAX_PARTICIPANTS): bigint[] {
  if (indices.length === 0) throw groupError(GroupErrorCode.notEnoughPartials, 'no indices to interpolate', 'input');
  const seen = new Set<number>();
  for (const i of indices) {
    checkIndex(i, maxIndex);
    if (seen.has(i)) throw groupError(GroupErrorCode.duplicateIndex, `participant ${i} appears twice`, 'input');
    seen.add(i);
  }
  return indices.map((i) => {
    let num = Fr.ONE;
    let den = Fr.ONE;
    for (const j of indices) {
      if (j === i) continue;
      num = Fr.mul(num, BigInt(j));
      den = Fr.mul(den, Fr.sub(BigInt(j), BigInt(i)));
    }
    return Fr.div(num, den);
  });
}

/** 1 <= index <= maxIndex, an integer. */
export function checkIndex(index: number, maxIndex = MAX_PARTICIPANTS): void {
  if (!Number.isSafeInteger(index) || index < 1 || index > maxIndex) {
    const why = index === 0 ? 'index 0 is the secret itself, not a participant' : `must be in 1..${maxIndex}`;
    throw groupError(GroupErrorCode.invalidIndex, `participant index ${String(index)}: ${why}`, 'input');
  }
}

/** 1 <= threshold <= participants <= MAX_PARTICIPANTS. */
export function checkThreshold(threshold: number, participants: number): void {
  const ok =
    Number.isSafeInteger(threshold) &&
    Number.isSafeInteger(participants) &&
    threshold >= 1 &&
    threshold <= participants &&
    participants <= MAX_PARTICIPANTS;
  if (!ok) {
    throw groupError(
      GroupErrorCode.invalidThreshold,
      `threshold ${String(threshold)} of ${String(participants)}: need 1 <= t <= n <= ${MAX_PARTICIPANTS}`,
      'input',
    );
  }
}
