/**
 * The simulated network: N real `ourcoin node` processes (regtest, from dist/), each with
 * its own data directory, connected only through the link relays (links.ts) along a random
 * topology; a stream of every node's events (GET /api/v1/events: its tips, and the transfers
 * to the simulator's probe address) timestamped on the one clock all processes share; and the
 * checks that no node talks to another but through its relays.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HIGH_RATE_LIMIT, startRegtestNode, stopNode } from '../lib/nodes.js';
import type { NodeProcess } from '../lib/nodes.js';
import { tempDir } from '../lib/chainData.js';
import type { StatusJson } from '../../src/api/json.js';
import type { PeerView } from '../../src/network/interface.js';
import type { BlockRelay } from '../../src/network/interface.js';
import { LinkThread } from './links.js';
import type { LinkStats } from './links.js';
import { drawDelays, randomTopology } from './topology.js';
import type { DelayDistribution, Edge } from './topology.js';

export interface ClusterOptions {
  readonly nodes: number;
  readonly degree: number;
  readonly delay: DelayDistribution;
  /** Upload cap of every node, bytes a second (null: none). */
  readonly uploadBytesPerSecond: number | null;
  readonly relay: BlockRelay;
  readonly random: () => number;
  /** Nodes started at once (each start costs a core for a moment). */
  readonly startConcurrency?: number;
  /** Called with progress lines. */
  readonly log?: (line: string) => void;
}

/** A new main-chain tip at one node, as its event stream told the simulator. */
export interface TipArrival {
  readonly node: number;
  readonly hash: string;
  readonly height: number;
  readonly transfers: number;
  /** performance.now() of the simulator when the event arrived. */
  readonly at: number;
}

interface TipEventJson {
  height: number;
  hash: string;
  transfers: number;
}

interface TransferEventJson {
  type: string;
  txid: string;
}

/** The node flags the simulator runs every node with; the reasons are in docs/decisions/0021. */
function nodeArgs(relay: BlockRelay, maxPeers: number): string[] {
  return [
    '--verify-threads',
    '1',
    '--max-mempool',
    '16',
    '--rate-limit',
    HIGH_RATE_LIMIT,
    '--max-peers',
    String(maxPeers),
    '--relay',
    relay,
    '--log-level',
    process.env.SIM_NODE_LOG_LEVEL ?? 'warn',
    '--log-format',
    'json',
  ];
}

/** Dials in flight while the topology is connected, and rounds of dials of the links still down. */
const DIAL_CONCURRENCY = 8;
const CONNECT_ROUNDS = Number(process.env.SIM_CONNECT_ROUNDS ?? 8);
/** A dial that has not answered by then is given up (and tried again). */
const DIAL_LIMIT_MS = 30_000;

export class Cluster {
  readonly nodes: NodeProcess[] = [];
  readonly edges: Edge[];
  readonly peerIds: string[] = [];
  readonly p2pPorts: number[] = [];
  /** Every tip event of every node since the stream opened, in arrival order (cleared each point). */
  arrivals: TipArrival[] = [];
  /**
   * When each node first had each probe transfer (accepted to its pool, or confirmed in a block
   * it took): txid -> node -> performance.now(). Only transfers to the probe address are streamed,
   * one every few seconds, and the map is cleared each point.
   */
  transferSightings = new Map<string, Map<number, number>>();
  private links: LinkThread | undefined;
  private relayPorts: number[] = [];
  private readonly streams: IncomingMessage[] = [];
  private readonly root: string;

