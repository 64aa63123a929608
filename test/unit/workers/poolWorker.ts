/**
 * Worker module of test/unit/workers/pool.test.ts: answers jobs through serveJobs, and can be
 * told to fail in each of the ways a real worker might.
 */
import { threadId } from 'node:worker_threads';
import { serveJobs } from '../../../src/workers/pool.js';

export type PoolTestRequest =
  /** Answers value * 2 and the thread's id. */
  | { readonly op: 'double'; readonly value: number }
  /** The handler throws: a failed job, the thread lives on. */
  | { readonly op: 'refuse' }
  /** process.exit mid-job: the thread ends without answering. */
  | { readonly op: 'exit' }
  /** Its answer cannot be cloned: postMessage throws, and the uncaught exception kills the thread. */
  | { readonly op: 'poison' }
  /** Counts in `counter[0]` until the thread is terminated (or 20 s pass). */
  | { readonly op: 'spin'; readonly counter: Int32Array };

export interface PoolTestResponse {
  readonly value: number;
  readonly threadId: number;
}

serveJobs<PoolTestRequest, PoolTestResponse>((request) => {
  switch (request.op) {
    case 'double':
      return { value: request.value * 2, threadId };
    case 'refuse':
      throw new Error('refused: not a number');
    case 'exit':
      process.exit(3);
    // eslint-disable-next-line no-fallthrough -- process.exit does not return
    case 'poison':
      return { value: 0, threadId, unclonable: () => 0 } as PoolTestResponse;
    case 'spin': {
      const until = Date.now() + 20_000;
      while (Date.now() < until) Atomics.add(request.counter, 0, 1);
      return { value: Atomics.load(request.counter, 0), threadId };
    }
  }
});
