/**
 * The verification work of the BLS service (src/chain/bls/maybeBatch.ts), on this thread:
 * every kind of bad key or signature gets its own code and never spoils the batch, random
 * mixes get the verdict each set gets alone, and bisection names exactly the bad sets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRANSFER_VERDICTS, verifyTransferSets } from '../../../../src/chain/bls/maybeBatch.js';
import { SET_KINDS, codeOf, expectedCode, setOf, validSet } from './sets.js';

const codes = (indices: Uint8Array): string[] => Array.from(indices, (i) => codeOf(TRANSFER_VERDICTS[i]!));

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

  it('names exactly the sets that do not verify, wherever they are (bisection)', () => {
    fc.assert(
      fc.property(
        // Mostly valid batches (the case bisection is for), now and then all bad.
        fc.array(fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), {
          minLength: 1,
          maxLength: 40,
        }),
        (bad) => {
          const sets = bad.map((b) => setOf(b ? 'signature by another key' : 'valid'));
          const verdicts = codes(verifyTransferSets(sets));
          expect(verdicts).toEqual(bad.map((b) => (b ? 'TX_BAD_SIGNATURE' : 'ok')));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('names every set of a batch in which all are forged', () => {
    const sets = Array.from({ length: 9 }, () => setOf('signature of another message'));
    expect(codes(verifyTransferSets(sets))).toEqual(sets.map(() => 'TX_BAD_SIGNATURE'));
  });

  it('answers an empty batch with no verdicts', () => {
    expect(verifyTransferSets([])).toEqual(new Uint8Array(0));
  });
});
