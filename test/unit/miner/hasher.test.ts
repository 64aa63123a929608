/**
 * The nonce search each miner thread runs (src/miner/hasher.ts), with both backends: hashtree
 * (native, batched) and noble (pure JS). Every answer is checked against the protocol's own
 * blockHash of the header with that nonce.
 */
import { describe, expect, it } from 'vitest';
import { BATCH, NonceSearcher, loadPowHasher, searchNonces } from '../../../src/miner/hasher.js';
import type { PowHasher } from '../../../src/miner/hasher.js';
import { solveBlock } from '../../../src/miner/solve.js';
import { withNonce } from '../../../src/protocol/assemble.js';
import { blockHash, encodeHeader } from '../../../src/protocol/block.js';
import type { Block, BlockHeader } from '../../../src/protocol/block.js';
import { bytesToBigInt } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { decodeCompact, encodeCompact } from '../../../src/protocol/pow.js';
import { regtest } from '../../../src/protocol/networks.js';
import { REGTEST_BITS, header } from '../../helpers/miner.js';

/** About one nonce in 2^12 succeeds. */
const BITS_1_IN_4096 = encodeCompact((1n << 256n) / 4096n);

/** The plain way: the protocol's blockHash of the header with each nonce. */
function referenceSearch(h: BlockHeader, target: bigint, start: bigint, count: number): bigint | undefined {
  for (let nonce = start; nonce < start + BigInt(count); nonce++) {
    if (bytesToBigInt(blockHash({ ...h, nonce })) <= target) return nonce;
  }
  return undefined;
}

const hashtree = loadPowHasher();
const noble = loadPowHasher('noble');

describe('loadPowHasher', () => {
  it('loads the native hashtree backend here, and noble when asked', () => {
    // The CI machine is linux-x64, for which @chainsafe/hashtree ships a prebuilt binary.
    expect(hashtree.name).toBe('hashtree');
    expect(noble.name).toBe('noble');
  });
});

describe.each<[string, PowHasher]>([
  ['hashtree', hashtree],
  ['noble', noble],
])('NonceSearcher with %s', (_name, hasher) => {
  it('finds the nonce solveBlock finds on regtest headers', () => {
    const genesis = genesisBlock(regtest);
    const blocks: Block[] = [
      genesis,
      ...[1, 2, 3, 4, 5].map((i): Block => ({ ...genesis, header: header(i, REGTEST_BITS) })),
    ];
    for (const block of blocks) {
      const solved = solveBlock(withNonce(block, 0n), 1000);
      expect(solved).toBeDefined();
      const r = searchNonces(encodeHeader(block.header), decodeCompact(block.header.bits), 0n, 1000, hasher);
      expect(r.nonce).toBe(solved!.header.nonce);
      expect(r.tried).toBe(Number(solved!.header.nonce) + 1);
    }
  });

  it('agrees with blockHash at about 1 in 4096, from any start, across batches', () => {
    const target = decodeCompact(BITS_1_IN_4096);
    for (const i of [10, 11]) {
      const h = header(i, BITS_1_IN_4096);
      const bytes = encodeHeader(h);
      // Starts inside a batch and across the 2^32 boundary of the nonce's low word.
      for (const start of [0n, 5n, 2n ** 32n - 3000n]) {
        const want = referenceSearch(h, target, start, 1 << 16);
        expect(want).toBeDefined();
        expect(searchNonces(bytes, target, start, 1 << 16, hasher)).toEqual({
          nonce: want,
          tried: Number(want! - start) + 1,
        });
        // Past the first solution, the next one; and a range that stops just before it has none.
        const next = referenceSearch(h, target, want! + 1n, 1 << 16)!;
        expect(searchNonces(bytes, target, want! + 1n, 1 << 16, hasher).nonce).toBe(next);
        const gap = Number(next - want!) - 1;
        expect(searchNonces(bytes, target, want! + 1n, gap, hasher)).toEqual({ nonce: undefined, tried: gap });
      }
    }
  });

  it('compares hash and target as big-endian numbers, equality included', () => {
    const h = header(20, REGTEST_BITS);
    const bytes = encodeHeader(h);
    const searcher = new NonceSearcher(bytes, 1n, hasher);
    for (const nonce of [0n, 7n, 0xffff_ffffn, 2n ** 64n - 1n]) {
      const hash = blockHash({ ...h, nonce });
      expect(searcher.hashOf(nonce)).toEqual(hash);
      const value = bytesToBigInt(hash);
      expect(searchNonces(bytes, value, nonce, 1, hasher).nonce).toBe(nonce);
      expect(searchNonces(bytes, value - 1n, nonce, 1, hasher).nonce).toBeUndefined();
      // Same top word, smaller below: still a miss; a target with only the low words larger: a hit.
      expect(searchNonces(bytes, value - (1n << 200n), nonce, 1, hasher).nonce).toBeUndefined();
      expect(searchNonces(bytes, value + 1n, nonce, 1, hasher).nonce).toBe(nonce);
    }
  });

  it('returns undefined over a range without a solution, up to the last nonce', () => {
    const bytes = encodeHeader(header(30, REGTEST_BITS));
    expect(searchNonces(bytes, 1n, 0n, 3 * BATCH + 5, hasher)).toEqual({ nonce: undefined, tried: 3 * BATCH + 5 });
    expect(searchNonces(bytes, 1n, 2n ** 64n - 100n, 100, hasher)).toEqual({ nonce: undefined, tried: 100 });
    expect(searchNonces(bytes, 1n, 123n, 0, hasher)).toEqual({ nonce: undefined, tried: 0 });
  });
});

describe('searchNonces', () => {
  it('refuses bad arguments', () => {
    const bytes = encodeHeader(header(31, REGTEST_BITS));
    expect(() => searchNonces(bytes.subarray(1), 1n, 0n, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, -1n, 0n, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, 2n ** 64n - 1n, 2)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, -1n, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, 0n, 0.5)).toThrow(RangeError);
  });
});
