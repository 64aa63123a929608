/**
 * Signature batch verifiers for the mempool.
 *
 * `WorkerBatchVerifier` gathers everything submitted during one turn of the event loop
 * (concurrent API requests, a gossip burst) into batches of up to `maxBatch`, and verifies
 * them on a pool of worker threads, so the main thread keeps serving while pairings run.
 * `InlineBatchVerifier` does the same work on the calling thread (tests, tools).
 */
import { availableParallelism } from 'node:os';
import type { SignatureBatchVerifier } from './interface.js';
import { verifyBatch } from './verifyBatch.js';
import type { VerifyItem } from './verifyBatch.js';
import { WorkerPool } from '../workers/pool.js';

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
  private readonly pool: WorkerPool<readonly VerifyItem[], boolean[]>;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** Batches verified on worker threads, and batches that fell back to this thread because a worker failed. */
  readonly stats = { workerBatches: 0, fallbackBatches: 0 };
  private flushScheduled = false;

  constructor(opts: { threads?: number; maxBatch?: number } = {}) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.pool = new WorkerPool({
      fromModule: import.meta.url,
      module: 'verifyWorker',
      threads: opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
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
      const items = batch.map((p) => p.item);
      this.pool.run(items).then(
        (verdicts) => {
          this.stats.workerBatches++;
          batch.forEach((p, j) => p.resolve(verdicts[j] === true));
        },
        // A worker that died must not turn good signatures into rejections: check here instead.
        () => {
          this.stats.fallbackBatches++;
          verifyBatch(items).forEach((ok, j) => batch[j]!.resolve(ok));
        },
      );
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