  constructor(private readonly opts: ClusterOptions) {
    this.edges = randomTopology(opts.nodes, opts.degree, opts.random);
    this.root = tempDir('sim');
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Starts every node (p2p on loopback, not connected yet) and the link thread. */
  async start(): Promise<void> {
    if (!existsSync('dist/cli/main.js')) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
    const { nodes, relay, startConcurrency = 6 } = this.opts;
    const maxDegree = Math.max(...this.degrees());
    let next = 0;
    const starter = async (): Promise<void> => {
      while (next < nodes) {
        const i = next++;
        const datadir = join(this.root, `node${i}`);
        mkdirSync(datadir, { recursive: true });
        // No --peer, no mDNS: the simulator connects nodes itself, through the relays.
        // SIM_PROFILE_DIR: node 0 runs under V8's sampling profiler (a .cpuprofile per thread, at exit).
        const profile = process.env.SIM_PROFILE_DIR;
        const flags = profile && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
        this.nodes[i] = await startRegtestNode(datadir, nodeArgs(relay, maxDegree + 8), {}, flags, { fromDist: true });
        const st = await this.status(i);
        this.peerIds[i] = st.p2p!.peerId;
        this.p2pPorts[i] = Number(/\/tcp\/(\d+)/.exec(st.p2p!.multiaddrs[0]!)![1]);
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(startConcurrency, nodes) }, starter));
    this.log(`${nodes} nodes started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    this.links = new LinkThread({ nodes, uploadBytesPerSecond: this.opts.uploadBytesPerSecond });
  }

  /** Each node's number of links in the topology. */
  degrees(): number[] {
    const d = new Array<number>(this.opts.nodes).fill(0);
    for (const e of this.edges) {
      d[e.from]!++;
      d[e.to]!++;
    }
    return d;
  }

  /** Opens a relay per link and has each dialer connect to its relay. */
  async connect(): Promise<void> {
    const delays = drawDelays(this.edges, this.opts.delay, this.opts.random);
    this.relayPorts = await this.linkThread.open(
      this.edges.map((e, i) => ({ from: e.from, to: e.to, targetPort: this.p2pPorts[e.to]!, delayMs: delays[i]! })),
    );
    const t0 = performance.now();
    await this.redialLinksDown();
    this.log(`${this.edges.length} links connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** Dials the links that are down (all of them at first, any lost since later), in rounds until all are up. */
  async redialLinksDown(): Promise<void> {
    // Rounds of dials of the links still down: a connection can fail or be dropped (a handshake
    // that timed out on a busy node) and nothing else redials it, as these are not --peer addresses.
    for (let round = 1; ; round++) {
      const down = await this.linksDown();
      if (down.length === 0) break;
      if (round > CONNECT_ROUNDS)
        throw new Error(
          `${down.length} links still down after ${CONNECT_ROUNDS} rounds of dials; what the nodes logged:\n${this.disconnectReasons()}`,
        );
      if (round > 1) this.log(`${down.length} links down: dialing them again`);
      await this.dialLinks(down);
    }
  }

  /**
   * The nodes' log lines about lost peers, counted by message and reason: bans at the default
   * level (warn), handshake and refresh failures and penalties with SIM_NODE_LOG_LEVEL=info.
   */
  disconnectReasons(): string {
    const counts = new Map<string, number>();
    for (const n of this.nodes)
      for (const line of n.output().split('\n')) {
        const m = /"msg":"([^"]*(?:disconnect|penalis|ban|stopped|failed)[^"]*)"/.exec(line);
        const why = /"(?:err|why)":"([^"]{0,160})/.exec(line)?.[1] ?? '';
        if (m) counts.set(`${m[1]} ${why}`, (counts.get(`${m[1]} ${why}`) ?? 0) + 1);
      }
    return [...counts].map(([k, v]) => `${v} x ${k}`).join('\n') || '(nothing: run with SIM_NODE_LOG_LEVEL=info)';
  }

  /** Indices of the links whose dialer has no connection to the other end. */
  private async linksDown(): Promise<number[]> {
    const peers = await Promise.all(
      this.nodes.map(
        async (_, i) => new Set((await this.call<PeerView[]>(i, 'GET', '/api/v1/peers')).body.map((p) => p.peerId)),
      ),
    );
    return this.edges.flatMap((e, i) => (peers[e.from]!.has(this.peerIds[e.to]!) ? [] : [i]));
  }

  /**
   * Dials `links`, a few at a time: hundreds of Noise handshakes at once over delayed links on two
   * busy cores run into libp2p's dial timeout, and into its limit of 5 inbound connections a
   * second per host (every relay connects from 127.0.0.1). A failed dial waits for the next round.
   */
  private async dialLinks(links: readonly number[]): Promise<void> {
    let next = 0;
    let done = 0;
    const dialer = async (): Promise<void> => {
      while (next < links.length) {
        const i = links[next++]!;
        const e = this.edges[i]!;
        await this.dial(e.from, `/ip4/127.0.0.1/tcp/${this.relayPorts[i]}/p2p/${this.peerIds[e.to]}`);
        done++;
      }
    };
    const progress = setInterval(() => this.log(`${done} of ${links.length} dials done`), 10_000);
    await Promise.all(Array.from({ length: DIAL_CONCURRENCY }, dialer)).finally(() => clearInterval(progress));
  }

