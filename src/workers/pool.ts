/**
 * A pool of worker threads answering typed requests: `run(request)` sends a job to the
 * least-busy thread and resolves with its response. The worker module serves the jobs with
 * `serveJobs(handler)`.
 *
 * - Threads start on demand, up to `threads`; a job goes to the thread with the fewest in
 *   flight (a thread answers its jobs in the order they were sent).
 * - A thread that crashes fails only its own jobs, with the transient `WORKER_CRASHED`
 *   (WorkerThread), and is replaced by a new one at the next job: no restart loop when a
 *   module cannot even load.
 * - A handler that throws fails only that job, with `WORKER_JOB_FAILED`; the thread lives on.
 * - Threads hold the process open only while they have jobs in flight.
 * - `close()` fails the pending jobs with the transient `WORKER_CLOSED` and ends the threads.
 */
import { parentPort } from 'node:worker_threads';
import { OurCoinError } from '../errors.js';
import { WorkerErrorCode, WorkerThread } from './thread.js';
import type { ThreadOptions } from './thread.js';

export interface JobMessage<Req> {
  readonly id: number;
  readonly request: Req;
}

export type ReplyMessage<Res> =
  { readonly id: number; readonly response: Res } | { readonly id: number; readonly error: string };

export interface WorkerPoolOptions extends ThreadOptions {
  /** Threads at most (default 1). */
  readonly threads?: number;
}

interface Slot<Req, Res> {
  readonly index: number;
  thread: WorkerThread<JobMessage<Req>, ReplyMessage<Res>> | undefined;
  /** Jobs sent to `thread` and not answered yet. */
  busy: number;
}

interface Pending<Req, Res> {
  readonly slot: Slot<Req, Res>;
  readonly resolve: (response: Res) => void;
  readonly reject: (error: OurCoinError) => void;
}

export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Req, Res>[];
  private readonly inflight = new Map<number, Pending<Req, Res>>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions) {
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.slots = Array.from({ length: threads }, (_, index) => ({ index, thread: undefined, busy: 0 }));
  }

  /** Jobs sent and not answered yet. */
  get pending(): number {
    return this.inflight.size;
  }

  run(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.closed) throw closedError();
      // Fewest jobs in flight; among equals, a running thread before starting another.
      const slot = this.slots.reduce((a, b) =>
        b.busy < a.busy || (b.busy === a.busy && b.thread && !a.thread) ? b : a,
      );
      const thread = (slot.thread ??= this.start(slot));
      const id = this.nextId++;
      this.inflight.set(id, { slot, resolve, reject });
      if (slot.busy++ === 0) thread.keepAlive(true);
      thread.post({ id, request });
    });
  }

  /** Fails every pending job with WORKER_CLOSED and terminates the threads (idempotent). */
  async close(): Promise<void> {
    this.closed = true;
    const jobs = [...this.inflight.values()];
    this.inflight.clear();
    for (const job of jobs) job.reject(closedError());
    await Promise.all(this.slots.flatMap((slot) => (slot.thread ? [slot.thread.close()] : [])));
  }

  private start(slot: Slot<Req, Res>): WorkerThread<JobMessage<Req>, ReplyMessage<Res>> {
    const name = `${this.opts.name ?? this.opts.module}-${slot.index}`;
    const thread = new WorkerThread<JobMessage<Req>, ReplyMessage<Res>>(
      { ...this.opts, name },
      (reply) => this.settle(reply),
      (error) => {
        if (slot.thread === thread) slot.thread = undefined;
        slot.busy = 0;
        for (const [id, job] of this.inflight) {
          if (job.slot !== slot) continue;
          this.inflight.delete(id);
          job.reject(error);
        }
      },
    );
    return thread;
  }

  private settle(reply: ReplyMessage<Res>): void {
    const job = this.inflight.get(reply.id);
    if (!job) return;
    this.inflight.delete(reply.id);
    if (--job.slot.busy === 0) job.slot.thread?.keepAlive(false);
    if ('error' in reply) job.reject(new OurCoinError(WorkerErrorCode.jobFailed, reply.error, 'input'));
    else job.resolve(reply.response);
  }
}

function closedError(): OurCoinError {
  return new OurCoinError(
    WorkerErrorCode.closed,
    'the worker pool was closed before the job was answered',
    'transient',
  );
}

/** In the worker module: answers each job with `handle(request)` (synchronous), in the order they arrive. */
export function serveJobs<Req, Res>(handle: (request: Req) => Res): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread');
  port.on('message', ({ id, request }: JobMessage<Req>) => {
    let reply: ReplyMessage<Res>;
    try {
      reply = { id, response: handle(request) };
    } catch (err) {
      reply = { id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
