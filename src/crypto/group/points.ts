/**
 * Decoding group points from outside (commitments, keys, partial signatures), with the checks
 * of docs/protocol.md 2: exact length, canonical compressed encoding, on the curve, in the
 * prime-order subgroup (noble's `fromBytes` does these) and never the point at infinity, which
 * no honest participant produces. Each failure is a GROUP_* error that names the culprit.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, isCanonicalInfinity } from '../interface.js';
import { groupError } from './interface.js';
import type { GroupErrorCode } from './interface.js';

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;

function decode<P>(
  bytes: unknown,
  length: number,
  fromBytes: (b: Uint8Array) => P,
  code: GroupErrorCode,
  what: string,
): P {
  const fail = (why: string, cause?: unknown) => groupError(code, `${what} ${why}`, 'crypto', cause);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw fail(`must be ${length} bytes`);
  if (isCanonicalInfinity(bytes)) throw fail('is the point at infinity');
  try {
    return fromBytes(bytes);
  } catch (err) {
    throw fail(`is not a valid compressed ${length === PUBLIC_KEY_LENGTH ? 'G1' : 'G2'} point in the subgroup`, err);
  }
}

/** A 48-byte compressed G1 point; `what` names it in the error ("participant 3's commitment 1"). */
export function decodeG1(bytes: unknown, code: GroupErrorCode, what: string): G1Point {
  return decode(bytes, PUBLIC_KEY_LENGTH, (b) => G1.fromBytes(b), code, what);
}

/** A 96-byte compressed G2 point (a signature). */
export function decodeG2(bytes: unknown, code: GroupErrorCode, what: string): G2Point {
  return decode(bytes, SIGNATURE_LENGTH, (b) => G2.fromBytes(b), code, what);
}
