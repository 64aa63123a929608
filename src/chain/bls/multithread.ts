/**
 * The node's BLS verifier: one pool of worker threads does all the BLS work (decoding,
 * subgroup checks, pairings); this thread only hashes sets for the verdict cache and queues.
 *
 * - Priority queues in front of the pool: a job is sent only when a thread has room for it
 *   (`jobsPerThread`), and it is always the oldest job of the most urgent priority waiting
 *   (block, then sync, then transfer).
 * - Pre-emption: a transfer job carries a shared flag (maybeBatch.ts, PreemptFlag). When a
 *   block or sync job waits and no thread is free, the service sets the flags of running
 *   transfer jobs; their workers stop at the next verification step and answer the sets they
 *   finished, and the rest go back to the front of the queue. A block waits for one step
 *   (one batch check or one set), not for a whole job of forged transfers.
 * - Per-source queues and bounds (transferQueue.ts): sets at 'transfer' priority wait in their
 *   source's queue (a client IP, a peer id) and jobs take them round-robin across sources, so
 *   a flooding source delays another's set by at most the jobs running. Each source, and all of
 *   them together, may have only so many sets outstanding; a set beyond that is answered
 *   MEMPOOL_BUSY at once, without a worker, and is never cached.
 * - Cross-call batching: a transfer job goes out once `minJobSets` sets wait, or once the
 *   first of fewer has waited `bufferWaitMs`, so that single-set calls batch; a job takes up to
 *   `maxJobSets` queued sets, whichever calls they came from. When several threads are free, a
 *   large queue is split so each gets a share (not below `minJobSets`).
 * - Verdict cache (verdictCache.ts) and de-duplication: a set with a cached verdict never
 *   reaches a worker, and a set equal to one already waiting or in flight (at the same
 *   priority) shares its verdict.
 * - Worker failure: a job whose thread died is sent once more (the pool replaces the thread);
 *   if it fails again its sets get the transient error. No set is ever answered "ok" without a
 *   worker's verdict.
 */
import { availableParallelism } from 'node:os';
import { OurCoinError } from '../../errors.js';
import { WorkerPool } from '../../workers/pool.js';
import { WorkerErrorCode } from '../../workers/thread.js';
import type { NetworkParams } from '../../protocol/networks.js';
import type {
  BlsVerifier,
  BlsVerifierStats,
  EncodedBlockVerdict,
  SignatureSet,
  SignatureVerdict,
  TransferSignature,
  TransferVerdict,
  VerifyPriority,
} from './interface.js';
import { VERIFY_PRIORITIES, busyVerdict, verifierClosedError } from './interface.js';
import {
  TRANSFER_VERDICTS,
  UNCOMPRESSED_SIGNATURE_LENGTH,
  UNFINISHED,
  newPreemptFlag,
  requestPreemption,
} from './maybeBatch.js';
import type { BlsJob, BlsJobResult, PreemptFlag } from './maybeBatch.js';
import { BatchSizes } from './stats.js';
import { FairTransferQueue, Fifo, LOCAL_SOURCE } from './transferQueue.js';
import { VerdictCache, verdictKey } from './verdictCache.js';

export interface BlsMultiThreadVerifierOptions {
  /** Worker threads (default `os.availableParallelism()`). */
  readonly threads?: number;
  /** Jobs sent to one thread before it answers (default 1: a block never waits behind a queued job). */
  readonly jobsPerThread?: number;
  /** How long transfer sets wait for others to batch with (default 5 ms). */
  readonly bufferWaitMs?: number;
  /** Buffered transfer sets that end the wait at once (default 128). */
  readonly maxBufferedSets?: number;
  /**
   * Most transfer sets at 'transfer' priority one source may have outstanding (waiting or in a
   * job); beyond it they are refused MEMPOOL_BUSY (default DEFAULT_MAX_QUEUED_PER_SOURCE).
   */
  readonly maxQueuedPerSource?: number;
  /**
   * Most such sets all sources together may have outstanding (default
   * DEFAULT_MAX_QUEUED_TRANSFERS, ~0.75 KB each here; see transferQueue.ts).
   */
  readonly maxQueuedTransfers?: number;
  /** Most transfer sets in one job (default 128). */
  readonly maxJobSets?: number;
  /** Smallest share when a queue is split over free threads (default 16). */
  readonly minJobSets?: number;
  /** Transfer verdicts remembered (default 100,000, ~9 MB; see verdictCache.ts). */
  readonly verdictCacheSize?: number;
  /**
   * The worker module, for tests that need a thread to misbehave: it must serve `runBlsJob`'s
   * jobs (default ./worker.ts).
   */
  readonly worker?: { readonly fromModule: string; readonly module: string };
}

