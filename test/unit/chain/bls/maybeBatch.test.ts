/**
 * The verification work of the BLS service (src/chain/bls/maybeBatch.ts), on this thread:
 * every kind of bad key or signature gets its own code and never spoils the batch, random
 * mixes get the verdict each set gets alone, and bisection names exactly the bad sets.
 */
import blst from '@chainsafe/blst';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  TRANSFER_VERDICTS,
  UNFINISHED,
  newPreemptFlag,
  requestPreemption,
  verifyTransferSets,
  verifyTransferSetsWithPoints,
} from '../../../../src/chain/bls/maybeBatch.js';
import { SET_KINDS, codeOf, expectedCode, setOf, validSet } from './sets.js';

const codes = (indices: Uint8Array): string[] => Array.from(indices, (i) => codeOf(TRANSFER_VERDICTS[i]!));

/** Counts the pairing checks blst runs (one set, or a batch of several). */
function countBlstCalls(): () => number {
  const single = vi.spyOn(blst, 'verify');
  const batch = vi.spyOn(blst, 'verifyMultipleAggregateSignatures');
  return () => single.mock.calls.length + batch.mock.calls.length;
}
afterEach(() => {
  vi.restoreAllMocks();
});

describe('verifyTransferSets', () => {
  it.each(SET_KINDS)('gives a set with %s, among valid ones, the code it gets alone', (kind) => {
    const sets = [validSet(), setOf(kind), validSet()];
    const want = sets.map(expectedCode);
    expect(want[1]).toBe(kind === 'valid' ? 'ok' : kind.startsWith('key') ? 'TX_BAD_PUBLIC_KEY' : 'TX_BAD_SIGNATURE');
    expect(codes(verifyTransferSets(sets))).toEqual(want);
  });

  it('gives random mixes of every kind the verdict of each set alone', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SET_KINDS), { minLength: 1, maxLength: 24 }), (kinds) => {
        const sets = kinds.map(setOf);
        expect(codes(verifyTransferSets(sets))).toEqual(sets.map(expectedCode));
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    // Mostly valid batches (the case bisection is for), now and then all bad.
    { density: 'sparse (bisection)', good: 5, bad: 1 },
    // Mostly forged ones, a flood's batches (the one-by-one fallback).
    { density: 'dense (one by one)', good: 1, bad: 3 },
  ])('names exactly the sets that do not verify, wherever they are: $density', ({ good, bad: badWeight }) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: good, arbitrary: fc.constant(false) },
            { weight: badWeight, arbitrary: fc.constant(true) },
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (bad) => {
          const sets = bad.map((b) => setOf(b ? 'signature by another key' : 'valid'));
          const verdicts = codes(verifyTransferSets(sets));
          expect(verdicts).toEqual(bad.map((b) => (b ? 'TX_BAD_SIGNATURE' : 'ok')));
        },
      ),
      { numRuns: 30 },
    );
  });

  it.each([1, 2, 3, 16, 128])('checks an all-bad batch of %i sets with at most n + 3 blst calls', (n) => {
    const sets = Array.from({ length: n }, () => setOf('signature by another key'));
    const calls = countBlstCalls();
    expect(codes(verifyTransferSets(sets))).toEqual(sets.map(() => 'TX_BAD_SIGNATURE'));
    expect(calls()).toBeGreaterThanOrEqual(n);
    expect(calls()).toBeLessThanOrEqual(n + 3);
  });

  it('still isolates one bad set among 128 with about 2 log2(n) blst calls', () => {
    const sets = Array.from({ length: 128 }, (_, i) => (i === 77 ? setOf('signature by another key') : validSet()));
    const calls = countBlstCalls();
    expect(codes(verifyTransferSets(sets))[77]).toBe('TX_BAD_SIGNATURE');
    // The whole batch, then one half per level (7 levels), plus the first level's second half.
    expect(calls()).toBeGreaterThan(7);
    expect(calls()).toBeLessThanOrEqual(2 * 7 + 2);
  });

  it('names every set of a batch in which all are forged', () => {
    const sets = Array.from({ length: 9 }, () => setOf('signature of another message'));
    expect(codes(verifyTransferSets(sets))).toEqual(sets.map(() => 'TX_BAD_SIGNATURE'));
  });

  it('stops at the next step once pre-empted: verdicts for the sets done, the rest unfinished', () => {
    const sets = Array.from({ length: 16 }, (_, i) =>
      setOf(i % 4 === 0 ? 'key at infinity' : 'signature by another key'),
    );
    const flag = newPreemptFlag();
    // The service sets the flag from another thread; here the fifth single check does.
    const verify = blst.verify.bind(blst);
    let singles = 0;
    vi.spyOn(blst, 'verify').mockImplementation((...args) => {
      if (++singles === 5) requestPreemption(flag);
      return verify(...args);
    });
    const { verdicts } = verifyTransferSetsWithPoints(sets, flag);
    expect(singles).toBe(5);
    const want = sets.map(expectedCode);
    const done = Array.from(verdicts).flatMap((v, i) => (v === UNFINISHED ? [] : [i]));
    // The four junk keys (validated first) and the five sets checked one by one.
    expect(done).toHaveLength(4 + 5);
    for (const i of done) expect(codeOf(TRANSFER_VERDICTS[verdicts[i]!]!)).toBe(want[i]);
  });

  it('does nothing once pre-empted before it starts', () => {
    const flag = newPreemptFlag();
    requestPreemption(flag);
    const { verdicts } = verifyTransferSetsWithPoints([validSet(), setOf('key at infinity')], flag);
    expect(Array.from(verdicts)).toEqual([UNFINISHED, UNFINISHED]);
  });

  it('answers an empty batch with no verdicts', () => {
    expect(verifyTransferSets([])).toEqual(new Uint8Array(0));
  });
});
