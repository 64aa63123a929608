/**
 * Worker thread of the ParallelMiner: hashes the nonce range of the job it was given and
 * reports; it never sees the chain.
 *
 * In:  {type:'job', jobId, header (120 bytes), target (64 hex digits), hasher, startNonce,
 *      endNonce} replaces the current job at once; {type:'stop'} drops it.
 * Out: {type:'found', jobId, nonce} (the job then ends), {type:'exhausted', jobId} (range
 *      done without success), {type:'progress', jobId, hashes} about every 250 ms and
 *      before each of the others, so the parent can count every hash.
 *
 * The search runs in chunks sized to take about CHUNK_MS each, and yields to the event
 * loop (setImmediate) between chunks so that a new job or a stop is read within one chunk.
 * The first chunk of a job runs as soon as its message arrives.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { NonceSearcher, loadPowHasher } from './hasher.js';
import type { PowHasher, PowHasherName } from './hasher.js';
import { MINER_THREAD_NICE, setThisThreadNice } from '../workers/threadPriority.js';

setThisThreadNice(MINER_THREAD_NICE);

export interface WorkerJobMessage {
  readonly type: 'job';
  readonly jobId: number;
  readonly header: Uint8Array;
  /** The target as 64 hex digits (big-endian). */
  readonly target: string;
  /** The backend the parent chose at start (the same on every thread). */
  readonly hasher: PowHasherName;
  readonly startNonce: bigint;
  /** Exclusive, at most 2^64. */
  readonly endNonce: bigint;
}
export type ToWorkerMessage = WorkerJobMessage | { readonly type: 'stop' };
export type FromWorkerMessage =
  | { readonly type: 'found'; readonly jobId: number; readonly nonce: bigint }
  | { readonly type: 'progress'; readonly jobId: number; readonly hashes: number }
  | { readonly type: 'exhausted'; readonly jobId: number };

/** Wall time a chunk should take: bounds how late a new job or a stop is seen. */
const CHUNK_MS = 10;
const MIN_CHUNK = 1 << 10;
const MAX_CHUNK = 1 << 20;
const PROGRESS_MS = 250;

interface ActiveJob {
  readonly jobId: number;
  readonly searcher: NonceSearcher;
  next: bigint;
  readonly end: bigint;
}

function run(port: MessagePort): void {
  let job: ActiveJob | undefined;
  let hasher: PowHasher | undefined;
  let pending: NodeJS.Immediate | undefined;
  let chunk = 1 << 14;
  let unreported = 0;
  let unreportedJob = 0;
  let lastReport = performance.now();

  const post = (msg: FromWorkerMessage): void => port.postMessage(msg);

  const report = (): void => {
    if (unreported > 0) post({ type: 'progress', jobId: unreportedJob, hashes: unreported });
    unreported = 0;
    lastReport = performance.now();
  };

  const end = (msg: FromWorkerMessage): void => {
    report();
    post(msg);
    job = undefined;
  };

  const step = (): void => {
    pending = undefined;
    const j = job;
    if (j === undefined) return;
    const left = j.end - j.next;
    const count = left < BigInt(chunk) ? Number(left) : chunk;
    const started = performance.now();
    const { nonce, tried } = j.searcher.search(j.next, count);
    const now = performance.now();
    if (nonce === undefined && count === chunk) {
      const factor = CHUNK_MS / Math.max(now - started, 0.01);
      chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * Math.min(2, Math.max(0.5, factor)))));
    }
    if (unreported > 0 && unreportedJob !== j.jobId) report();
    unreportedJob = j.jobId;
    unreported += tried;
    j.next += BigInt(tried);
    if (nonce !== undefined) return end({ type: 'found', jobId: j.jobId, nonce });
    if (j.next >= j.end) return end({ type: 'exhausted', jobId: j.jobId });
    if (now - lastReport >= PROGRESS_MS) report();
    pending = setImmediate(step);
  };

  port.on('message', (msg: ToWorkerMessage) => {
    if (pending !== undefined) clearImmediate(pending);
    pending = undefined;
    if (msg.type === 'stop') {
      job = undefined;
      report();
      return;
    }
    if (hasher?.name !== msg.hasher) hasher = loadPowHasher(msg.hasher);
    job = {
      jobId: msg.jobId,
      searcher: new NonceSearcher(msg.header, BigInt('0x' + msg.target), hasher),
      next: msg.startNonce,
      end: msg.endNonce,
    };
    step();
  });
}

if (parentPort !== null) run(parentPort);
