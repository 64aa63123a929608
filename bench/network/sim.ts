/**
 * `npm run sim`: a network of real `ourcoin node` processes (regtest, from dist/) on
 * emulated internet links, measured. See docs/decisions/0021-network-simulation.md.
 *
 *   npm run sim -- --nodes 50               one run (defaults below), results in --out
 *   npm run sim -- --nodes 20 --delay-ms 20-200 --bandwidth 10mbit --block-size 30 --duration 90
 *   npm run sim -- --relay full             whole-block relay instead of compact blocks
 *   npm run sim -- sweep                    the grid behind bench/network/RESULTS.md (about 40 min)
 *   npm run sim:sweep                       the same
 *
 * Every node process is stopped at the end, on an error and on SIGINT / SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { closeSigners } from '../lib/sign.js';
import { killAllNodesNow } from '../lib/nodes.js';
import { BLOCK_RELAYS } from '../../src/network/interface.js';
import type { BlockRelay } from '../../src/network/interface.js';
import { Cluster } from './cluster.js';
import { runPoint } from './collect.js';
import type { PointResult, PointSpec } from './collect.js';
import { Workload } from './load.js';
import { parseBandwidth, parseDelay, randomSource } from './topology.js';
import type { DelayDistribution } from './topology.js';
import { machineNote, writeRunSummary, writeSweepReport } from './report.js';
import type { NetworkRun, SweepResults } from './report.js';

export const NETWORK_BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export interface SimConfig {
  readonly nodes: number;
  readonly degree: number;
  readonly delay: DelayDistribution;
  /** Upload cap of every node, bytes a second (null: none). */
  readonly uploadBytesPerSecond: number | null;
  readonly miners: number;
  readonly relay: BlockRelay;
  readonly seed: number;
  /** Transfer clients, and funded keys each (a key may have 64 transfers pending: see maxNonceGap). */
  readonly clients: number;
  readonly keysPerClient: number;
  readonly log: (line: string) => void;
}

export interface Simulation {
  readonly cluster: Cluster;
  readonly load: Workload;
  /** Seconds from the first process start to a connected, synced, streaming network. */
  readonly setupS: number;
  stop(): Promise<void>;
}

/**
 * Starts the nodes, funds the transfer keys (at node 0, before it is connected: its peers
 * sync those blocks through the links), connects the topology through the relays, waits for
 * one tip everywhere and opens every node's tip stream. On failure everything started is stopped.
 */
