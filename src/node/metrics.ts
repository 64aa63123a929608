/**
 * The node's Prometheus metrics (served at GET /metrics): one prom-client registry per node,
 * never the global one, so two nodes in one process (tests) do not mix. This is the only
 * module that imports prom-client; services report through their domain's port
 * (`ChainMetrics`, `MempoolMetrics`), and everything that is a level (height, pool size,
 * queues, peers, hash rate) is read on scrape by `collect`, costing nothing in between.
 *
 * Names are `ourcoin_*` with their unit; Node's defaults (`process_*`, `nodejs_*`: RSS, CPU,
 * heap, event-loop lag) and libp2p's own (`libp2p_*`) share the registry.
 * docs/grafana/ourcoin.json reads them.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_RESOLUTION_MS } from './eventLoopMonitor.js';
import type { BlsVerifier } from '../chain/bls/interface.js';
import { VERIFY_PRIORITIES } from '../chain/bls/interface.js';
import type { ChainMetrics, ChainReader } from '../chain/interface.js';
import type { ErrorCode } from '../errors.js';
import type { MempoolMetrics } from '../mempool/interface.js';
import type { MiningControl } from '../miner/interface.js';
import type { PeerMetrics, PeerView, RelayedBlockOutcome, RelayMetrics } from '../network/interface.js';

/** What the level gauges read on each scrape. */
export interface MetricSources {
  readonly chain: ChainReader;
  readonly pool: { readonly size: number; readonly bytes: number };
  readonly verifier: Pick<BlsVerifier, 'stats'>;
  readonly mining: Pick<MiningControl, 'isMining' | 'hashRate'>;
  readonly peers: () => readonly PeerView[];
}

/** Block import takes ~1 ms on the fast path and up to seconds for a large block's pairing. */
const IMPORT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `BlsVerifierStats.batchSizes` bucket i holds jobs of 2^i to 2^(i+1) - 1 sets: its label. */
const batchLabel = (i: number): string => (i === 0 ? '1' : `${2 ** i}-${2 ** (i + 1) - 1}`);

export class NodeMetrics implements ChainMetrics, MempoolMetrics, PeerMetrics, RelayMetrics {
  readonly registry = new Registry();
  private sources: MetricSources | undefined;
  private readonly importSeconds: Histogram<'path'>;
  private readonly admittedTotal: Counter;
  private readonly refusedTotal: Counter<'code'>;
  private readonly penaltiesTotal: Counter;
  private readonly bansTotal: Counter;
  private readonly relayedBlocksTotal: Counter<'outcome'>;
  private readonly gossipBytesTotal: Counter<'topic'>;

  constructor() {
    const registers = [this.registry];
    // prom-client samples event-loop lag with its own timer (10 ms by default): the same coarser
    // resolution as the status monitor's, for the same reason (idle wake-ups).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
    this.importSeconds = new Histogram({
      name: 'ourcoin_block_import_seconds',
      help: 'Time to import a block that connects, by signature path (fast: no pairing needed; full: a pairing)',
      labelNames: ['path'],
      buckets: IMPORT_BUCKETS_SECONDS,
      registers,
    });
    this.admittedTotal = new Counter({
      name: 'ourcoin_mempool_admitted_total',
      help: 'Transfers admitted to the mempool',
      registers,
    });
    this.refusedTotal = new Counter({
      name: 'ourcoin_mempool_refused_total',
      help: 'Transfers the mempool refused, by error code (a stable, bounded set)',
      labelNames: ['code'],
      registers,
    });
    this.penaltiesTotal = new Counter({
      name: 'ourcoin_peer_penalties_total',
      help: 'Score penalties given to peers for breaking a rule (src/network/scoring.ts)',
      registers,
    });
    this.bansTotal = new Counter({
      name: 'ourcoin_peer_bans_total',
      help: 'Peers banned: a penalty took their score to -100',
      registers,
    });
    this.relayedBlocksTotal = new Counter({
      name: 'ourcoin_relayed_blocks_total',
      help: 'Gossiped blocks new to this node, by how they arrived: pool (compact block rebuilt from the mempool alone), fetched_transfers, fetched_block, full (full relay)',
      labelNames: ['outcome'],
      registers,
    });
    this.gossipBytesTotal = new Counter({
      name: 'ourcoin_gossip_received_bytes_total',
      help: 'Bytes of gossiped messages received (first copies: gossipsub drops duplicates unread), by topic (tx, block)',
      labelNames: ['topic'],
      registers,
    });
    this.levels();
  }

  /** Starts reading the services' levels on scrape (they exist only after the chain opened). */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  blockImported(path: 'fast' | 'full', seconds: number): void {
    this.importSeconds.observe({ path }, seconds);
  }

  admitted(count: number): void {
    this.admittedTotal.inc(count);
  }

  refused(code: ErrorCode): void {
    this.refusedTotal.inc({ code });
  }

