/**
 * Byte strings of BLS12-381 points that must be refused: G1 encodings off the curve, or on it
 * but outside the prime-order subgroup (shared by the rule, block and transaction tests).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { PUBLIC_KEY_LENGTH } from '../../src/crypto/interface.js';

/** Modular exponentiation, to find a field element that is not a square (an x off the curve). */
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** Compressed G1 encoding (flag 0x80) of the smallest x >= 1 with x^3 + 4 (not) a square mod p. */
export function g1CompressedWithX(onCurve: boolean): Uint8Array {
  const p = bls12_381.fields.Fp.ORDER;
  for (let x = 1n; ; x++) {
    const isSquare = modPow(x ** 3n + 4n, (p - 1n) / 2n, p) === 1n;
    if (isSquare === onCurve) {
      const out = new Uint8Array(PUBLIC_KEY_LENGTH);
      let v = x;
      for (let i = PUBLIC_KEY_LENGTH - 1; v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
      out[0]! |= 0x80;
      return out;
    }
  }
}