export async function startSimulation(cfg: SimConfig): Promise<Simulation> {
  const t0 = performance.now();
  const random = randomSource(cfg.seed);
  const cluster = new Cluster({
    nodes: cfg.nodes,
    degree: cfg.degree,
    delay: cfg.delay,
    uploadBytesPerSecond: cfg.uploadBytesPerSecond,
    relay: cfg.relay,
    random,
    log: cfg.log,
  });
  try {
    await cluster.start();
    const miners = pickMiners(cfg.nodes, cfg.miners, random);
    const load = new Workload(cluster, miners, cfg.clients, cfg.keysPerClient, random);
    await load.fund();
    await cluster.connect();
    await cluster.waitFor('every node to sync the funding blocks', async () => {
      const tip = await cluster.commonTip();
      return tip !== undefined && tip.height >= load.keys.length;
    });
    await cluster.streamEvents(load.probeAddress);
    const setupS = (performance.now() - t0) / 1000;
    cfg.log(`network ready in ${setupS.toFixed(0)} s (miners: nodes ${miners.join(', ')})`);
    return { cluster, load, setupS, stop: () => cluster.stop() };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function pickMiners(nodes: number, count: number, random: () => number): number[] {
  const all = [...Array(nodes).keys()];
  const out: number[] = [];
  while (out.length < Math.min(count, nodes)) out.push(all.splice(Math.floor(random() * all.length), 1)[0]!);
  return out.sort((a, b) => a - b);
}

const log = (line: string): void => {
  process.stderr.write(`[sim ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** A short line per point, as it ends. */
function pointLine(r: PointResult): string {
  const ms = (x: number | null): string => (x === null ? '-' : `${x.toFixed(0)} ms`);
  return [
    `${r.nodes} nodes ${r.relay} delay ${r.delay} size ${r.blockSizeTarget}:`,
    `blocks ${r.blocksMined} (stale ${r.staleBlocks}, ~${r.meanTransfersPerBlock.toFixed(0)} transfers),`,
    `propagation 50/90/100% ${ms(r.blockP50Ms)} / ${ms(r.blockP90Ms)} / ${ms(r.blockP100Ms)},`,
    `compact no-fetch ${r.compactNoFetchShare === null ? '-' : `${(r.compactNoFetchShare * 100).toFixed(0)}%`},`,
    `transfer 90% ${ms(r.transferP90Ms)}, wire ${(r.wireBytesPerNodePerS / 1024).toFixed(1)} KiB/s/node,`,
    `cores nodes ${r.nodeCores.toFixed(2)} relays ${r.relayCores.toFixed(2)} other ${r.otherCores.toFixed(2)},`,
    `peak RSS ${r.peakRssMbMedian.toFixed(0)} MB (max ${r.peakRssMbMax.toFixed(0)})`,
    r.bypasses.length > 0 ? `link problems: ${r.bypasses.join('; ')}` : 'every link up, no bypass',
    r.linkLossReasons ? `\nwhat the nodes logged about lost peers:\n${r.linkLossReasons}` : '',
  ].join(' ');
}

/**
 * Runs `points` on one network of `cfg`; stops it whatever happens. A failure ends the run
 * with the points measured so far and the error, so that a sweep still reports what it has.
 */
export async function runNetwork(cfg: SimConfig, points: readonly PointSpec[]): Promise<NetworkRun> {
  const results: PointResult[] = [];
  let sim: Simulation | undefined;
  try {
    sim = await startSimulation(cfg);
    for (const p of points) {
      const r = await runPoint(sim.cluster, sim.load, p, cfg.relay);
      log(pointLine(r));
      results.push(r);
    }
    return { setupS: sim.setupS, points: results };
  } catch (err) {
    log(`network of ${cfg.nodes} nodes (${cfg.relay}) failed: ${(err as Error).stack ?? String(err)}`);
    return { setupS: sim?.setupS ?? 0, points: results, error: String(err) };
  } finally {
    await sim?.stop();
  }
}

const OPTIONS = {
  nodes: { type: 'string' },
  degree: { type: 'string', default: '8' },
  'delay-ms': { type: 'string', default: '20-200' },
  bandwidth: { type: 'string', default: '20mbit' },
  miners: { type: 'string' },
  'block-interval': { type: 'string', default: '8' },
  'block-size': { type: 'string', default: '10' },
  tps: { type: 'string' },
  duration: { type: 'string' },
  relay: { type: 'string', default: 'compact' },
  seed: { type: 'string', default: '19' },
  scale: { type: 'string', default: '50,100' },
  out: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

function positive(name: string, text: string, max: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || v > max)
    throw new UsageError(`--${name}: expected a number in (0, ${max}], got "${text}"`);
  return v;
}

class UsageError extends Error {}

const USAGE = `usage: npm run sim -- [sweep] [--nodes 50] [--degree 8] [--delay-ms 20-200] [--bandwidth 20mbit|none]
  [--miners 5] [--block-interval 8] [--block-size 10 | --tps 1.25] [--duration 60] [--relay compact|full]
  [--seed 19] [--out dir]
  sweep: [--nodes 20 (the grid's network)] [--tps 1.25 (every grid point's rate; the interval is size / tps)]
  [--duration (default: 4 intervals, at least 40 s)] [--scale 50,100 (larger networks, one low-rate point each; none: 0)]`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true });
  if (values.help) return void process.stdout.write(USAGE + '\n');
  const sweep = positionals[0] === 'sweep';
  if (positionals.length > (sweep ? 1 : 0)) throw new UsageError(`unknown command ${positionals.join(' ')}`);
  if (!(BLOCK_RELAYS as readonly string[]).includes(values.relay))
    throw new UsageError(`--relay: expected compact or full, got "${values.relay}"`);
  const nodes = Math.round(positive('nodes', values.nodes ?? (sweep ? String(SWEEP_NODES) : '50'), 500));
  if (nodes < 2) throw new UsageError('--nodes: at least 2');
  const blockIntervalS = positive('block-interval', values['block-interval'], 3600);
  const cfg: SimConfig = {
    nodes,
    degree: Math.round(positive('degree', values.degree, 64)),
    delay: parseDelay(values['delay-ms']),
    uploadBytesPerSecond: parseBandwidth(values.bandwidth),
    miners: Math.round(positive('miners', values.miners ?? String(Math.min(5, nodes)), nodes)),
    relay: values.relay as BlockRelay,
    seed: Math.round(Number(values.seed)),
    clients: 4,
    keysPerClient: 10,
    log,
  };
  // Made (or refused) before any node starts, not after the run.
  const out = values.out ?? (sweep ? NETWORK_BENCH_DIR : join(NETWORK_BENCH_DIR, 'out'));
  mkdirSync(out, { recursive: true });
  const started = new Date();
  const t0 = performance.now();
  if (sweep) {
    const scale = values.scale === '0' ? [] : values.scale.split(',').map((x) => Math.round(positive('scale', x, 500)));
    const tps = positive('tps', values.tps ?? String(SWEEP_TPS), 10_000);
    const durationS = values.duration === undefined ? undefined : positive('duration', values.duration, 24 * 3600);
    const results = await runSweep(cfg, tps, durationS, scale);
    writeSweepReport(out, {
      ...results,
      machine: machineNote(started, (performance.now() - t0) / 1000),
    });
    return;
  }
  const durationS = positive('duration', values.duration ?? '60', 24 * 3600);
  const blockSize =
    values.tps !== undefined
      ? positive('tps', values.tps, 10_000) * blockIntervalS
      : positive('block-size', values['block-size'], 10_000);
  const run = await runNetwork(cfg, [{ delay: cfg.delay, blockSize, blockIntervalS, durationS }]);
  writeRunSummary(out, cfg, run, machineNote(started, (performance.now() - t0) / 1000));
  log(`results in ${out}/RESULTS.md and ${out}/results.json`);
  if (run.error) process.exitCode = 1;
}

/**
 * The sweep's grid: link delays, and block sizes (transfers a block), on a network of
 * SWEEP_NODES. Every point posts SWEEP_TPS transfers a second and the block interval is
 * size / rate, so a bigger block is a longer interval, not a higher rate. Every node checks
 * and relays every transfer, and all nodes share this machine's 2 cores: measured, 50 idle
 * nodes already use about 0.9 of them and each transfer costs each node 15-30 ms more, so a
 * 50-node grid measures the queue for a core, not the network. 20 nodes leave cores free.
 */
export const SWEEP_NODES = 20;
export const SWEEP_DELAYS_MS = [20, 50, 150] as const;
export const SWEEP_BLOCK_SIZES = [10, 30, 60] as const;
export const SWEEP_TPS = 1.25;
/** Mean block intervals a point lasts (at least MIN_POINT_S): enough blocks for a median, in bounded time. */
const BLOCKS_PER_POINT = 4;
const MIN_POINT_S = 40;
/** The delay the full-relay comparison and the larger networks run at; the sizes full relay is measured at. */
const COMPARE_DELAY_MS = 50;
const FULL_RELAY_SIZES = [10, 60] as const;
/**
 * The larger networks (50, 100 nodes): one point each. Every node checks every transfer, so
 * the machine's work is nodes x rate: each runs at SCALE_CHECKS_PER_S / nodes transfers a
 * second (50 nodes: 0.25, 100 nodes: 0.125), which their idle CPU leaves room for. At 0.25,
 * 100 nodes used 1.99 of the 2 cores and no block reached every node (2026-12-01).
 */
const SCALE_CHECKS_PER_S = 12.5;
const SCALE_BLOCK_SIZE = 5;
const scaleTps = (nodes: number): number => SCALE_CHECKS_PER_S / nodes;

async function runSweep(
  cfg: SimConfig,
  tps: number,
  durationS: number | undefined,
  scale: readonly number[],
): Promise<Omit<SweepResults, 'machine'>> {
  const fixed = (ms: number): DelayDistribution => ({ minMs: ms, maxMs: ms });
  const point = (delayMs: number, blockSize: number, rate: number): PointSpec => {
    const blockIntervalS = blockSize / rate;
    return {
      delay: fixed(delayMs),
      blockSize,
      blockIntervalS,
      durationS: durationS ?? Math.max(MIN_POINT_S, Math.round(BLOCKS_PER_POINT * blockIntervalS)),
    };
  };
  const grid = SWEEP_DELAYS_MS.flatMap((d) => SWEEP_BLOCK_SIZES.map((size) => point(d, size, tps)));
  const fullPoints = FULL_RELAY_SIZES.map((size) => point(COMPARE_DELAY_MS, size, tps));
  const planned = [...grid, ...fullPoints].reduce((x, p) => x + p.durationS, 0) / 60;
  log(
    `sweep: ${cfg.nodes} nodes compact over ${grid.length} points, then full relay (${fullPoints.length}), then ${scale.join(', ') || 'no'} nodes; ${tps} transfers/s, ${planned.toFixed(0)} min of load`,
  );
  const compact = await runNetwork({ ...cfg, relay: 'compact' }, grid);
  const full = await runNetwork({ ...cfg, relay: 'full' }, fullPoints);
  const larger: NetworkRun[] = [];
  for (const nodes of scale)
    larger.push(
      await runNetwork({ ...cfg, nodes, miners: Math.min(cfg.miners, nodes), relay: 'compact' }, [
        point(COMPARE_DELAY_MS, SCALE_BLOCK_SIZE, scaleTps(nodes)),
      ]),
    );
  return {
    config: { ...cfg, log: undefined, tps, scaleChecksPerS: SCALE_CHECKS_PER_S },
    compact,
    full,
    larger,
  };
}

/** Stops every node however the run ends: an error, SIGINT (Ctrl-C), SIGTERM, or exit. */
function stopNodesOnExit(): void {
  process.on('exit', killAllNodesNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping every node`);
      killAllNodesNow();
      process.exit(130);
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  stopNodesOnExit();
  main()
    .catch((err: unknown) => {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`sim failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
      }
    })
    .finally(() => void closeSigners());
}
