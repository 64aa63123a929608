/**
 * Keys, messages and checks shared by the BLS backend tests in test/unit/crypto/.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { blstBls } from '../../src/crypto/blst.js';
import { PUBLIC_KEY_LENGTH } from '../../src/crypto/interface.js';
import type { Bls } from '../../src/crypto/interface.js';
import { nobleBls } from '../../src/crypto/noble.js';
import { isOurCoinError } from '../../src/errors.js';

/** Per the vectors README, a thrown error counts as false / null; `threw` lets tests check the contract too. */
export function attempt<T>(fn: () => T): { value: T | null; error: unknown; threw: boolean } {
  try {
    return { value: fn(), error: undefined, threw: false };
  } catch (error) {
    return { value: null, error, threw: true };
  }
}

export const backends: readonly Bls[] = [blstBls, nobleBls];

/** Deterministic test key i: sha256 with the top bits cleared, so 0 < sk < r (r starts 0x73). */
export function testKey(i: number): Uint8Array {
  const b = new Uint8Array(createHash('sha256').update(`ourcoin-test-key-${i}`).digest());
  b[0]! &= 0x3f;
  return b;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function expectCode(fn: () => unknown, code: string): void {
  const r = attempt(fn);
  expect(r.threw, `expected ${code}`).toBe(true);
  expect(isOurCoinError(r.error) ? [r.error.code, r.error.kind] : r.error).toEqual([code, 'crypto']);
}

/** Compressed encoding with the compression flag and x = `x` (c0 for G2, c1 = 0). */
export function compressedWithX(length: number, x: number): Uint8Array {
  const b = new Uint8Array(length);
  b[0] = 0x80;
  b[length - 1] = x;
  return b;
}

// Found by search (both backends agree): x^3 + 4 is not a square for x = 1 (off curve) and is
// for x = 4, where the point is on E(Fp) but outside the prime-order subgroup. Likewise on G2
// with x = 1 (off curve) and x = 2 (on the twist, outside the subgroup).
export const G1_OFF_CURVE = compressedWithX(PUBLIC_KEY_LENGTH, 1);