interface TransferTask {
  readonly kind: 'transfers';
  /** Who sent it (LOCAL_SOURCE: the node itself, or a priority other than 'transfer'). */
  readonly source: string;
  readonly key: string;
  readonly set: TransferSignature;
  readonly resolve: (verdict: TransferVerdict) => void;
  readonly reject: (error: OurCoinError) => void;
}

/** One block's check: its signature set, or its whole encoding (see `verifyEncodedBlock`). */
type BlockTask = {
  readonly kind: 'block';
  readonly reject: (error: OurCoinError) => void;
} & (
  | { readonly job: 'block'; readonly set: SignatureSet; readonly resolve: (verdict: SignatureVerdict) => void }
  | {
      readonly job: 'encodedBlock';
      readonly bytes: Uint8Array;
      readonly network: NetworkParams;
      readonly resolve: (verdict: EncodedBlockVerdict) => void;
    }
);

type Task = TransferTask | BlockTask;

type Job = {
  readonly priority: VerifyPriority;
  /** 0 the first time; 1 when sent again after its worker died. */
  readonly attempt: number;
} & (
  | { readonly kind: 'transfers'; readonly tasks: readonly TransferTask[] }
  | { readonly kind: 'block'; readonly task: BlockTask }
);

const tasksOf = (job: Job): readonly Task[] => (job.kind === 'block' ? [job.task] : job.tasks);

export class BlsMultiThreadVerifier implements BlsVerifier {
  private readonly pool: WorkerPool<BlsJob, BlsJobResult>;
  private readonly capacity: number;
  private readonly bufferWaitMs: number;
  private readonly maxBufferedSets: number;
  private readonly maxJobSets: number;
  private readonly minJobSets: number;
  private readonly cache: VerdictCache;

  /** Blocks, and transfer sets sent at their priority, by priority. */
  private readonly queues = new Map((['block', 'sync'] as const).map((p) => [p, new Fifo<Task>()]));
  /** Transfer sets at 'transfer' priority, by source. */
  private readonly transfers: FairTransferQueue<TransferTask>;
  /** Jobs whose worker died, to be sent again before anything else of their priority. */
  private readonly retries = new Map(VERIFY_PRIORITIES.map((p): [VerifyPriority, Job[]] => [p, []]));
  /** Transfer sets waiting or in flight, by priority then verdict key: a copy shares the verdict. */
  private readonly waiting = new Map(VERIFY_PRIORITIES.map((p) => [p, new Map<string, Promise<TransferVerdict>>()]));
  /** Pending while arriving transfer sets are held to batch (see `hold`). */
  private holdTimer: NodeJS.Timeout | undefined;
  /** When fewer than `minJobSets` transfer sets started waiting for company (performance.now()). */
  private heldSince: number | undefined;
  private inFlight = 0;
  /** Transfer-priority jobs on a thread, with the flag that pre-empts each. */
  private readonly preemptible = new Map<Job, PreemptFlag>();
  /** Jobs asked to stop that have not answered yet: each will free a thread. */
  private readonly stopping = new Set<Job>();
  private closed = false;

  private jobs = 0;
  private setsVerified = 0;
  private readonly batchSizes = new BatchSizes();
  private cacheHits = 0;
  private cacheMisses = 0;
  private retried = 0;
  private preempted = 0;
  private refused = 0;
  private readonly crashes = new WeakSet<OurCoinError>();
  private workerRestarts = 0;