  /**
   * An API call to node `i`, tried again after a network error (a loaded node may reset a
   * keep-alive connection); fails at once, with the node's last output, if it has exited.
   */
  async call<T = unknown>(i: number, method: 'GET' | 'POST', path: string, body?: unknown, attempts = 3) {
    const node = this.nodes[i]!;
    for (let attempt = 1; ; attempt++) {
      if (node.proc.exitCode !== null || node.proc.signalCode !== null)
        throw new Error(
          `node ${i} exited (${node.proc.exitCode ?? node.proc.signalCode}):\n${node.output().slice(-2000)}`,
        );
      try {
        return await (method === 'GET' ? node.get<T>(path) : node.post<T>(path, body));
      } catch (err) {
        if (attempt >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  /** Has node `from` dial `address` (POST /api/v1/peers): 'connected', or why not. */
  private async dial(from: number, address: string): Promise<string> {
    try {
      const res = await fetch(`${this.nodes[from]!.url}/api/v1/peers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
        signal: AbortSignal.timeout(DIAL_LIMIT_MS),
      });
      return res.status === 200 ? 'connected' : await res.text();
    } catch (err) {
      return String(err);
    }
  }

  /** New one-way delays for every link, drawn from `d` (the next sweep point). */
  async setDelay(d: DelayDistribution): Promise<void> {
    await this.linkThread.setDelays(drawDelays(this.edges, d, this.opts.random));
  }

  linkStats(): Promise<LinkStats> {
    return this.linkThread.stats();
  }

  private get linkThread(): LinkThread {
    if (!this.links) throw new Error('the cluster is not started');
    return this.links;
  }

  /**
   * Every node's connections against the relays' sockets: each must be one a relay holds
   * (the dialer's to the relay's port, the listener's from the relay's port), and each node
   * has exactly its topology links. A node that dialed a peer directly (found through
   * identify, say) would show a connection no relay knows. Returns the problems found.
   */
  async bypasses(): Promise<string[]> {
    const stats = await this.linkStats();
    const known = new Set(stats.sockets.map((s) => `${s.node}:${s.direction}:${s.relayPort}`));
    const want = this.degrees();
    const problems: string[] = [];
    await Promise.all(
      this.nodes.map(async (n, i) => {
        const peers = (await this.call<PeerView[]>(i, 'GET', '/api/v1/peers')).body;
        if (peers.length !== want[i]) problems.push(`node ${i} has ${peers.length} peers, its links are ${want[i]}`);
        for (const p of peers) {
          const port = /\/tcp\/(\d+)/.exec(p.address)?.[1];
          if (!known.has(`${i}:${p.direction}:${port}`))
            problems.push(`node ${i} has a ${p.direction} connection ${p.address} that no relay holds`);
        }
      }),
    );
    return problems;
  }

  async status(i: number): Promise<StatusJson> {
    return (await this.call<StatusJson>(i, 'GET', '/api/v1/status')).body;
  }

  /**
   * Opens every node's event stream: its tip events, and the transfer events of `probeAddress`
   * (the stream filters them, so a node sends only what the simulator follows). Following
   * transfers this way costs a node one event per sighting; polling every node for every
   * followed transfer cost thousands of requests a second on a slow network and starved the
   * nodes it measured.
   */
  async streamEvents(probeAddress: string): Promise<void> {
    await Promise.all(this.nodes.map((n, i) => this.openStream(n, i, probeAddress)));
  }

  private openStream(n: NodeProcess, node: number, probeAddress: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = `${n.url}/api/v1/events?address=${encodeURIComponent(probeAddress)}`;
      const req = httpRequest(url, { headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`node ${node}: events answered ${res.statusCode}`));
        this.streams.push(res);
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const event = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = /^data: (.*)$/m.exec(event)?.[1];
            const type = /^event: (\w+)$/m.exec(event)?.[1];
            if (!data) continue;
            if (type === 'tip') {
              const tip = JSON.parse(data) as TipEventJson;
              this.arrivals.push({ node, hash: tip.hash, height: tip.height, transfers: tip.transfers, at });
            } else if (type === 'transfer') this.sawTransfer(node, JSON.parse(data) as TransferEventJson, at);
          }
        });
        res.on('error', () => undefined);
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
  }

  private sawTransfer(node: number, e: TransferEventJson, at: number): void {
    if (e.type !== 'accepted' && e.type !== 'confirmed') return;
    let seen = this.transferSightings.get(e.txid);
    if (!seen) this.transferSightings.set(e.txid, (seen = new Map<number, number>()));
    if (!seen.has(node)) seen.set(node, at);
  }

  /** Polls `check` every 200 ms until it holds; fails after `timeoutMs`. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5 * 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }

  /** Every node's status, in node order. */
  statuses(): Promise<StatusJson[]> {
    return Promise.all(this.nodes.map((_, i) => this.status(i)));
  }

  /** The tip of every node, when they all agree; else undefined. */
  async commonTip(): Promise<{ hash: string; height: number } | undefined> {
    return commonTipOf(await this.statuses());
  }

  /** Stops everything and removes the data directories. */
  async stop(): Promise<void> {
    for (const s of this.streams) s.destroy();
    await Promise.all(this.nodes.filter(Boolean).map((n) => stopNode(n, 10_000)));
    await this.links?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The tip all of `statuses` share, or undefined when they differ. */
export function commonTipOf(statuses: readonly StatusJson[]): { hash: string; height: number } | undefined {
  const first = statuses[0]!;
  return statuses.every((t) => t.tipHash === first.tipHash) ? { hash: first.tipHash, height: first.height } : undefined;
}
