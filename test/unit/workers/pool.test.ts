/**
 * The worker pool (src/workers/pool.ts) on real threads running test/unit/workers/poolWorker.ts:
 * answers by job id, a crash fails only the crashed thread's jobs (transient WORKER_CRASHED)
 * and the thread is replaced, a throwing handler fails only its job, threads hold the process
 * open only with jobs in flight, close() fails what is pending and ends the threads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OurCoinError } from '../../../src/errors.js';
import { WorkerPool } from '../../../src/workers/pool.js';
import type { PoolTestRequest, PoolTestResponse } from './poolWorker.js';

const pools: WorkerPool<PoolTestRequest, PoolTestResponse>[] = [];
const makePool = (threads: number): WorkerPool<PoolTestRequest, PoolTestResponse> => {
  const pool = new WorkerPool<PoolTestRequest, PoolTestResponse>({
    fromModule: import.meta.url,
    module: 'poolWorker',
    threads,
  });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const double = (value: number): PoolTestRequest => ({ op: 'double', value });

/** A job's value, or the code and kind of the OurCoinError it failed with (handled at once). */
function outcome(p: Promise<PoolTestResponse>): Promise<number | [string, string]> {
  return p.then(
    (r) => r.value,
    (err: unknown) => (err instanceof OurCoinError ? [err.code, err.kind] : ['not an OurCoinError', String(err)]),
  );
}

const messagePorts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('WorkerPool', () => {
  it('answers every job with its own response, spread over the threads', async () => {
    const pool = makePool(2);
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run(double(i))));
    expect(replies.map((r) => r.value)).toEqual(Array.from({ length: 40 }, (_, i) => 2 * i));
    expect(new Set(replies.map((r) => r.threadId)).size).toBe(2);
    expect(pool.pending).toBe(0);
  });

  it('fails only the job whose handler throws; the thread lives on', async () => {
    const pool = makePool(1);
    const jobs = [pool.run(double(1)), pool.run({ op: 'refuse' }), pool.run(double(2))];
    expect(await Promise.all(jobs.map(outcome))).toEqual([2, ['WORKER_JOB_FAILED', 'input'], 4]);
    const threads = await Promise.all([jobs[0]!, jobs[2]!]);
    expect(threads[0].threadId).toBe(threads[1].threadId);
  });

  it.each([
    ['exits mid-job', { op: 'exit' } as const],
    ['dies of an uncaught exception', { op: 'poison' } as const],
  ])('fails only the jobs of a thread that %s (transient), and replaces it', async (_what, fatal) => {
    const pool = makePool(2);
    const { threadId: doomedThread } = await pool.run(double(0)); // starts thread 0, now idle
    const doomed = outcome(pool.run(fatal)); // all idle: a running thread first, thread 0
    const other = outcome(pool.run(double(1))); // fewest in flight: the other slot
    const behind = outcome(pool.run(double(2))); // one each: the first, queued behind the fatal job
    expect(await Promise.all([doomed, other, behind])).toEqual([
      ['WORKER_CRASHED', 'transient'],
      2,
      ['WORKER_CRASHED', 'transient'],
    ]);
    // The dead thread is replaced: the pool answers on two threads again, neither the dead one.
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(double(i))));
    expect(replies.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
    const threads = new Set(replies.map((r) => r.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(doomedThread)).toBe(false);
    expect(pool.pending).toBe(0);
  });

  it('holds the process open only while jobs are in flight', async () => {
    const baseline = messagePorts();
    const pool = makePool(1);
    await pool.run(double(1)); // started, now idle
    expect(messagePorts()).toBe(baseline);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const spinning = outcome(pool.run({ op: 'spin', counter }));
    expect(messagePorts()).toBe(baseline + 1);
    await pool.close();
    expect(await spinning).toEqual(['WORKER_CLOSED', 'transient']);
    expect(messagePorts()).toBe(baseline);
  });

  it('close() fails pending jobs, ends the threads, and refuses new jobs', async () => {
    const pool = makePool(2);
    const counters = [0, 1].map(() => new Int32Array(new SharedArrayBuffer(4)));
    const spinning = counters.map((counter) => outcome(pool.run({ op: 'spin', counter })));
    while (counters.some((c) => Atomics.load(c, 0) === 0)) await new Promise((r) => setTimeout(r, 5));
    await pool.close();
    expect(await Promise.all(spinning)).toEqual([
      ['WORKER_CLOSED', 'transient'],
      ['WORKER_CLOSED', 'transient'],
    ]);
    // Terminated threads count no more.
    const stopped = counters.map((c) => Atomics.load(c, 0));
    await new Promise((r) => setTimeout(r, 50));
    expect(counters.map((c) => Atomics.load(c, 0))).toEqual(stopped);
    expect(await outcome(pool.run(double(1)))).toEqual(['WORKER_CLOSED', 'transient']);
    await pool.close(); // idempotent
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => makePool(0)).toThrow(RangeError);
    expect(() => makePool(1.5)).toThrow(RangeError);
  });
});