  constructor(opts: BlsMultiThreadVerifierOptions = {}) {
    const threads = opts.threads ?? availableParallelism();
    const jobsPerThread = opts.jobsPerThread ?? 1;
    if (!Number.isInteger(jobsPerThread) || jobsPerThread < 1)
      throw new RangeError(`jobsPerThread must be a positive integer, got ${jobsPerThread}`);
    this.pool = new WorkerPool({
      fromModule: opts.worker?.fromModule ?? import.meta.url,
      module: opts.worker?.module ?? 'worker',
      name: 'bls',
      threads,
    });
    this.capacity = threads * jobsPerThread;
    this.bufferWaitMs = opts.bufferWaitMs ?? 5;
    this.maxBufferedSets = opts.maxBufferedSets ?? 128;
    this.maxJobSets = opts.maxJobSets ?? 128;
    this.minJobSets = Math.min(opts.minJobSets ?? 16, this.maxJobSets);
    this.cache = new VerdictCache(opts.verdictCacheSize);
    this.transfers = new FairTransferQueue(opts.maxQueuedPerSource, opts.maxQueuedTransfers);
  }

  verifyTransfers(
    sets: readonly TransferSignature[],
    opts: { readonly priority?: VerifyPriority; readonly source?: string } = {},
  ): Promise<TransferVerdict[]> {
    if (this.closed) return Promise.reject(verifierClosedError());
    const priority = opts.priority ?? 'transfer';
    const source = priority === 'transfer' ? (opts.source ?? LOCAL_SOURCE) : LOCAL_SOURCE;
    const waiting = this.waiting.get(priority)!;
    const verdicts = sets.map((set): Promise<TransferVerdict> => {
      const key = verdictKey(set);
      const cached = this.cache.get(key);
      const known = cached ? Promise.resolve(cached) : waiting.get(key);
      if (known) {
        this.cacheHits++;
        return known;
      }
      if (priority === 'transfer') {
        const room = this.transfers.reserve(source);
        if (!room.ok) {
          this.refused++;
          return Promise.resolve(busyVerdict);
        }
        if (room.pushedOut) this.refuseQueued(room.pushedOut);
      }
      this.cacheMisses++;
      const verdict = new Promise<TransferVerdict>((resolve, reject) => {
        const task: TransferTask = { kind: 'transfers', source, key, set, resolve, reject };
        if (priority === 'transfer') this.transfers.push(task);
        else this.queues.get(priority)!.push(task);
      });
      waiting.set(key, verdict);
      return verdict;
    });
    this.dispatch();
    return Promise.all(verdicts);
  }

  /** Whether a set from `source` would find room now (the API asks before it reads a request's body). */
  admits(source: string): boolean {
    return !this.closed && this.transfers.admits(source);
  }

  verifyBlock(set: SignatureSet, opts: { readonly priority?: 'block' | 'sync' } = {}): Promise<SignatureVerdict> {
    if (this.closed) return Promise.reject(verifierClosedError());
    const verdict = new Promise<SignatureVerdict>((resolve, reject) => {
      this.queues.get(opts.priority ?? 'block')!.push({ kind: 'block', job: 'block', set, resolve, reject });
    });
    this.dispatch();
    return verdict;
  }

  verifyEncodedBlock(
    bytes: Uint8Array,
    network: NetworkParams,
    opts: { readonly priority?: 'block' | 'sync' } = {},
  ): Promise<EncodedBlockVerdict> {
    if (this.closed) return Promise.reject(verifierClosedError());
    const verdict = new Promise<EncodedBlockVerdict>((resolve, reject) => {
      const task: BlockTask = { kind: 'block', job: 'encodedBlock', bytes, network, resolve, reject };
      this.queues.get(opts.priority ?? 'block')!.push(task);
    });
    this.dispatch();
    return verdict;
  }

