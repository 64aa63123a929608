/**
 * User-space link emulation (this kernel has no netem): one TCP relay on loopback per link of
 * the topology. The dialing node is given the relay's address instead of its peer's, and the
 * relay forwards each chunk, in order, after the link's one-way delay, once the sending
 * node's upload has room for it (one token bucket a node, shared by all its links, so a
 * node's uplink is a shared bottleneck as it is at home). Both directions of a link have the
 * same delay. Downloads are not capped: every byte uploaded by one node is downloaded by
 * another, so with every node capped alike the upload cap bounds both.
 *
 * The relays run on a worker thread (linkWorker.ts), away from the simulator's measuring and
 * load clients, so that a busy simulator does not stretch the emulated delays; the thread's
 * CPU time is their cost.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../src/workers/startWorker.js';
import { cpuSecondsOf } from '../lib/nodes.js';

export interface LinkStats {
  /** Bytes each node sent into its links (index: node). */
  readonly sent: number[];
  /** Bytes the links delivered to each node. */
  readonly received: number[];
  /** Every socket a relay holds to a node: which node, and the port on the node's side's far end. */
  readonly sockets: readonly RelaySocket[];
  /** CPU time the relays' thread has used so far (ms; null where /proc/thread-self is missing). */
  readonly cpuMs: number | null;
}

/**
 * CPU time of the calling thread (ms), not the event loop's busy time, which on an
 * oversubscribed machine counts the time the thread waited for a core as work.
 */
function threadCpuMs(): number | null {
  try {
    return cpuSecondsOf('thread-self') * 1000;
  } catch {
    // No /proc/thread-self (not Linux).
    return null;
  }
}

/**
 * A relay's socket to a node, to check that nodes talk only through relays: the dialer's
 * connection reaches `relayPort` (the relay's listen port), and the listener sees a
 * connection from `relayPort` (the relay's outbound local port).
 */
export interface RelaySocket {
  readonly node: number;
  readonly direction: 'outbound' | 'inbound';
  readonly relayPort: number;
}

