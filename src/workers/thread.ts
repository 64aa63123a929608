/**
 * The life of one worker thread, shared by every pool (mempool batches, sync's pre-check, the
 * miner): start it from a sibling module (startWorker.ts), type its messages both ways, report
 * its end when nobody asked for it, hold the process open only while it has work, close it.
 *
 * A crash (an uncaught exception in the thread, or an exit such as `process.exit` there) is
 * reported once, as a transient `WORKER_CRASHED` error: the work it had may well succeed on
 * another thread. Nothing is reported after `close()`.
 */
import type { Worker } from 'node:worker_threads';
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';
import { startWorker } from './startWorker.js';

export const WorkerErrorCode = {
  /** The thread died with jobs in flight; they may be retried (kind 'transient'). */
  crashed: 'WORKER_CRASHED',
  /** The pool was closed before the job was answered (kind 'transient'). */
  closed: 'WORKER_CLOSED',
  /** The worker's handler threw on this job; the thread lives on (kind 'input'). */
  jobFailed: 'WORKER_JOB_FAILED',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    worker: CodeOf<typeof WorkerErrorCode>;
  }
}

export interface ThreadOptions {
  /** The caller's `import.meta.url`: the worker module is looked up next to it. */
  readonly fromModule: string;
  /** The worker module's file name without extension. */
  readonly module: string;
  /** The thread's name, in debuggers and crash messages; defaults to `module`. */
  readonly name?: string;
}

export class WorkerThread<In, Out> {
  readonly name: string;
  private readonly worker: Worker;
  private ended = false;
  private closing: Promise<void> | undefined;

  constructor(opts: ThreadOptions, onMessage: (message: Out) => void, onCrash: (error: OurCoinError) => void) {
    this.name = opts.name ?? opts.module;
    const worker = startWorker(opts.fromModule, opts.module, { name: this.name });
    const crashed = (why: string, cause?: unknown): void => {
      if (this.ended) return;
      this.ended = true;
      onCrash(new OurCoinError(WorkerErrorCode.crashed, `worker thread ${this.name} ${why}`, 'transient', { cause }));
    };
    worker.on('message', onMessage);
    worker.on('error', (err) => crashed(`failed: ${err.message}`, err));
    worker.on('exit', (code) => crashed(`exited with code ${code}`));
    worker.unref();
    this.worker = worker;
  }

  /** False once the thread crashed or was closed: a pool then starts another. */
  get alive(): boolean {
    return !this.ended;
  }

  post(message: In): void {
    this.worker.postMessage(message);
  }

  /**
   * Idle threads never hold the process open, but one with work in flight must: otherwise a
   * caller awaiting its answer with nothing else pending (the node reloading its mempool at
   * start-up) sees the process exit quietly before the answer arrives.
   */
  keepAlive(busy: boolean): void {
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  /** Terminates the thread (idempotent). */
  close(): Promise<void> {
    this.ended = true;
    this.closing ??= this.worker.terminate().then(() => undefined);
    return this.closing;
  }
}
