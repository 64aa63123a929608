/**
 * ParallelMiner (src/miner/parallelMiner.ts): worker threads that search nonces.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { ParallelMiner } from '../../../src/miner/parallelMiner.js';
import { blockHash, decodeHeader, encodeHeader } from '../../../src/protocol/block.js';
import { decodeCompact, hashMeetsTarget } from '../../../src/protocol/pow.js';
import { REGTEST_BITS, header } from '../../helpers/miner.js';

function meets(headerBytes: Uint8Array, nonce: bigint, target: bigint): boolean {
  return hashMeetsTarget(blockHash({ ...decodeHeader(headerBytes), nonce }), target);
}

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
  const nextFound = (m: ParallelMiner): Promise<[number, bigint]> =>
    within(30_000, 'found', (done) => m.once('found', (jobId, nonce) => done([jobId, nonce])));
  /** The next `exhausted` event's jobId. */
  const nextExhausted = (m: ParallelMiner): Promise<number> =>
    within(30_000, 'exhausted', (done) => m.once('exhausted', done));
  const minerPorts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

  it('defaults to one thread per core less one', async () => {
    const m = make({});
    expect(m.threads).toBe(Math.max(1, availableParallelism() - 1));
    expect(m.nonceSpace).toBe(2n ** 64n);
    expect(m.hasher).toBe('hashtree');
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
    const m = make({ threads: 2, nonceSpace: 50_000n });
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
    expect(() => make({ nonceSpace: 2n ** 64n + 1n })).toThrow(RangeError);
    await m.close();
  });
});
