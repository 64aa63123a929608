/**
 * The BLS verifier on the calling thread (src/chain/bls/singleThread.ts): transfer verdicts
 * with the cache and de-duplication, and the block rule's own verdicts.
 */
import { describe, expect, it } from 'vitest';
import { BlsSingleThreadVerifier } from '../../../../src/chain/bls/singleThread.js';
import { blstBls } from '../../../../src/crypto/blst.js';
import { signatureSetVerdict } from '../../../../src/protocol/rules/signature.js';
import { blockSetCases, codeOf, expectedCode, setOf, validSet } from './sets.js';

describe('BlsSingleThreadVerifier', () => {
  it('verifies each distinct set once and answers copies and repeats from its cache', async () => {
    const verifier = new BlsSingleThreadVerifier();
    const junk = [setOf('key outside the subgroup'), setOf('signature by another key'), validSet()];
    const batch = [...junk, junk[1]!];
    const first = await verifier.verifyTransfers(batch);
    expect(first.map(codeOf)).toEqual(batch.map(expectedCode));
    expect(verifier.stats()).toMatchObject({ jobs: 1, setsVerified: 3, cacheHits: 1, cacheMisses: 3 });
    expect(await verifier.verifyTransfers(batch)).toEqual(first);
    expect(verifier.stats()).toMatchObject({ jobs: 1, setsVerified: 3, cacheHits: 5, cacheMisses: 3 });
  });

  it.each(blockSetCases())('gives the block rule verdict on a $name block', async ({ set, code }) => {
    const verifier = new BlsSingleThreadVerifier();
    const verdict = await verifier.verifyBlock(set);
    expect(codeOf(verdict)).toBe(code);
    expect(verdict).toEqual(signatureSetVerdict(set, blstBls));
  });

  it('refuses work once closed, with a transient error', async () => {
    const verifier = new BlsSingleThreadVerifier();
    await verifier.close();
    await expect(verifier.verifyTransfers([validSet()])).rejects.toMatchObject({
      code: 'WORKER_CLOSED',
      kind: 'transient',
    });
  });
});
