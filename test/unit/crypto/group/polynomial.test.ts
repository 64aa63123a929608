/**
 * Shamir sharing, Feldman commitments and Lagrange coefficients (src/crypto/group/polynomial.ts).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { GroupErrorCode } from '../../../../src/crypto/group/interface.js';
import {
  Fr,
  commitPolynomial,
  evaluatePolynomial,
  lagrangeCoefficientsAtZero,
  parseCommitments,
  publicShareOf,
  randomPolynomial,
  shareMatchesCommitments,
} from '../../../../src/crypto/group/polynomial.js';
import { expectGroupError, seededRandom } from '../../../helpers/group.js';

describe('polynomials over Fr', () => {
  const secret = 123456789n;
  const poly = randomPolynomial(secret, 4, seededRandom('poly'));
  const commitments = commitPolynomial(poly);
  const points = parseCommitments(commitments);

  it('has degree t - 1 and the secret as constant term; C_0 is the secret times G1', () => {
    expect(poly).toHaveLength(4);
    expect(evaluatePolynomial(poly, 0)).toBe(secret);
    expect(commitments[0]).toEqual(bls12_381.G1.Point.BASE.multiply(secret).toBytes(true));
    // By hand for x = 2: s + 2 a1 + 4 a2 + 8 a3.
    const byHand = Fr.create(secret + 2n * poly[1]! + 4n * poly[2]! + 8n * poly[3]!);
    expect(evaluatePolynomial(poly, 2)).toBe(byHand);
  });

  it('any t shares interpolate the secret at 0; t - 1 do not', () => {
    for (const set of [
      [1, 2, 3, 4],
      [7, 3, 10, 5],
      [2, 4, 6, 8, 9],
    ]) {
      const lambdas = lagrangeCoefficientsAtZero(set);
      const at0 = set.reduce((acc, i, k) => Fr.add(acc, Fr.mul(lambdas[k]!, evaluatePolynomial(poly, i))), 0n);
      expect(at0).toBe(secret);
    }
    const three = [1, 2, 3];
    const lambdas = lagrangeCoefficientsAtZero(three);
    const at0 = three.reduce((acc, i, k) => Fr.add(acc, Fr.mul(lambdas[k]!, evaluatePolynomial(poly, i))), 0n);
    expect(at0).not.toBe(secret);
  });

  it('a share checks against the commitments only at its own index; the public share is share * G1', () => {
    const s5 = evaluatePolynomial(poly, 5);
    expect(shareMatchesCommitments(s5, 5, points)).toBe(true);
    expect(shareMatchesCommitments(s5, 6, points)).toBe(false);
    expect(shareMatchesCommitments(Fr.add(s5, 1n), 5, points)).toBe(false);
    expect(shareMatchesCommitments(0n, 5, points)).toBe(false);
    expect(publicShareOf(commitments, 5)).toEqual(bls12_381.G1.Point.BASE.multiply(s5).toBytes(true));
  });

  it('Lagrange refuses duplicates, index 0, indices out of range and an empty set', () => {
    expectGroupError(() => lagrangeCoefficientsAtZero([1, 2, 1]), GroupErrorCode.duplicateIndex, /participant 1/);
    expectGroupError(() => lagrangeCoefficientsAtZero([0, 1]), GroupErrorCode.invalidIndex, /index 0/);
    expectGroupError(() => lagrangeCoefficientsAtZero([1, 4], 3), GroupErrorCode.invalidIndex, /4/);
    expectGroupError(() => lagrangeCoefficientsAtZero([1, 256]), GroupErrorCode.invalidIndex);
    expectGroupError(() => lagrangeCoefficientsAtZero([1.5, 2]), GroupErrorCode.invalidIndex);
    expectGroupError(() => lagrangeCoefficientsAtZero([]), GroupErrorCode.notEnoughPartials);
  });

  it('commitments from outside must be valid non-infinity G1 points', () => {
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    expectGroupError(
      () => parseCommitments([commitments[0]!, infinity]),
      GroupErrorCode.invalidCommitment,
      /1 is the point at infinity/,
    );
    expectGroupError(() => parseCommitments([new Uint8Array(47)]), GroupErrorCode.invalidCommitment, /48 bytes/);
    const offCurve = new Uint8Array(48);
    offCurve[0] = 0x80;
    offCurve[47] = 1;
    expectGroupError(() => parseCommitments([offCurve]), GroupErrorCode.invalidCommitment, /not a valid/);
    expectGroupError(() => parseCommitments([]), GroupErrorCode.invalidCommitment);
  });
});
