/**
 * Signature batch verifiers for the mempool.
 *
 * `WorkerBatchVerifier` gathers everything submitted during one turn of the event loop
 * (concurrent API requests, a gossip burst) into batches of up to `maxBatch`, and verifies
 * them on a pool of worker threads, so the main thread keeps serving while pairings run.
 * `InlineBatchVerifier` does the same work on the calling thread (tests, tools).
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SignatureBatchVerifier } from './interface.js';
import { verifyBatch } from './verifyBatch.js';
import type { VerifyItem } from './verifyBatch.js';
import { startWorker } from '../workers/startWorker.js';

export class InlineBatchVerifier implements SignatureBatchVerifier {
  verify(items: readonly VerifyItem[]): Promise<boolean[]> {
    return Promise.resolve(verifyBatch(items));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Pending {
  readonly item: VerifyItem;
  readonly resolve: (ok: boolean) => void;
}

export class WorkerBatchVerifier implements SignatureBatchVerifier {
  private readonly workers: { worker: Worker; busy: number }[];
  private readonly maxBatch: number;
  private readonly inflight = new Map<number, { resolve: (v: boolean[]) => void; reject: (e: Error) => void }>();
  private queue: Pending[] = [];
  /** Batches verified on worker threads, and batches that fell back to this thread because a worker failed. */
  readonly stats = { workerBatches: 0, fallbackBatches: 0 };
  private flushScheduled = false;
  private nextId = 0;

  constructor(opts: { threads?: number; maxBatch?: number } = {}) {
    this.maxBatch = opts.maxBatch ?? 256;
    const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.workers = Array.from({ length: threads }, () => {
      const worker = startWorker(import.meta.url, 'verifyWorker');
      worker.on('message', (m: { id: number; verdicts: boolean[] }) => {
        const job = this.inflight.get(m.id);
        this.inflight.delete(m.id);
        job?.resolve(m.verdicts);
      });
      worker.on('error', (err) => {
        for (const job of this.inflight.values()) job.reject(err);
        this.inflight.clear();
      });
      worker.unref();
      return { worker, busy: 0 };
    });
  }

  verify(items: readonly VerifyItem[]): Promise<boolean[]> {
    const results = items.map((item) => new Promise<boolean>((resolve) => this.queue.push({ item, resolve })));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return Promise.all(results);
  }

  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (let i = 0; i < queue.length; i += this.maxBatch) {
      const batch = queue.slice(i, i + this.maxBatch);
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = this.nextId++;
      // Idle workers are unref'd so they never hold the process open, but one with a batch in
      // flight must: otherwise a caller awaiting verdicts with nothing else pending (the node
      // reloading its mempool at start-up) sees the process exit quietly before they arrive.
      if (slot.busy++ === 0) slot.worker.ref();
      new Promise<boolean[]>((resolve, reject) => {
        this.inflight.set(id, { resolve, reject });
        slot.worker.postMessage({ id, items: batch.map((p) => p.item) });
      })
        .then(
          (verdicts) => {
            this.stats.workerBatches++;
            batch.forEach((p, j) => p.resolve(verdicts[j] === true));
          },
          // A worker that died must not turn good signatures into rejections: check here instead.
          () => {
            this.stats.fallbackBatches++;
            verifyBatch(batch.map((p) => p.item)).forEach((ok, j) => batch[j]!.resolve(ok));
          },
        )
        .finally(() => {
          if (--slot.busy === 0) slot.worker.unref();
        });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
