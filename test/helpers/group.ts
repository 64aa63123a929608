/**
 * Deterministic randomness and shared checks for the group-key tests in test/unit/crypto/group/.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RandomSource } from '../../src/crypto/group/interface.js';
import { isOurCoinError } from '../../src/errors.js';
import { attempt, utf8 } from './bls.js';

/** sha256(seed "/" counter) blocks, concatenated: a fixed stream per seed (docs/multisig.md, vectors). */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = sha256(utf8(`${seed}/${counter++}`));
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** `fn` throws an OurCoinError with this code and a message matching `message`. */
export function expectGroupError(fn: () => unknown, code: string, message?: RegExp): void {
  const r = attempt(fn);
  expect(r.threw, `expected ${code}`).toBe(true);
  expect(isOurCoinError(r.error) ? r.error.code : r.error).toBe(code);
  if (message !== undefined && isOurCoinError(r.error)) expect(r.error.message).toMatch(message);
}

/** n <= 10, then t <= n, then a random t-subset of 1..n in random order, and a seed. */
export const groupAndSigners = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.integer({ min: 1, max: n }).chain((t) =>
    fc.record({
      n: fc.constant(n),
      t: fc.constant(t),
      signers: fc.shuffledSubarray(
        Array.from({ length: n }, (_, k) => k + 1),
        { minLength: t, maxLength: t },
      ),
      seed: fc.nat(),
    }),
  ),
);