/** Past this many bytes waiting in one direction the sender is paused (TCP pushes back on it). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

interface Pending {
  readonly chunk: Buffer;
  readonly at: number;
}

/** One direction of a link: chunks from `src` delivered to `dst` at their time, in order. */
class Direction {
  private readonly queue: Pending[] = [];
  private head = 0;
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly links: Links,
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly srcNode: number,
    private readonly dstNode: number,
    private readonly delayMs: () => number,
  ) {
    src.on('data', (chunk: Buffer) => this.push(chunk));
    src.on('end', () => {
      this.ended = true;
      this.flush();
    });
  }

  private push(chunk: Buffer): void {
    this.links.sent[this.srcNode]! += chunk.length;
    const sentAt = this.links.uplinkDone(this.srcNode, chunk.length);
    this.queue.push({ chunk, at: sentAt + this.delayMs() });
    this.queued += chunk.length;
    if (this.queued > MAX_QUEUED_BYTES) this.src.pause();
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.head >= this.queue.length) return;
    const wait = Math.max(0, this.queue[this.head]!.at - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const now = performance.now();
    while (this.head < this.queue.length && this.queue[this.head]!.at <= now) {
      const { chunk } = this.queue[this.head++]!;
      this.queued -= chunk.length;
      this.links.received[this.dstNode]! += chunk.length;
      if (!this.dst.destroyed) this.dst.write(chunk);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.queued < MAX_QUEUED_BYTES / 4 && this.src.isPaused()) this.src.resume();
    if (this.head < this.queue.length) this.arm();
    else if (this.ended && !this.dst.destroyed) this.dst.end();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export interface LinkOptions {
  readonly nodes: number;
  /** Upload cap of every node, bytes a second; null: none. */
  readonly uploadBytesPerSecond: number | null;
}

/** The relays of one simulated network (run on the link thread, or in-process). */
export class Links {
  readonly sent: number[];
  readonly received: number[];
  private readonly uplinkFreeAt: number[];
  private readonly delays: number[] = [];
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly relaySockets: RelaySocket[] = [];
  private readonly directions = new Set<Direction>();

  constructor(private readonly opts: LinkOptions) {
    this.sent = new Array<number>(opts.nodes).fill(0);
    this.received = new Array<number>(opts.nodes).fill(0);
    this.uplinkFreeAt = new Array<number>(opts.nodes).fill(0);
  }

  /** When `bytes` sent by `node` now have left its uplink (ms, performance clock). */
  uplinkDone(node: number, bytes: number): number {
    const now = performance.now();
    const rate = this.opts.uploadBytesPerSecond;
    if (rate === null) return now;
    const done = Math.max(now, this.uplinkFreeAt[node]!) + (bytes * 1000) / rate;
    this.uplinkFreeAt[node] = done;
    return done;
  }

  /** Opens the relay of link `index` (dialer `from`, listener `to` on `targetPort`); resolves to its port. */
  async open(index: number, from: number, to: number, targetPort: number, delayMs: number): Promise<number> {
    this.delays[index] = delayMs;
    const delay = (): number => this.delays[index]!;
    const server = createServer({ noDelay: true }, (inbound) => {
      const outbound = createConnection({ host: '127.0.0.1', port: targetPort, noDelay: true });
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => {
          this.sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
        s.on('error', () => undefined);
      }
      // Paused until the far side is connected: nothing is lost meanwhile.
      inbound.pause();
      outbound.on('connect', () => {
        const port = (server.address() as { port: number }).port;
        this.relaySockets.push(
          { node: from, direction: 'outbound', relayPort: port },
          { node: to, direction: 'inbound', relayPort: outbound.localPort! },
        );
        const up = new Direction(this, inbound, outbound, from, to, delay);
        const down = new Direction(this, outbound, inbound, to, from, delay);
        this.directions.add(up).add(down);
        inbound.once('close', () => {
          up.stop();
          down.stop();
          this.directions.delete(up);
          this.directions.delete(down);
        });
        inbound.resume();
      });
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  /** New one-way delays, by link index (a sweep point's distribution). */
  setDelays(delays: readonly number[]): void {
    delays.forEach((d, i) => (this.delays[i] = d));
  }

  stats(): LinkStats {
    // Only sockets still open: a closed connection's ports may be reused.
    return {
      sent: [...this.sent],
      received: [...this.received],
      sockets: [...this.relaySockets],
      cpuMs: threadCpuMs(),
    };
  }

  close(): void {
    for (const d of this.directions) d.stop();
    for (const s of this.sockets) s.destroy();
    for (const server of this.servers) server.close();
  }
}

/** What the simulator sends the link thread. */
export type LinkRequest =
  | { readonly id: number; readonly type: 'open'; readonly links: readonly LinkSpec[] }
  | { readonly id: number; readonly type: 'delays'; readonly delays: readonly number[] }
  | { readonly id: number; readonly type: 'stats' };

export interface LinkSpec {
  readonly from: number;
  readonly to: number;
  readonly targetPort: number;
  readonly delayMs: number;
}

export interface LinkReply {
  readonly id: number;
  readonly ports?: number[];
  readonly stats?: LinkStats;
  readonly error?: string;
}

/** The simulator's handle on the link thread. */
export class LinkThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, (r: LinkReply) => void>();

  constructor(opts: LinkOptions) {
    this.worker = startWorker(import.meta.url, 'linkWorker', { workerData: opts });
    this.worker.on('message', (r: LinkReply) => {
      const done = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      done?.(r);
    });
    this.worker.on('error', (err) => {
      for (const done of this.waiting.values()) done({ id: -1, error: String(err) });
      this.waiting.clear();
    });
  }

  private call(req: Omit<LinkRequest, 'id'> & { type: LinkRequest['type'] }): Promise<LinkReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (r) => (r.error ? reject(new Error(`link thread: ${r.error}`)) : resolve(r)));
      this.worker.postMessage({ ...req, id });
    });
  }

  /** Opens a relay per link; resolves to their ports, in order. */
  async open(links: readonly LinkSpec[]): Promise<number[]> {
    return (await this.call({ type: 'open', links } as Omit<LinkRequest, 'id'>)).ports!;
  }

  async setDelays(delays: readonly number[]): Promise<void> {
    await this.call({ type: 'delays', delays } as Omit<LinkRequest, 'id'>);
  }

  async stats(): Promise<LinkStats> {
    return (await this.call({ type: 'stats' })).stats!;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
