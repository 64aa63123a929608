/**
 * The miner's hasher (midstate sha256d over nonce ranges) against the simple solver and a
 * plain sha256d loop, and the ParallelMiner's job handling on real worker threads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { NonceSearcher, searchNonces } from '../src/miner/hasher.js';
import { ParallelMiner } from '../src/miner/parallelMiner.js';
import { solveBlock } from '../src/miner/solve.js';
import { withNonce } from '../src/protocol/assemble.js';
import { blockHash, decodeHeader, encodeHeader } from '../src/protocol/block.js';
import type { Block, BlockHeader } from '../src/protocol/block.js';
import { bytesToBigInt } from '../src/protocol/bytes.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { sha256d } from '../src/protocol/hash.js';
import { decodeCompact, encodeCompact, hashMeetsTarget } from '../src/protocol/pow.js';
import { regtest } from '../src/protocol/networks.js';

const REGTEST_BITS = 0x207fffff;
/** About one nonce in 2^16 succeeds. */
const BITS_1_IN_65536 = encodeCompact((1n << 256n) / 65536n);

function header(i: number, bits: number): BlockHeader {
  const fill = (b: number): Uint8Array => new Uint8Array(32).map((_, k) => (b * 31 + k * 7 + i) & 0xff);
  return {
    version: 1,
    height: i,
    prevHash: fill(1),
    txRoot: fill(2),
    signatureHash: fill(3),
    timestamp: 1_700_000_000 + i,
    bits,
    nonce: 0,
  };
}

/** The plain way: encode the header with each nonce and sha256d it. */
function referenceSearch(h: BlockHeader, target: bigint, start: number, count: number): number | undefined {
  for (let nonce = start; nonce < start + count; nonce++) {
    if (bytesToBigInt(sha256d(encodeHeader({ ...h, nonce }))) <= target) return nonce;
  }
  return undefined;
}

