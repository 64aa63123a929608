/**
 * Signs many transfers on worker threads (one per core): the benchmarks need up to about
 * 200,000 signatures, 0.26 ms each on one core. Each worker can also sum the signatures of
 * consecutive groups into blocks' aggregate signatures.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../src/workers/startWorker.js';
import type { SignReply, SignRequest } from './signWorker.js';

export interface SignItem {
  /** Index into the key list. */
  readonly key: number;
  /** The signing message (every message must have the same length). */
  readonly message: Uint8Array;
}

export interface SignResult {
  readonly signatures: Uint8Array[];
  /** One aggregate per group, when groups were given. */
  readonly aggregates: Uint8Array[];
}

let pool: Worker[] | undefined;
let nextId = 0;
/** Requests waiting on each worker: a worker keeps the process alive only while one does (calls may overlap). */
const waiting = new Map<Worker, number>();

function hold(worker: Worker, delta: 1 | -1): void {
  const n = (waiting.get(worker) ?? 0) + delta;
  waiting.set(worker, n);
  if (n > 0) worker.ref();
  else worker.unref();
}

function workers(): Worker[] {
  if (!pool) {
    pool = Array.from({ length: Math.max(1, availableParallelism()) }, () => {
      const w = startWorker(import.meta.url, 'signWorker');
      w.unref();
      return w;
    });
  }
  return pool;
}

export async function closeSigners(): Promise<void> {
  const p = pool;
  pool = undefined;
  waiting.clear();
  if (p) await Promise.all(p.map((w) => w.terminate()));
}

function run(
  worker: Worker,
  keys: readonly Uint8Array[],
  items: readonly SignItem[],
  groups: readonly number[],
): Promise<SignReply> {
  const messageLength = items[0]?.message.length ?? 0;
  const messages = new Uint8Array(items.length * messageLength);
  const keyIndex = new Int32Array(items.length);
  items.forEach((it, i) => {
    if (it.message.length !== messageLength) throw new Error('all messages must have the same length');
    messages.set(it.message, i * messageLength);
    keyIndex[i] = it.key;
  });
  const id = nextId++;
  const req: SignRequest = { id, keys, keyIndex, messages, messageLength, groups };
  return new Promise<SignReply>((resolve, reject) => {
    const onMessage = (reply: SignReply): void => {
      if (reply.id !== id) return;
      worker.off('message', onMessage);
      worker.off('error', onError);
      hold(worker, -1);
      resolve(reply);
    };
    const onError = (err: Error): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      hold(worker, -1);
      reject(err);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    hold(worker, 1);
    worker.postMessage(req, [messages.buffer, keyIndex.buffer]);
  });
}

/**
 * Signs every item with its key; with `groupSizes`, also returns the aggregate of each run
 * of consecutive items (a block's aggregate signature).
 */
export async function signMany(
  keys: readonly Uint8Array[],
  items: readonly SignItem[],
  groupSizes: readonly number[] = [],
): Promise<SignResult> {
  if (items.length === 0) return { signatures: [], aggregates: [] };
  const ws = workers();
  // Split into one contiguous share per worker, along group boundaries when there are groups.
  const groups = groupSizes.length > 0 ? groupSizes : [];
  const shares: { from: number; to: number; groups: number[] }[] = [];
  if (groups.length > 0) {
    const perWorker = Math.ceil(groups.length / ws.length);
    let at = 0;
    for (let g = 0; g < groups.length; g += perWorker) {
      const gs = groups.slice(g, g + perWorker);
      const size = gs.reduce((a, b) => a + b, 0);
      shares.push({ from: at, to: at + size, groups: gs });
      at += size;
    }
    if (at !== items.length) throw new Error(`group sizes add up to ${at}, not ${items.length}`);
  } else {
    const per = Math.ceil(items.length / ws.length);
    for (let i = 0; i < items.length; i += per)
      shares.push({ from: i, to: Math.min(items.length, i + per), groups: [] });
  }
  const replies = await Promise.all(
    shares.map((s, i) => run(ws[i % ws.length]!, keys, items.slice(s.from, s.to), s.groups)),
  );
  const signatures: Uint8Array[] = [];
  const aggregates: Uint8Array[] = [];
  for (const r of replies) {
    for (let i = 0; i < r.signatures.length; i += 96) signatures.push(r.signatures.slice(i, i + 96));
    for (let i = 0; i < r.aggregates.length; i += 96) aggregates.push(r.aggregates.slice(i, i + 96));
  }
  return { signatures, aggregates };
}
