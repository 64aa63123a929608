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

/** Big-endian bytes of a field element, `length` long. */
function fieldBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * Compressed G2 encoding (flag 0x80; x.c1 then x.c0) of the first x = 1 + k*u (k >= 1) whose
 * y^2 = x^3 + 4(1 + u) has (not) a solution: on the curve such a point is outside the
 * prime-order subgroup (the cofactor is huge), off it there is no point at all.
 */
export function g2CompressedWithX(onCurve: boolean): Uint8Array {
  const Fp2 = bls12_381.fields.Fp2;
  const b = Fp2.fromBigTuple([4n, 4n]);
  for (let k = 1n; ; k++) {
    const x = Fp2.fromBigTuple([1n, k]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let isSquare = true;
    try {
      Fp2.sqrt(rhs);
    } catch {
      isSquare = false;
    }
    if (isSquare === onCurve) {
      const out = new Uint8Array(2 * PUBLIC_KEY_LENGTH);
      out.set(fieldBytes(x.c1, PUBLIC_KEY_LENGTH), 0);
      out.set(fieldBytes(x.c0, PUBLIC_KEY_LENGTH), PUBLIC_KEY_LENGTH);
      out[0]! |= 0x80;
      return out;
    }
  }
}

/** A compressed G2 encoding whose x.c1 is the field modulus p itself: not a canonical field element. */
export function g2NonCanonical(): Uint8Array {
  const out = new Uint8Array(2 * PUBLIC_KEY_LENGTH);
  out.set(fieldBytes(bls12_381.fields.Fp.ORDER, PUBLIC_KEY_LENGTH), 0);
  out[PUBLIC_KEY_LENGTH * 2 - 1] = 1;
  out[0]! |= 0x80;
  return out;
}
