/**
 * Proof-of-work search on worker threads: the 2^64 nonces of a header are split into one
 * range per thread, and each thread hashes its range (worker.ts, hasher.ts). Workers only
 * hash; the node builds the header, and calls `mine` again whenever the template changes
 * (new tip, new transactions, or `exhausted` and a later timestamp): a new job replaces the
 * old one at once, and results of replaced jobs are dropped.
 *
 * Implements the node's PowSearcher (interface.ts). Events: `found(jobId, nonce)` once per
 * job (the job then ends and the threads idle until the next `mine`); `exhausted(jobId)`
 * when every range was searched without success; `error(err)` when a worker thread fails
 * (an EventEmitter 'error': unheard, it throws). Threads keep the process alive only while
 * a job runs; `close()` terminates them.
 *
 * The threads' life (start from dist/ or from sources, crash report, process ref, close) is
 * src/workers/thread.ts, shared with the verification pools; only the messages are the
 * miner's own (worker.ts). A crashed thread (`error` is then a transient WORKER_CRASHED)
 * is replaced at the next `mine`.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { HEADER_LENGTH } from '../protocol/block.js';
import { NONCE_SPACE, loadPowHasher } from './hasher.js';
import type { PowHasherName } from './hasher.js';
import type { MiningJob, PowSearcher } from './interface.js';
import type { FromWorkerMessage, ToWorkerMessage } from './worker.js';
import { WorkerThread } from '../workers/thread.js';

export interface ParallelMinerOptions {
  /** Worker threads; default: one per core less one for the node, at least one. */
  readonly threads?: number;
  /** Nonces searched per job, split between the threads: 2^64 (the default) outside tests. */
  readonly nonceSpace?: bigint;
  /** The hashing backend: hashtree (native) when it loads, unless `noble` (pure JS) is asked for. */
  readonly hasher?: PowHasherName;
  /** Window of `hashRate()`, ms (default 8000). */
  readonly rateWindowMs?: number;
}

export interface ParallelMinerEvents {
  found: [jobId: number, nonce: bigint];
  exhausted: [jobId: number];
  error: [error: Error];
}

interface RunningJob {
  readonly jobId: number;
  /** Internal sequence number carried by worker messages: tells replaced runs apart. */
  readonly seq: number;
  exhausted: number;
}

const MAX_TARGET = (1n << 256n) - 1n;

export class ParallelMiner extends EventEmitter<ParallelMinerEvents> implements PowSearcher {
  readonly threads: number;
  readonly nonceSpace: bigint;
  /** The backend the threads hash with, chosen once here (the node's banner names it). */
  readonly hasher: PowHasherName;
  private readonly rateWindowMs: number;
  private readonly workers: WorkerThread<ToWorkerMessage, FromWorkerMessage>[];
  private job: RunningJob | undefined;
  private seq = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly samples: { at: number; hashes: number }[] = [];
  private countingSince: number | undefined;

  constructor(opts: ParallelMinerOptions = {}) {
    super();
    this.threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    this.nonceSpace = opts.nonceSpace ?? NONCE_SPACE;
    this.rateWindowMs = opts.rateWindowMs ?? 8000;
    if (!Number.isInteger(this.threads) || this.threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${this.threads}`);
    if (this.nonceSpace < 1n || this.nonceSpace > NONCE_SPACE) {
      throw new RangeError(`nonceSpace must be in [1, 2^64], got ${this.nonceSpace}`);
    }
    this.hasher = loadPowHasher(opts.hasher).name;
    this.workers = Array.from({ length: this.threads }, (_, i) => this.startThread(i));
  }

  private startThread(i: number): WorkerThread<ToWorkerMessage, FromWorkerMessage> {
    return new WorkerThread<ToWorkerMessage, FromWorkerMessage>(
      { fromModule: import.meta.url, module: 'worker', name: `miner-${i}` },
      (msg) => this.onMessage(msg),
      (err) => this.fail(err),
    );
  }

  /** The jobId being mined, if any. */
  get currentJobId(): number | undefined {
    return this.job?.jobId;
  }

  /** Starts (or replaces the current job with) `job` on every thread. */
  mine(job: MiningJob): void {
    if (this.closed) throw new Error('ParallelMiner is closed');
    if (job.header.length !== HEADER_LENGTH)
      throw new RangeError(`header must be ${HEADER_LENGTH} bytes, got ${job.header.length}`);
    if (job.target <= 0n) throw new RangeError('target must be positive');
    const target = (job.target > MAX_TARGET ? MAX_TARGET : job.target).toString(16).padStart(64, '0');
    const seq = ++this.seq;
    this.job = { jobId: job.jobId, seq, exhausted: 0 };
    this.countingSince ??= Date.now();
    const n = BigInt(this.threads);
    this.workers.forEach((thread, i) => {
      const worker = thread.alive ? thread : (this.workers[i] = this.startThread(i));
      const msg: ToWorkerMessage = {
        type: 'job',
        jobId: seq,
        header: job.header,
        target,
        hasher: this.hasher,
        startNonce: (BigInt(i) * this.nonceSpace) / n,
        endNonce: (BigInt(i + 1) * this.nonceSpace) / n,
      };
      worker.keepAlive(true);
      worker.post(msg);
    });
  }

  /** Drops the current job: the threads idle, and a late `found` for it is ignored. */
  stop(): void {
    if (this.closed) return;
    this.job = undefined;
    const msg: ToWorkerMessage = { type: 'stop' };
    for (const worker of this.workers) {
      worker.post(msg);
      worker.keepAlive(false);
    }
  }

  /** Hashes a second, all threads together, over the last `rateWindowMs`. */
  hashRate(): number {
    const now = Date.now();
    this.prune(now);
    if (this.countingSince === undefined) return 0;
    const span = Math.min(this.rateWindowMs, now - this.countingSince);
    const hashes = this.samples.reduce((sum, s) => sum + s.hashes, 0);
    return hashes === 0 ? 0 : (hashes * 1000) / Math.max(span, 1);
  }

  /** PowSearcher form of `on('found', …)`. */
  onFound(listener: (jobId: number, nonce: bigint) => void): void {
    this.on('found', listener);
  }

  /** PowSearcher form of `on('exhausted', …)`. */
  onExhausted(listener: (jobId: number) => void): void {
    this.on('exhausted', listener);
  }

  /** PowSearcher form of `on('error', …)`. */
  onError(listener: (err: Error) => void): void {
    this.on('error', listener);
  }

  /** Terminates the threads; the miner cannot be used afterwards. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      this.job = undefined;
      this.closing = Promise.all(this.workers.map((w) => w.close())).then(() => undefined);
    }
    return this.closing;
  }

  private onMessage(msg: FromWorkerMessage): void {
    if (msg.type === 'progress') {
      const at = Date.now();
      this.samples.push({ at, hashes: msg.hashes });
      this.prune(at);
      return;
    }
    const job = this.job;
    if (job === undefined || msg.jobId !== job.seq) return; // replaced or stopped: stale
    if (msg.type === 'found') {
      // End the job before telling anyone, so a listener may call mine() straight away.
      this.stop();
      this.emit('found', job.jobId, msg.nonce);
      return;
    }
    if (++job.exhausted === this.threads) {
      this.job = undefined;
      for (const worker of this.workers) worker.keepAlive(false);
      this.emit('exhausted', job.jobId);
    }
  }

  private prune(now: number): void {
    const from = now - this.rateWindowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < from) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.emit('error', err);
  }
}
