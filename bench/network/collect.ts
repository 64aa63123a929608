/**
 * One measured point of the simulation: the links set to a delay distribution, a workload
 * run for a stated time, the network left to agree on one tip, and then every figure of
 * RESULTS.md computed from what was recorded: tip arrivals (block propagation), followed
 * transfers, the relays' byte counts, each node's /metrics (compact-block outcomes, gossip
 * bytes, libp2p's byte counters), /proc (CPU, peak RSS) and which mined blocks ended stale.
 */
import { performance } from 'node:perf_hooks';
import type { BlockDetail } from '../../src/api/json.js';
import { cpuSecondsOf, memoryOf } from '../lib/nodes.js';
import { LoadMeter } from '../lib/load.js';
import { percentile } from '../lib/stats.js';
import type { Cluster } from './cluster.js';
import type { LoadPlan, MinedBlock, TransferProbe, Workload } from './load.js';
import { describeDelay } from './topology.js';
import type { DelayDistribution } from './topology.js';

export interface PointSpec {
  readonly delay: DelayDistribution;
  /** Transfers a block is meant to hold on average (tps = size / interval). */
  readonly blockSize: number;
  readonly blockIntervalS: number;
  readonly durationS: number;
}

/** Counters read from a node's /metrics. */
interface Scrape {
  readonly relayed: Record<string, number>;
  readonly gossipBytes: Record<string, number>;
  /** libp2p_data_transfer_bytes_total, summed over protocols: sent and received. */
  readonly libp2pSent: number;
  readonly libp2pReceived: number;
}

export interface PointResult {
  readonly nodes: number;
  readonly relay: string;
  readonly delay: string;
  readonly delayMeanMs: number;
  readonly blockSizeTarget: number;
  readonly blockIntervalS: number;
  readonly durationS: number;
  readonly tps: number;
  /**
   * Seconds from the end of the load until every node had the same tip (null: they did not
   * agree within SETTLE_LIMIT_MS), and the tie-breaking blocks that took (see Workload.settle).
   */
  readonly settleS: number | null;
  readonly tieBreaks: number;
  /** When they did not agree: each node's tip and peers. */
  readonly settleFailure?: string;
  readonly blocksMined: number;
  readonly staleBlocks: number;
  readonly staleRate: number;
  readonly meanTransfersPerBlock: number;
  readonly transfersPosted: number;
  readonly transfersRefused: number;
  /** Median over main-chain blocks of the time (ms) until 50/90/100 % of the nodes had the block as tip. */
  readonly blockP50Ms: number | null;
  readonly blockP90Ms: number | null;
  readonly blockP100Ms: number | null;
  /** Main-chain blocks every node saw as its tip (a node can skip one in a reorganisation). */
  readonly blocksFullySeen: number;
  /** Per block, [t50, t90, t100] in ms (for the charts). */
  readonly perBlockMs: (readonly [number, number, number | null])[];
  /** Relayed blocks rebuilt from the pool alone, of all compact arrivals (null: full relay or none). */
  readonly compactNoFetchShare: number | null;
  readonly relayedOutcomes: Record<string, number>;
  /** Median over followed transfers of the time (ms) until 90 % of the nodes had it. */
  readonly transferP90Ms: number | null;
  readonly probes: number;
  /** Wire bytes a node sent plus received through its links, a second (mean over nodes). */
  readonly wireBytesPerNodePerS: number;
  /** The idle level of the same (gossipsub heartbeats, pings), measured before the load. */
  readonly idleWireBytesPerNodePerS: number;
  /** Wire bytes above idle per node, split by the gossip payload's block/transfer shares. */
  readonly bytesPerNodePerBlock: number | null;
  readonly bytesPerNodePerTransfer: number | null;
  /** libp2p's own byte counters (sent + received, per node a second): the same traffic seen inside. */
  readonly libp2pBytesPerNodePerS: number;
  /** Gossip payload (first copies) received per node, by topic, over the point. */
  readonly gossipPayloadPerNode: Record<string, number>;
  /** Cores used: all nodes together, the link relays, and the machine as a whole. */
  readonly nodeCores: number;
  /** Cores all nodes used together while idle, just before the load. */
  readonly idleNodeCores: number;
  readonly relayCores: number;
  readonly machineCores: number;
  readonly otherCores: number;
  readonly peakRssMbMax: number;
  readonly peakRssMbMedian: number;
  readonly bypasses: string[];
  /** When links were lost: what the nodes logged about lost peers (see Cluster.disconnectReasons). */
  readonly linkLossReasons?: string;
}

function parseScrape(text: string): Scrape {
  const relayed: Record<string, number> = {};
  const gossipBytes: Record<string, number> = {};
  let libp2pSent = 0;
  let libp2pReceived = 0;
  for (const line of text.split('\n')) {
    let m = /^ourcoin_relayed_blocks_total\{outcome="(\w+)"\} (\S+)/.exec(line);
    if (m) relayed[m[1]!] = Number(m[2]);
    m = /^ourcoin_gossip_received_bytes_total\{topic="(\w+)"\} (\S+)/.exec(line);
    if (m) gossipBytes[m[1]!] = Number(m[2]);
    // Only the global counters: the per-protocol ones count the same bytes again.
    m = /^libp2p_data_transfer_bytes_total\{protocol="global (sent|received)"\} (\S+)/.exec(line);
    if (m && m[1] === 'sent') libp2pSent += Number(m[2]);
    else if (m) libp2pReceived += Number(m[2]);
  }
  return { relayed, gossipBytes, libp2pSent, libp2pReceived };
}

