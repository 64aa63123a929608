/**
 * searchNonces (src/miner/hasher.ts): the nonce search each worker runs.
 */
import { describe, expect, it } from 'vitest';
import { NonceSearcher, searchNonces } from '../../../src/miner/hasher.js';
import { solveBlock } from '../../../src/miner/solve.js';
import { withNonce } from '../../../src/protocol/assemble.js';
import { encodeHeader } from '../../../src/protocol/block.js';
import type { Block, BlockHeader } from '../../../src/protocol/block.js';
import { bytesToBigInt } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { sha256d } from '../../../src/protocol/hash.js';
import { decodeCompact, encodeCompact } from '../../../src/protocol/pow.js';
import { regtest } from '../../../src/protocol/networks.js';
import { REGTEST_BITS, header } from '../../helpers/miner.js';

/** About one nonce in 2^16 succeeds. */
const BITS_1_IN_65536 = encodeCompact((1n << 256n) / 65536n);

/** The plain way: encode the header with each nonce and sha256d it. */
function referenceSearch(h: BlockHeader, target: bigint, start: number, count: number): number | undefined {
  for (let nonce = start; nonce < start + count; nonce++) {
    if (bytesToBigInt(sha256d(encodeHeader({ ...h, nonce }))) <= target) return nonce;
  }
  return undefined;
}

describe('searchNonces', () => {
  it('finds the nonce solveBlock finds on regtest headers', () => {
    const genesis = genesisBlock(regtest);
    const blocks: Block[] = [
      genesis,
      ...[1, 2, 3, 4, 5].map((i): Block => ({ ...genesis, header: header(i, REGTEST_BITS) })),
    ];
    for (const block of blocks) {
      const solved = solveBlock(withNonce(block, 0), 1000);
      expect(solved).toBeDefined();
      const r = searchNonces(encodeHeader(block.header), decodeCompact(block.header.bits), 0, 1000);
      expect(r.nonce).toBe(solved!.header.nonce);
      expect(r.tried).toBe(solved!.header.nonce + 1);
    }
  });

  it('agrees with a plain sha256d loop at about 1 in 65536, from any start', () => {
    const target = decodeCompact(BITS_1_IN_65536);
    for (const i of [10, 11]) {
      const h = header(i, BITS_1_IN_65536);
      const bytes = encodeHeader(h);
      const want = referenceSearch(h, target, 0, 1 << 20);
      expect(want).toBeDefined();
      expect(searchNonces(bytes, target, 0, 1 << 20)).toEqual({ nonce: want, tried: want! + 1 });
      // Past the first solution, the next one; and a range that stops just before it has none.
      const next = referenceSearch(h, target, want! + 1, 1 << 20);
      expect(searchNonces(bytes, target, want! + 1, 1 << 20).nonce).toBe(next);
      expect(searchNonces(bytes, target, want! + 1, next! - want! - 1)).toEqual({
        nonce: undefined,
        tried: next! - want! - 1,
      });
    }
  });

  it('compares hash and target as big-endian numbers, equality included', () => {
    const h = header(20, REGTEST_BITS);
    const bytes = encodeHeader(h);
    const searcher = new NonceSearcher(bytes, 1n);
    for (const nonce of [0, 7, 0xffff_ffff]) {
      const hash = sha256d(encodeHeader({ ...h, nonce }));
      expect(searcher.hashOf(nonce)).toEqual(hash);
      const value = bytesToBigInt(hash);
      expect(searchNonces(bytes, value, nonce, 1).nonce).toBe(nonce);
      expect(searchNonces(bytes, value - 1n, nonce, 1).nonce).toBeUndefined();
      // Same top word, smaller below: still a miss; a target with only the low words larger: a hit.
      expect(searchNonces(bytes, value - (1n << 200n), nonce, 1).nonce).toBeUndefined();
      expect(searchNonces(bytes, value + 1n, nonce, 1).nonce).toBe(nonce);
    }
  });

  it('returns undefined over a range without a solution', () => {
    const bytes = encodeHeader(header(30, REGTEST_BITS));
    expect(searchNonces(bytes, 1n, 0, 5000)).toEqual({ nonce: undefined, tried: 5000 });
    expect(searchNonces(bytes, 1n, 2 ** 32 - 100, 100)).toEqual({ nonce: undefined, tried: 100 });
    expect(searchNonces(bytes, 1n, 123, 0)).toEqual({ nonce: undefined, tried: 0 });
  });

  it('refuses bad arguments', () => {
    const bytes = encodeHeader(header(31, REGTEST_BITS));
    expect(() => searchNonces(bytes.subarray(1), 1n, 0, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, -1n, 0, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, 2 ** 32 - 1, 2)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, -1, 1)).toThrow(RangeError);
    expect(() => searchNonces(bytes, 1n, 0.5, 1)).toThrow(RangeError);
  });
});