  stats(): BlsVerifierStats {
    const queued = (p: VerifyPriority): number =>
      (p === 'transfer' ? this.transfers.length : this.queues.get(p)!.length) +
      this.retries.get(p)!.reduce((n, job) => n + tasksOf(job).length, 0);
    return {
      queued: { block: queued('block'), sync: queued('sync'), transfer: queued('transfer') },
      inFlight: this.inFlight,
      jobs: this.jobs,
      setsVerified: this.setsVerified,
      batchSizes: this.batchSizes.counts(),
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      retries: this.retried,
      workerRestarts: this.workerRestarts,
      preempted: this.preempted,
      refused: this.refused,
    };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.holdTimer);
      const error = verifierClosedError();
      const tasks: Task[] = this.transfers.drain();
      for (const p of VERIFY_PRIORITIES) {
        if (p !== 'transfer') tasks.push(...this.queues.get(p)!.drain());
        for (const job of this.retries.get(p)!.splice(0)) tasks.push(...tasksOf(job));
      }
      for (const task of tasks) task.reject(error);
    }
    // Fails the jobs in flight with WORKER_CLOSED, which settle() passes on to their tasks.
    await this.pool.close();
  }

  private release(): void {
    this.holdTimer = undefined;
    this.dispatch();
  }

  /**
   * Whether the queued transfer sets make a job now (else a timer releases them later). A
   * transfer job goes out once `minJobSets` (or `maxBufferedSets`) sets wait, or once the first
   * of fewer has waited `bufferWaitMs`: a job of one or two sets costs about three times as
   * much a set as one of sixteen, so sending whatever waits the moment a thread frees up kept
   * jobs tiny and halved the admission rate of one-transfer requests.
   */
  private transferJobReady(): boolean {
    const n = this.transfers.length;
    if (n === 0) return false;
    if (n >= this.minJobSets || n >= this.maxBufferedSets) return true;
    const now = performance.now();
    this.heldSince ??= now;
    const left = this.heldSince + this.bufferWaitMs - now;
    if (left <= 0) return true;
    this.holdTimer ??= setTimeout(() => this.release(), left);
    return false;
  }

  /** A queued set pushed out by a source under its fair share: refused, like a set over the bound. */
  private refuseQueued(task: TransferTask): void {
    this.refused++;
    this.waiting.get('transfer')!.delete(task.key);
    task.resolve(busyVerdict);
  }

  /** Sends jobs while a thread has room, most urgent first; pre-empts transfer jobs for urgent ones left waiting. */
  private dispatch(): void {
    while (!this.closed && this.inFlight < this.capacity) {
      const job = this.nextJob();
      if (!job) return;
      this.send(job);
    }
    this.preemptForUrgent();
  }

  /**
   * Every thread is busy: as many running transfer jobs as there are block and sync jobs
   * waiting are asked to stop (at most one job each; a sync queue of transfer sets counts as
   * one job per set, which only ever asks for more threads than it needs).
   */
  private preemptForUrgent(): void {
    let urgent = -this.stopping.size;
    for (const p of ['block', 'sync'] as const) urgent += this.queues.get(p)!.length + this.retries.get(p)!.length;
    for (const [job, flag] of this.preemptible) {
      if (urgent <= 0) return;
      requestPreemption(flag);
      this.preemptible.delete(job);
      this.stopping.add(job);
      urgent--;
    }
  }

  private nextJob(): Job | undefined {
    for (const priority of VERIFY_PRIORITIES) {
      const retry = this.retries.get(priority)!.shift();
      if (retry) return retry;
      if (priority === 'transfer') {
        if (!this.transferJobReady()) return undefined;
        clearTimeout(this.holdTimer);
        this.holdTimer = undefined;
        this.heldSince = undefined;
        // Round-robin over the sources: one set of each in turn.
        return {
          priority,
          attempt: 0,
          kind: 'transfers',
          tasks: this.transfers.take(this.jobSize(this.transfers.length)),
        };
      }
      const queue = this.queues.get(priority)!;
      const head = queue.shift();
      if (!head) continue;
      if (head.kind === 'block') return { priority, attempt: 0, kind: 'block', task: head };
      const size = this.jobSize(queue.length + 1);
      const tasks: TransferTask[] = [head];
      while (tasks.length < size && queue.peek()?.kind === 'transfers') tasks.push(queue.shift() as TransferTask);
      return { priority, attempt: 0, kind: 'transfers', tasks };
    }
    return undefined;
  }

  /** Transfer sets from any number of calls, up to a share of the `queued` ones per free thread. */
  private jobSize(queued: number): number {
    const free = this.capacity - this.inFlight;
    return Math.min(this.maxJobSets, Math.max(this.minJobSets, Math.ceil(queued / free)));
  }

  private send(job: Job): void {
    this.inFlight++;
    let request: BlsJob;
    let flag: PreemptFlag | undefined;
    if (job.kind === 'block')
      request =
        job.task.job === 'block'
          ? { kind: 'block', set: job.task.set }
          : { kind: 'encodedBlock', bytes: job.task.bytes, network: job.task.network };
    else if (job.priority !== 'transfer') request = { kind: 'transfers', sets: job.tasks.map((t) => t.set) };
    else {
      flag = newPreemptFlag();
      this.preemptible.set(job, flag);
      request = { kind: 'transfers', sets: job.tasks.map((t) => t.set), preempt: flag };
    }
    this.pool.run(request).then(
      (result) => this.settle(job, result, flag),
      (err: unknown) => this.fail(job, err),
    );
  }

  private settle(job: Job, result: BlsJobResult, flag: PreemptFlag | undefined): void {
    this.inFlight--;
    this.jobs++;
    this.preemptible.delete(job);
    this.stopping.delete(job);
    if (job.kind === 'block' && job.task.job === 'block' && result.kind === 'block') {
      this.setsVerified++;
      job.task.resolve(result.verdict);
    } else if (job.kind === 'block' && job.task.job === 'encodedBlock' && result.kind === 'encodedBlock') {
      this.setsVerified++;
      job.task.resolve(result.verdict);
    } else if (job.kind === 'transfers' && result.kind === 'transfers' && result.verdicts.length === job.tasks.length) {
      // Unfinished sets are an answer only from a job that was asked to stop (else a worker
      // answering "unfinished" forever would never be found out).
      const wasPreempted = flag !== undefined && Atomics.load(flag, 0) !== 0;
      const { tasks } = job;
      const verdicts = Array.from(result.verdicts, (i) =>
        i === UNFINISHED && wasPreempted ? UNFINISHED : TRANSFER_VERDICTS[i],
      );
      if (verdicts.every((v) => v !== undefined)) {
        this.batchSizes.add(tasks.length);
        const waiting = this.waiting.get(job.priority)!;
        const unfinished: TransferTask[] = [];
        tasks.forEach((task, i) => {
          const verdict = verdicts[i]!;
          if (verdict === UNFINISHED) return void unfinished.push(task);
          this.setsVerified++;
          // The cache keeps the bare verdict; the caller also gets the verified point.
          this.cache.set(task.key, verdict);
          waiting.delete(task.key);
          if (job.priority === 'transfer') this.transfers.done(task, verdict.ok);
          task.resolve(verdict.ok ? { ok: true, point: pointAt(result.points, i) } : verdict);
        });
        if (unfinished.length > 0) {
          this.preempted++;
          // Still outstanding (their copies wait too): first in line once the urgent job has a
          // thread. Only 'transfer' jobs are pre-empted.
          this.transfers.putBack(unfinished);
        }
      } else this.reject(job, malformed());
    } else this.reject(job, malformed());
    this.dispatch();
  }

  private fail(job: Job, err: unknown): void {
    this.inFlight--;
    this.preemptible.delete(job);
    this.stopping.delete(job);
    const error = err instanceof OurCoinError ? err : malformed();
    if (error.code === WorkerErrorCode.crashed && !this.crashes.has(error)) {
      // One error object per dead thread, shared by all the jobs it had.
      this.crashes.add(error);
      this.workerRestarts++;
    }
    if (this.closed || error.code === WorkerErrorCode.closed) this.reject(job, error);
    else if (job.attempt === 0) {
      this.retried++;
      this.retries.get(job.priority)!.push({ ...job, attempt: 1 });
    } else
      this.reject(
        job,
        error.kind === 'transient' ? error : new OurCoinError(error.code, error.message, 'transient', { cause: error }),
      );
    this.dispatch();
  }

  private reject(job: Job, error: OurCoinError): void {
    const waiting = this.waiting.get(job.priority)!;
    for (const task of tasksOf(job)) {
      if (task.kind === 'transfers') waiting.delete(task.key);
      if (task.kind === 'transfers' && job.priority === 'transfer') this.transfers.done(task);
      task.reject(error);
    }
  }
}

function malformed(): OurCoinError {
  return new OurCoinError(WorkerErrorCode.jobFailed, 'a BLS worker answered with a malformed verdict', 'transient');
}

/**
 * The i-th uncompressed point of a job's reply, copied: a view would keep the whole reply
 * alive for as long as one of its transfers waits in the mempool.
 */
function pointAt(points: Uint8Array, i: number): Uint8Array | undefined {
  const end = (i + 1) * UNCOMPRESSED_SIGNATURE_LENGTH;
  return points.length >= end ? points.slice(end - UNCOMPRESSED_SIGNATURE_LENGTH, end) : undefined;
}