async function scrapeAll(cluster: Cluster): Promise<Scrape[]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      // One retry: a loaded node may reset a keep-alive connection.
      const read = async (): Promise<string> => (await fetch(`${n.url}/metrics`)).text();
      return parseScrape(await read().catch(read));
    }),
  );
}

const sumBy = (xs: readonly Record<string, number>[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) for (const [k, v] of Object.entries(x)) out[k] = (out[k] ?? 0) + v;
  return out;
};
const diff = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys({ ...a, ...b }).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
const median = (xs: readonly number[]): number | null => (xs.length === 0 ? null : percentile(xs, 50));

/**
 * An idle network over `ms` (no load, no blocks): wire bytes per node a second, and the cores
 * all nodes used together (heartbeats, pings, status refreshes, timers).
 */
async function idleFloor(cluster: Cluster, pids: readonly number[], ms: number) {
  const a = await cluster.linkStats();
  const cpu0 = pids.map(cpuSecondsOf);
  await new Promise((r) => setTimeout(r, ms));
  const b = await cluster.linkStats();
  const cpu = pids.reduce((s, p, i) => s + cpuSecondsOf(p) - cpu0[i]!, 0);
  const total = b.sent.reduce((s, x) => s + x, 0) - a.sent.reduce((s, x) => s + x, 0);
  // Every byte is sent by one node and received by another: count both ends.
  return { wire: (2 * total) / cluster.nodes.length / (ms / 1000), nodeCores: cpu / (ms / 1000) };
}

/**
 * For each main-chain block: [t50, t90, t100] (ms after the block became its miner's tip)
 * over every node, the miner counting as 0; t100 null when some node never had it as tip.
 */
function blockPropagation(cluster: Cluster, mined: readonly MinedBlock[], main: ReadonlySet<string>) {
  const first = new Map<string, Map<number, number>>();
  for (const a of cluster.arrivals) {
    let m = first.get(a.hash);
    if (!m) first.set(a.hash, (m = new Map<number, number>()));
    if (!m.has(a.node)) m.set(a.node, a.at);
  }
  const n = cluster.nodes.length;
  const out: (readonly [number, number, number | null])[] = [];
  for (const b of mined) {
    const seen = first.get(b.hash);
    const origin = seen?.get(b.miner);
    if (!main.has(b.hash) || !seen || origin === undefined) continue;
    const times = [...seen.values()].map((t) => Math.max(0, t - origin));
    const padded = [...times, ...new Array<number>(n - times.length).fill(Infinity)];
    const t100 = percentile(padded, 100);
    const t90 = percentile(padded, 90);
    if (!Number.isFinite(t90)) continue;
    out.push([percentile(padded, 50), t90, Number.isFinite(t100) ? t100 : null] as const);
  }
  return out;
}

/** When 90 % of the nodes had a followed transfer (ms after it was posted; Infinity if never). */
const transferP90 = (p: TransferProbe): number =>
  percentile(
    p.arrivalMs.map((a) => a ?? Infinity),
    90,
  );

/** The idle window before each point's load. */
const IDLE_MS = 10_000;
/** How long after the load the nodes may take to agree on one tip. */
const SETTLE_LIMIT_MS = 90_000;

