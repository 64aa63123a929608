/**
 * The mining loop driven directly: a real chain and mempool, and a searcher double that
 * records the jobs it is given and reports what a real searcher would (a nonce found, the
 * nonce space exhausted). The nonces it reports are real solutions of the job's header.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import type { MiningJob, PowSearcher } from '../../../src/miner/interface.js';
import { MiningLoop } from '../../../src/miner/miningLoop.js';
import { connectMempoolToChain } from '../../../src/node/wiring.js';
import { blockHash, decodeHeader } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { hashMeetsTarget } from '../../../src/protocol/pow.js';
import { transferTxid } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';
import { TEST_NOW, openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const logger = pino({ level: 'silent' });
const miner = testKey(1);
const alice = testKey(2);

class RecordingSearcher implements PowSearcher {
  readonly hasher = 'recording';
  readonly jobs: MiningJob[] = [];
  stops = 0;
  private found: ((jobId: number, nonce: bigint) => void) | undefined;
  private exhausted: ((jobId: number) => void) | undefined;

  mine(job: MiningJob): void {
    this.jobs.push(job);
  }
  stop(): void {
    this.stops++;
  }
  hashRate(): number {
    return 0;
  }
  onFound(listener: (jobId: number, nonce: bigint) => void): void {
    this.found = listener;
  }
  onExhausted(listener: (jobId: number) => void): void {
    this.exhausted = listener;
  }
  onError(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }

  get last(): MiningJob {
    return this.jobs.at(-1)!;
  }

  /** Solves the job as a real searcher would (regtest: about one nonce in two) and reports it. */
  solve(job: MiningJob = this.last): void {
    for (let nonce = 0n; ; nonce++) {
      const header = { ...decodeHeader(job.header), nonce };
      if (hashMeetsTarget(blockHash(header), job.target)) return this.found!(job.jobId, nonce);
    }
  }

  exhaust(job: MiningJob = this.last): void {
    this.exhausted!(job.jobId);
  }
}

let t: TestChain;
let pool: Mempool;
let searcher: RecordingSearcher;
let loop: MiningLoop;
let unwire: (() => void)[];
/** A clock one second further on at every reading, so each template may be later than the last. */
let clock: number;

beforeEach(() => {
  t = openTestChain();
  clock = TEST_NOW - 3000;
  pool = new Mempool({ chain: t.chain, verifier: new BlsSingleThreadVerifier() });
  searcher = new RecordingSearcher();
  loop = new MiningLoop({
    chain: t.chain,
    mempool: pool,
    bls: blstBls,
    searcher,
    minerAddress: miner.address,
    logger,
    now: () => clock++,
    refreshMs: 5,
  });
  // As the composition root wires it.
  unwire = [
    connectMempoolToChain(t.chain, pool),
    t.chain.onTipChange(() => loop.refresh()),
    pool.onChange(() => loop.scheduleRefresh()),
  ];
});

afterEach(() => {
  loop.stop();
  for (const u of unwire) u();
  t.cleanup();
});

const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`never happened: ${what}`);
};

describe('MiningLoop', () => {
  it('mines on the tip: a found nonce connects the block, and the next job builds on it', () => {
    loop.start();
    expect(searcher.jobs).toHaveLength(1);
    const first = decodeHeader(searcher.last.header);
    expect(first.height).toBe(1);
    expect(toHex(first.prevHash)).toBe(toHex(t.chain.tip.hash));

    searcher.solve();
    expect(t.chain.tip.height).toBe(1);
    expect(loop.blocksFound).toBe(1);
    expect(t.chain.getBlock(t.chain.tip.hash)!.coinbase.recipient).toEqual(miner.address);
    // The new tip started a new job on top of it.
    expect(searcher.jobs).toHaveLength(2);
    const second = decodeHeader(searcher.last.header);
    expect(second.height).toBe(2);
    expect(toHex(second.prevHash)).toBe(toHex(t.chain.tip.hash));
  });

  it('ignores a nonce for a job it has replaced', () => {
    loop.start();
    const stale = searcher.last;
    loop.refresh();
    expect(searcher.jobs).toHaveLength(2);
    searcher.solve(stale);
    expect(t.chain.tip.height).toBe(0);
    expect(loop.blocksFound).toBe(0);
  });

  it('after an exhausted nonce space, mines a template with a later timestamp', () => {
    loop.start();
    const before = decodeHeader(searcher.last.header).timestamp;
    searcher.exhaust();
    expect(searcher.jobs).toHaveLength(2);
    expect(decodeHeader(searcher.last.header).timestamp).toBeGreaterThan(before);
  });

  it('takes a newly admitted transfer into the next template', async () => {
    loop.start();
    searcher.solve(); // height 1 pays the miner, who can then spend
    const spend = transfer(miner, alice.address, 5n, 0);
    const [admitted] = await pool.submit([spend]);
    expect(admitted?.accepted).toBe(true);
    const jobsBefore = searcher.jobs.length;
    await until('a refreshed job', () => searcher.jobs.length > jobsBefore);
    searcher.solve();
    const tipBlock = t.chain.getBlock(t.chain.tip.hash)!;
    expect(tipBlock.transactions.map((tx) => toHex(transferTxid(tx)))).toEqual([toHex(transferTxid(spend.tx))]);
    expect(pool.size).toBe(0);
  });

  it('stops: the searcher is stopped and no job follows a new tip', () => {
    loop.start();
    loop.stop();
    expect(loop.isMining).toBe(false);
    expect(searcher.stops).toBeGreaterThan(0);
    const jobs = searcher.jobs.length;
    loop.refresh();
    expect(searcher.jobs).toHaveLength(jobs);
  });
});