  penalized(banned: boolean): void {
    this.penaltiesTotal.inc();
    if (banned) this.bansTotal.inc();
  }

  relayedBlock(outcome: RelayedBlockOutcome): void {
    this.relayedBlocksTotal.inc({ outcome });
  }

  gossipReceived(topic: 'tx' | 'block', bytes: number): void {
    this.gossipBytesTotal.inc({ topic }, bytes);
  }

  /** libp2p's own metrics (connections, streams, gossipsub, bytes by protocol) in this registry. */
  libp2pMetrics(): ReturnType<typeof prometheusMetrics> {
    // The default metrics are collected above, with or without the network.
    return prometheusMetrics({ registry: this.registry, collectDefaultMetrics: false });
  }

  /** The text exposition format, for GET /metrics. */
  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** The gauges (and counters kept by the services themselves) read on each scrape. */
  private levels(): void {
    const registers = [this.registry];
    const read = (get: (s: MetricSources) => number) => () => (this.sources ? get(this.sources) : 0);
    const gauge = (name: string, help: string, get: (s: MetricSources) => number): void => {
      const value = read(get);
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    };
    // A running total the service keeps (the verifier's stats): exposed as a counter.
    const total = (name: string, help: string, get: (s: MetricSources) => number): void => {
      const value = read(get);
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    };
    gauge('ourcoin_chain_height', 'Height of the main chain tip', (s) => s.chain.tip.height);
    gauge(
      'ourcoin_chain_cumulative_work_hashes',
      'Expected hashes behind the main chain tip (a float: precision beyond 2^53 is lost)',
      (s) => Number(s.chain.tip.cumulativeWork),
    );
    gauge(
      'ourcoin_chain_orphan_blocks',
      'Blocks waiting in the orphan pool for their parent',
      (s) => s.chain.orphanCount,
    );
    gauge('ourcoin_mempool_transactions', 'Pending transfers in the mempool', (s) => s.pool.size);
    gauge('ourcoin_mempool_bytes', 'Estimated memory of the pending transfers', (s) => s.pool.bytes);
    gauge('ourcoin_miner_mining', '1 while the node mines, else 0', (s) => (s.mining.isMining ? 1 : 0));
    gauge('ourcoin_miner_hash_rate_hashes_per_second', 'Proof-of-work hashes per second while mining', (s) =>
      s.mining.hashRate(),
    );
    gauge(
      'ourcoin_bls_in_flight_jobs',
      'Verification jobs sent to a worker and not answered yet',
      (s) => s.verifier.stats().inFlight,
    );
    total(
      'ourcoin_bls_sets_verified_total',
      'Transfer sets and blocks a verification worker judged',
      (s) => s.verifier.stats().setsVerified,
    );
    total(
      'ourcoin_bls_cache_hits_total',
      'Transfer sets answered from the verdict cache',
      (s) => s.verifier.stats().cacheHits,
    );
    total(
      'ourcoin_bls_busy_refusals_total',
      'Transfer sets refused MEMPOOL_BUSY (their queue was full)',
      (s) => s.verifier.stats().refused,
    );
    const sources = (): MetricSources | undefined => this.sources;
    new Gauge({
      name: 'ourcoin_bls_queued_sets',
      help: 'Signature sets waiting for a verification worker, by priority (a block is one set)',
      labelNames: ['priority'],
      registers,
      collect() {
        const queued = sources()?.verifier.stats().queued;
        for (const priority of VERIFY_PRIORITIES) this.set({ priority }, queued?.[priority] ?? 0);
      },
    });
    new Counter({
      name: 'ourcoin_bls_transfer_jobs_total',
      help: 'Transfer verification jobs by batch size in sets (label: the size range)',
      labelNames: ['sets'],
      registers,
      collect() {
        this.reset();
        sources()
          ?.verifier.stats()
          .batchSizes.forEach((count, i) => this.inc({ sets: batchLabel(i) }, count));
      },
    });
    new Gauge({
      name: 'ourcoin_peers',
      help: 'Connected peers, by direction',
      labelNames: ['direction'],
      registers,
      collect() {
        const peers = sources()?.peers() ?? [];
        const inbound = peers.filter((p) => p.direction === 'inbound').length;
        this.set({ direction: 'inbound' }, inbound);
        this.set({ direction: 'outbound' }, peers.length - inbound);
      },
    });
    const scores = (s: MetricSources): number[] => s.peers().map((p) => p.score);
    gauge(
      'ourcoin_peer_score_min',
      'Lowest score of a connected peer (0 neutral, -100 banned; 0 without peers)',
      (s) => {
        const all = scores(s);
        return all.length === 0 ? 0 : Math.min(...all);
      },
    );
    gauge('ourcoin_peer_score_mean', 'Mean score of the connected peers (0 without peers)', (s) => {
      const all = scores(s);
      return all.length === 0 ? 0 : all.reduce((a, b) => a + b, 0) / all.length;
    });
  }
}