export async function runPoint(cluster: Cluster, load: Workload, spec: PointSpec, relay: string): Promise<PointResult> {
  const n = cluster.nodes.length;
  // Links lost during the previous point (a handshake that timed out on a busy node) come back first.
  await cluster.redialLinksDown();
  await cluster.setDelay(spec.delay);
  const pids = cluster.nodes.map((x) => x.proc.pid!);
  const floor = await idleFloor(cluster, pids, IDLE_MS);
  const idle = floor.wire;
  const scrape0 = await scrapeAll(cluster);
  const links0 = await cluster.linkStats();
  const cpu0 = pids.map(cpuSecondsOf);
  const meter = new LoadMeter(pids);
  cluster.arrivals = [];
  const plan: LoadPlan = {
    tps: spec.blockSize / spec.blockIntervalS,
    blockIntervalS: spec.blockIntervalS,
    durationS: spec.durationS,
    probeEveryS: 2,
  };
  const t0 = performance.now();
  const { mined, posted, refused, probes } = await load.run(plan);
  const loadEnd = performance.now();
  const loadSeconds = (loadEnd - t0) / 1000;
  const machine = meter.read();
  const relayMs = ((await cluster.linkStats()).cpuMs ?? 0) - (links0.cpuMs ?? 0);
  const cpu1 = pids.map(cpuSecondsOf);
  let settleS: number | null = null;
  let tieBreaks = 0;
  let settleFailure: string | undefined;
  try {
    // A tie at the last height never resolves by itself (first seen wins): settle mines
    // a block to break it, as the network's next block would.
    ({ tieBreaks } = await load.settle(SETTLE_LIMIT_MS));
    settleS = (performance.now() - loadEnd) / 1000;
  } catch (err) {
    // Recorded as null: the figures below still hold for what happened.
    settleFailure = String(err);
  }
  const scrape1 = await scrapeAll(cluster);
  const links1 = await cluster.linkStats();
  const seconds = (performance.now() - t0) / 1000;

  // Stale blocks: mined, but not on the main chain the nodes agree on.
  const main = new Set<string>();
  await Promise.all(
    mined.map(async (b) => {
      const res = await cluster.call<BlockDetail>(0, 'GET', `/api/v1/blocks/${b.hash}`);
      if (res.status === 200 && res.body.onMainChain) main.add(b.hash);
    }),
  );
  const perBlock = blockPropagation(cluster, mined, main);
  const bypasses = await cluster.bypasses();
  await load.drain();
  const sizes = new Map(cluster.arrivals.map((a) => [a.hash, a.transfers]));
  const mainSizes = mined.filter((b) => main.has(b.hash)).map((b) => sizes.get(b.hash) ?? 0);

  const relayed = diff(sumBy(scrape0.map((s) => s.relayed)), sumBy(scrape1.map((s) => s.relayed)));
  const compactArrivals = (relayed.pool ?? 0) + (relayed.fetched_transfers ?? 0) + (relayed.fetched_block ?? 0);
  const payload = diff(sumBy(scrape0.map((s) => s.gossipBytes)), sumBy(scrape1.map((s) => s.gossipBytes)));
  const libp2pBytes = scrape1.reduce(
    (s, x, i) => s + x.libp2pSent + x.libp2pReceived - scrape0[i]!.libp2pSent - scrape0[i]!.libp2pReceived,
    0,
  );
  const wireTotal =
    links1.sent.reduce((s, x) => s + x, 0) -
    links0.sent.reduce((s, x) => s + x, 0) +
    links1.received.reduce((s, x) => s + x, 0) -
    links0.received.reduce((s, x) => s + x, 0);
  const wirePerNode = wireTotal / n;
  const aboveIdle = Math.max(0, wirePerNode - idle * seconds);
  const payloadTotal = (payload.block ?? 0) + (payload.tx ?? 0);
  const blockShare = payloadTotal > 0 ? (payload.block ?? 0) / payloadTotal : 0;
  const memories = pids.map(memoryOf).map((m) => m.peakMb);
  const t90s = probes.map(transferP90).filter(Number.isFinite);

  return {
    nodes: n,
    relay,
    delay: describeDelay(spec.delay),
    delayMeanMs: (spec.delay.minMs + spec.delay.maxMs) / 2,
    blockSizeTarget: spec.blockSize,
    blockIntervalS: spec.blockIntervalS,
    durationS: spec.durationS,
    tps: plan.tps,
    settleS,
    tieBreaks,
    ...(settleFailure === undefined ? {} : { settleFailure }),
    blocksMined: mined.length,
    staleBlocks: mined.length - main.size,
    staleRate: mined.length > 0 ? (mined.length - main.size) / mined.length : 0,
    meanTransfersPerBlock: mainSizes.length > 0 ? mainSizes.reduce((s, x) => s + x, 0) / mainSizes.length : 0,
    transfersPosted: posted,
    transfersRefused: refused,
    blockP50Ms: median(perBlock.map((b) => b[0])),
    blockP90Ms: median(perBlock.map((b) => b[1])),
    blockP100Ms: median(perBlock.flatMap((b) => (b[2] === null ? [] : [b[2]]))),
    blocksFullySeen: perBlock.filter((b) => b[2] !== null).length,
    perBlockMs: perBlock,
    compactNoFetchShare: compactArrivals > 0 ? (relayed.pool ?? 0) / compactArrivals : null,
    relayedOutcomes: relayed,
    transferP90Ms: median(t90s),
    probes: probes.length,
    wireBytesPerNodePerS: wirePerNode / seconds,
    idleWireBytesPerNodePerS: idle,
    bytesPerNodePerBlock: mined.length > 0 ? (aboveIdle * blockShare) / mined.length : null,
    bytesPerNodePerTransfer: posted > 0 ? (aboveIdle * (1 - blockShare)) / posted : null,
    libp2pBytesPerNodePerS: libp2pBytes / n / seconds,
    gossipPayloadPerNode: Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v / n])),
    nodeCores: cpu1.reduce((s, c, i) => s + c - cpu0[i]!, 0) / loadSeconds,
    idleNodeCores: floor.nodeCores,
    relayCores: relayMs / 1000 / loadSeconds,
    machineCores: machine.machineCores,
    otherCores: machine.otherCores,
    peakRssMbMax: Math.max(...memories),
    peakRssMbMedian: percentile(memories, 50),
    bypasses,
    ...(bypasses.length > 0 ? { linkLossReasons: cluster.disconnectReasons() } : {}),
  };
}
