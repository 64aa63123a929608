/**
 * Checks and keys shared by the encoding tests in test/unit/protocol/ (transactions, blocks,
 * bytes, pow, addresses, amounts): an expectCode that checks the stable error code, byte-layout
 * readers and patching, and three test keys.
 */
import { expect } from 'vitest';
import { toHex } from '../../src/protocol/bytes.js';
import { OurCoinError } from '../../src/errors.js';
import { testKey } from './builder.js';

/** Runs `fn`, expects an OurCoinError with exactly `code`, and returns it. */
export function expectCode(fn: () => unknown, code: string): OurCoinError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected an OurCoinError with code ${code}`).toBeInstanceOf(OurCoinError);
  const err = caught as OurCoinError;
  expect(err.code).toBe(code);
  return err;
}

export const hex = (b: Uint8Array): string => toHex(b);
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const u32be = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset, b.length).getUint32(at, false);

/** A copy of `b` with byte `at` set to `value`. */
export const patched = (b: Uint8Array, at: number, value: number): Uint8Array => {
  const out = b.slice();
  out[at] = value;
  return out;
};

export const alice = testKey(0);
export const bob = testKey(1);
export const carol = testKey(2);
