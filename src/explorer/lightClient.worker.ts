/**
 * The "Verify the chain" worker: runs the light client (lightClient.ts) off the page's main
 * thread. It follows its sources one operation at a time (a queue, so two downloads never
 * write the stored chain at once), and follows each source's event stream: a `tip` event
 * queues another follow of that source, which verifies the new headers or the reorg.
 */
import { networkByName } from '../protocol/networks.js';
import { LightClient } from './lightClient.js';
import type { ProofVerdict, SourceStatus, SyncProgress, TipInfo } from './lightClient.js';

/** Sources followed at most: this node and one more the user names. */
export const MAX_SOURCES = 2;

export type LightRequest =
  | { readonly type: 'start'; readonly network: string; readonly sources: readonly string[] }
  | { readonly type: 'addSource'; readonly url: string }
  | { readonly type: 'prove'; readonly txid: string }
  | { readonly type: 'reset' };

export type LightMessage =
  | { readonly type: 'progress'; readonly progress: SyncProgress }
  | { readonly type: 'source'; readonly status: SourceStatus }
  | { readonly type: 'tip'; readonly tip: TipInfo; readonly reorg?: { fork: number; from: TipInfo } }
  | { readonly type: 'proof'; readonly verdict: ProofVerdict }
  | { readonly type: 'idle' }
  | { readonly type: 'error'; readonly message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LightRequest>) => void) | null;
  postMessage(message: LightMessage): void;
}

const scope = globalThis as unknown as WorkerScope;
const post = (m: LightMessage): void => scope.postMessage(m);

let client: LightClient | undefined;
const sources: string[] = [];
const streams = new Map<string, EventSource>();
let queue: Promise<unknown> = Promise.resolve();
/** Follows waiting in the queue, by source: a burst of tip events queues one follow, not one each. */
const queuedFollow = new Set<string>();

function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job);
  queue = run.then(
    () => (queuedFollow.size === 0 ? post({ type: 'idle' }) : undefined),
    (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
  return run;
}

function follow(url: string): void {
  if (queuedFollow.has(url)) return;
  queuedFollow.add(url);
  void enqueue(async () => {
    queuedFollow.delete(url);
    await client!.follow(url);
  });
}

function addSource(url: string): void {
  if (sources.includes(url) || sources.length >= MAX_SOURCES) return;
  sources.push(url);
  follow(url);
  const stream = new EventSource(`${url}/api/v1/events`);
  stream.addEventListener('tip', () => follow(url));
  streams.set(url, stream);
}

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'start':
      void enqueue(async () => {
        client = await LightClient.open(networkByName(request.network), {
          progress: (progress) => post({ type: 'progress', progress }),
          source: (status) => post({ type: 'source', status }),
          tip: (tip, reorg) => {
            post(reorg ? { type: 'tip', tip, reorg } : { type: 'tip', tip });
            // Another branch won: every source's verdict is to be taken again against it.
            if (reorg) for (const url of sources) follow(url);
          },
        });
        post({ type: 'tip', tip: client.verifiedTip });
      });
      for (const url of request.sources) addSource(url);
      return;
    case 'addSource':
      addSource(request.url);
      return;
    case 'prove':
      void enqueue(async () => post({ type: 'proof', verdict: await client!.prove(sources[0]!, request.txid) }));
      return;
    case 'reset':
      void enqueue(() => client!.reset());
      for (const url of sources) follow(url);
      return;
  }
};