function meets(headerBytes: Uint8Array, nonce: number, target: bigint): boolean {
  return hashMeetsTarget(blockHash({ ...decodeHeader(headerBytes), nonce }), target);
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

describe('ParallelMiner', () => {
  const miners: ParallelMiner[] = [];
  const make = (opts: ConstructorParameters<typeof ParallelMiner>[0]): ParallelMiner => {
    const m = new ParallelMiner(opts);
    miners.push(m);
    return m;
  };
  afterEach(async () => {
    await Promise.all(miners.splice(0).map((m) => m.close()));
  });

  function within<T>(ms: number, what: string, start: (resolve: (v: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      start((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }
  /** The next `found` event: [jobId, nonce]. */
  const nextFound = (m: ParallelMiner): Promise<[number, number]> =>
    within(30_000, 'found', (done) => m.once('found', (jobId, nonce) => done([jobId, nonce])));
  /** The next `exhausted` event's jobId. */
  const nextExhausted = (m: ParallelMiner): Promise<number> =>
    within(30_000, 'exhausted', (done) => m.once('exhausted', done));
  const minerPorts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

  it('defaults to one thread per core less one', async () => {
    const m = make({});
    expect(m.threads).toBe(Math.max(1, availableParallelism() - 1));
    expect(m.nonceSpace).toBe(2 ** 32);
    expect(m.hashRate()).toBe(0);
    await m.close();
  });

  it('finds a valid nonce with 2 threads', async () => {
    const m = make({ threads: 2 });
    const bytes = encodeHeader(header(40, REGTEST_BITS));
    const target = 1n << 238n; // about one nonce in 2^18
    const found = nextFound(m);
    m.mine({ jobId: 7, header: bytes, target });
    expect(m.currentJobId).toBe(7);
    const [jobId, nonce] = await found;
    expect(jobId).toBe(7);
    expect(meets(bytes, nonce, target)).toBe(true);
    expect(m.currentJobId).toBeUndefined();
  });

  it('a new job replaces the old one, and results of the old one are dropped', async () => {
    const m = make({ threads: 2 });
    const seen: number[] = [];
    m.on('found', (jobId) => seen.push(jobId));

    // Job 1 cannot succeed; job 2 replaces it while it runs.
    m.mine({ jobId: 1, header: encodeHeader(header(50, REGTEST_BITS)), target: 1n });
    await new Promise((r) => setTimeout(r, 300));
    const bytes2 = encodeHeader(header(51, REGTEST_BITS));
    const found2 = nextFound(m);
    m.mine({ jobId: 2, header: bytes2, target: 1n << 244n });
    const [job2, nonce2] = await found2;
    expect(job2).toBe(2);
    expect(meets(bytes2, nonce2, 1n << 244n)).toBe(true);

    // Job 3 succeeds at once in every thread (regtest target), but job 4 is already posted:
    // the found messages of job 3 arrive after it was replaced and must be ignored.
    const bytes4 = encodeHeader(header(53, REGTEST_BITS));
    const target4 = 1n << 242n;
    const found4 = nextFound(m);
    m.mine({ jobId: 3, header: encodeHeader(header(52, REGTEST_BITS)), target: decodeCompact(REGTEST_BITS) });
    m.mine({ jobId: 4, header: bytes4, target: target4 });
    const [job4, nonce4] = await found4;
    expect(job4).toBe(4);
    expect(meets(bytes4, nonce4, target4)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([2, 4]);
  });

  it('reports exhausted when no thread finds anything, then mines the next job', async () => {
    const m = make({ threads: 2, nonceSpace: 50_000 });
    let found = 0;
    m.on('found', () => found++);
    const exhausted = nextExhausted(m);
    m.mine({ jobId: 9, header: encodeHeader(header(60, REGTEST_BITS)), target: 1n });
    expect(await exhausted).toBe(9);
    expect(found).toBe(0);
    expect(m.currentJobId).toBeUndefined();
    // Every hash was counted.
    await new Promise((r) => setTimeout(r, 50));
    expect(m.hashRate()).toBeGreaterThan(0);

    const bytes = encodeHeader(header(61, REGTEST_BITS));
    const again = nextFound(m);
    m.mine({ jobId: 10, header: bytes, target: decodeCompact(REGTEST_BITS) });
    const [jobId, nonce] = await again;
    expect(jobId).toBe(10);
    expect(nonce).toBeLessThan(50_000);
    expect(meets(bytes, nonce, decodeCompact(REGTEST_BITS))).toBe(true);
  });

  it('reports a hash rate while mining, keeps the process alive only while mining, and closes', async () => {
    const m = make({ threads: 2 });
    expect(minerPorts()).toBe(0); // idle threads do not hold the process
    m.mine({ jobId: 1, header: encodeHeader(header(70, REGTEST_BITS)), target: 1n });
    expect(minerPorts()).toBe(2);
    const deadline = Date.now() + 20_000;
    while (m.hashRate() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(m.hashRate()).toBeGreaterThan(0);
    m.stop();
    expect(m.currentJobId).toBeUndefined();
    expect(minerPorts()).toBe(0);

    m.mine({ jobId: 2, header: encodeHeader(header(71, REGTEST_BITS)), target: 1n });
    expect(minerPorts()).toBe(2);
    await m.close(); // while mining
    expect(minerPorts()).toBe(0);
    await m.close(); // idempotent
    expect(() => m.mine({ jobId: 3, header: encodeHeader(header(72, REGTEST_BITS)), target: 1n })).toThrow(/closed/);
  });

  it('refuses a bad job', async () => {
    const m = make({ threads: 1 });
    expect(() => m.mine({ jobId: 1, header: new Uint8Array(80), target: 1n })).toThrow(RangeError);
    expect(() => m.mine({ jobId: 1, header: encodeHeader(header(80, REGTEST_BITS)), target: 0n })).toThrow(RangeError);
    expect(() => make({ threads: 0 })).toThrow(RangeError);
    expect(() => make({ nonceSpace: 2 ** 32 + 1 })).toThrow(RangeError);
    await m.close();
  });
});
