/**
 * The backends' public-key cache (src/crypto/lruCache.ts) under eviction churn: results stay
 * correct while keys are evicted and re-validated.
 */
import { describe, expect, it } from 'vitest';
import { createBlstBls } from '../../../src/crypto/blst.js';
import { BlsErrorCode } from '../../../src/crypto/interface.js';
import { LruCache } from '../../../src/crypto/lruCache.js';
import { createNobleBls } from '../../../src/crypto/noble.js';
import { G1_OFF_CURVE, expectCode, testKey, utf8 } from '../../helpers/bls.js';

// ---------------------------------------------------------------- LRU eviction

describe.each([
  ['blst', createBlstBls({ publicKeyCacheSize: 2 })],
  ['noble', createNobleBls({ publicKeyCacheSize: 2 })],
] as const)('%s: tiny public-key cache under eviction churn', (_name, bls) => {
  it('results stay correct while keys are evicted and re-validated', () => {
    const keys = [0, 1, 2].map((i) => testKey(10 + i));
    const pks = keys.map((k) => bls.secretKeyToPublicKey(k));
    const msg = utf8('churn');
    const sigs = keys.map((k) => bls.sign(k, msg));
    // Round-robin over 3 keys with room for 2: every lookup after warm-up follows an eviction.
    for (const round of [0, 1]) {
      for (let i = 0; i < 3; i++) {
        expect(bls.verify(pks[i]!, msg, sigs[i]!), `round ${round} key ${i}`).toBe(true);
        expect(bls.verify(pks[i]!, msg, sigs[(i + 1) % 3]!)).toBe(false);
      }
    }
    expectCode(() => bls.validatePublicKey(G1_OFF_CURVE), BlsErrorCode.invalidPublicKey);
  });
});

// ---------------------------------------------------------------- the bound itself

describe('LruCache', () => {
  it('holds at most its capacity, evicting the least recently used first', () => {
    const cache = new LruCache<number>(3);
    for (let i = 0; i < 3; i++) cache.set(`k${i}`, i);
    expect(cache.get('k0')).toBe(0); // now the most recently used
    for (let i = 3; i < 1000; i++) cache.set(`k${i}`, i);
    const held = Array.from({ length: 1000 }, (_, i) => `k${i}`).filter((k) => cache.get(k) !== undefined);
    expect(held).toEqual(['k997', 'k998', 'k999']);
  });
});
