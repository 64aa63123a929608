/**
 * The simulator's reports: a summary of one run (--out), and bench/network/RESULTS.md with
 * SVG charts and the projection to 10,000 nodes for the sweep.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { barChart, lineChart } from '../lib/svg.js';
import type { Series } from '../lib/svg.js';
import type { PointResult } from './collect.js';
import type { SimConfig } from './sim.js';
import { describeDelay } from './topology.js';
import { projectTo } from './projection.js';

export interface MachineNote {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly startedAt: string;
  readonly loadAverageAtStart: readonly number[];
  readonly wallSeconds: number;
  readonly commit: string;
}

export function machineNote(started: Date, wallSeconds: number): MachineNote {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout (an unpacked tarball): the commit stays unknown.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    startedAt: started.toISOString(),
    loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
    wallSeconds,
    commit,
  };
}

export interface NetworkRun {
  readonly setupS: number;
  readonly points: PointResult[];
  /** Why the run ended early (its points so far are kept). */
  readonly error?: string;
}

export interface SweepResults {
  readonly config: Record<string, unknown>;
  readonly compact: NetworkRun;
  readonly full: NetworkRun;
  /** Larger networks (50 and 100 nodes by default), one low-rate point each. */
  readonly larger: readonly NetworkRun[];
  readonly machine: MachineNote;
}

const settled = (r: PointResult): string =>
  r.settleS === null ? 'no' : `${r.settleS.toFixed(1)}${r.tieBreaks > 0 ? ` (${r.tieBreaks} tie-break)` : ''}`;
const ms = (x: number | null): string => (x === null ? '-' : `${x.toFixed(0)}`);
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(0)} %`);
const kb = (x: number | null): string => (x === null ? '-' : `${(x / 1024).toFixed(1)}`);

const POINT_HEADER = [
  '| nodes | relay | delay | block size (target / mean) | blocks (stale) | block to 50 / 90 / 100 % (ms) | compact, no fetch | transfer to 90 % (ms) | KiB/s per node (idle) | KiB per node per block | bytes per node per transfer | cores: nodes (idle) / relays / other | peak RSS MB (median / max) | settle s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

function pointRow(r: PointResult): string {
  return `| ${r.nodes} | ${r.relay} | ${r.delay} | ${r.blockSizeTarget} / ${r.meanTransfersPerBlock.toFixed(0)} | ${r.blocksMined} (${r.staleBlocks}) | ${ms(r.blockP50Ms)} / ${ms(r.blockP90Ms)} / ${ms(r.blockP100Ms)} | ${pct(r.compactNoFetchShare)} | ${ms(r.transferP90Ms)} | ${kb(r.wireBytesPerNodePerS)} (${kb(r.idleWireBytesPerNodePerS)}) | ${kb(r.bytesPerNodePerBlock)} | ${r.bytesPerNodePerTransfer === null ? '-' : r.bytesPerNodePerTransfer.toFixed(0)} | ${r.nodeCores.toFixed(2)} (${r.idleNodeCores.toFixed(2)}) / ${r.relayCores.toFixed(2)} / ${r.otherCores.toFixed(2)} | ${r.peakRssMbMedian.toFixed(0)} / ${r.peakRssMbMax.toFixed(0)} | ${settled(r)} |`;
}

function machineLines(m: MachineNote): string[] {
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB; Node ${m.node}; commit ${m.commit}`,
    `- Started ${m.startedAt}, load average then ${m.loadAverageAtStart.join(' ')}; whole run ${(m.wallSeconds / 60).toFixed(1)} min`,
  ];
}

/** One run's RESULTS.md and results.json in `out`. */
export function writeRunSummary(out: string, cfg: SimConfig, run: NetworkRun, machine: MachineNote): void {
  // The log function is no figure (JSON.stringify leaves functions out).
  writeFileSync(join(out, 'results.json'), JSON.stringify({ config: cfg, run, machine }, null, 2) + '\n');
  const md = [
    '# Network simulation: one run',
    '',
    `${cfg.nodes} nodes, degree ${cfg.degree}, one-way delay ${describeDelay(cfg.delay)}, upload cap ${cfg.uploadBytesPerSecond === null ? 'none' : `${((cfg.uploadBytesPerSecond * 8) / 1e6).toFixed(1)} Mbit/s`}, ${cfg.miners} miners, ${cfg.relay} relay, seed ${cfg.seed}; set up in ${run.setupS.toFixed(0)} s.`,
    '',
    ...machineLines(machine),
    '',
    ...POINT_HEADER,
    ...run.points.map(pointRow),
    '',
    'Columns are explained in bench/network/RESULTS.md.',
    '',
  ];
  writeFileSync(join(out, 'RESULTS.md'), md.join('\n'));
}

function chart(out: string, file: string, svg: () => string, hasData: boolean): string {
  if (!hasData) return '(no data: see the errors above)';
  writeFileSync(join(out, file), svg());
  return file;
}

const errorLines = (name: string, run: NetworkRun): string[] =>
  run.error
    ? [`**The ${name} run ended early** (${run.points.length} points measured): \`${run.error.split('\n')[0]}\``, '']
    : [];

/** bench/network/RESULTS.md, results.json and the charts. */
export function writeSweepReport(out: string, s: SweepResults): void {
  writeFileSync(join(out, 'results.json'), JSON.stringify(s, null, 2) + '\n');
  const grid = s.compact.points;
  const sizes = [...new Set(grid.map((p) => p.blockSizeTarget))];
  const delays = [...new Set(grid.map((p) => p.delayMeanMs))];
  const bySize = (metric: (p: PointResult) => number | null): Series[] =>
    sizes.map((size) => ({
      name: `${size} transfers`,
      points: grid
        .filter((p) => p.blockSizeTarget === size && metric(p) !== null)
        .map((p) => [p.delayMeanMs, metric(p)!] as const),
    }));
  const propagation = chart(
    out,
    'propagation.svg',
    () =>
      lineChart({
        title: `Block propagation, ${grid[0]?.nodes ?? '?'} nodes: to 90 % (solid) and 100 % (dashed)`,
        xLabel: 'one-way link delay (ms)',
        yLabel: 'ms after the miner',
        series: [
          ...bySize((p) => p.blockP90Ms),
          ...bySize((p) => p.blockP100Ms).map((x) => ({ ...x, name: `${x.name}, 100 %`, dashed: true })),
        ],
      }),
    grid.length > 0,
  );
  const transfers = chart(
    out,
    'transfer-propagation.svg',
    () =>
      lineChart({
        title: 'Transfer propagation to 90 % of nodes',
        xLabel: 'one-way link delay (ms)',
        yLabel: 'ms after the post',
        series: bySize((p) => p.transferP90Ms),
      }),
    grid.length > 0,
  );
  const stale = chart(
    out,
    'stale.svg',
    () =>
      barChart({
        title: 'Stale blocks (mined, not on the final main chain)',
        yLabel: '% of blocks mined',
        bars: grid.map((p) => ({ label: `${p.delayMeanMs}ms/${p.blockSizeTarget}`, value: p.staleRate * 100 })),
      }),
    grid.length > 0,
  );
  const compactShare = chart(
    out,
    'compact-no-fetch.svg',
    () =>
      barChart({
        title: 'Compact blocks rebuilt without a fetch',
        yLabel: '% of relayed compact blocks',
        bars: grid.map((p) => ({
          label: `${p.delayMeanMs}ms/${p.blockSizeTarget}`,
          value: (p.compactNoFetchShare ?? 0) * 100,
        })),
      }),
    grid.length > 0,
  );
  const compare = s.full.points.map((f) => ({
    full: f,
    compact: grid.find((c) => c.blockSizeTarget === f.blockSizeTarget && c.delayMeanMs === f.delayMeanMs),
  }));
  const bytes = chart(
    out,
    'bytes-per-block.svg',
    () =>
      barChart({
        title: 'Wire bytes per node per block: compact vs full relay',
        yLabel: 'KiB per node per block',
        bars: compare.flatMap(({ full, compact }) => [
          ...(compact
            ? [{ label: `compact ${compact.blockSizeTarget}`, value: (compact.bytesPerNodePerBlock ?? 0) / 1024 }]
            : []),
          { label: `full ${full.blockSizeTarget}`, value: (full.bytesPerNodePerBlock ?? 0) / 1024 },
        ]),
      }),
    compare.length > 0,
  );
  const largerPoints = s.larger.flatMap((r) => r.points);
  const all = [...grid, ...s.full.points, ...largerPoints];
  const memory = chart(
    out,
    'peak-rss.svg',
    () =>
      barChart({
        title: 'Peak RSS per node (median, whiskers to the max)',
        yLabel: 'MB',
        bars: all.map((p) => ({
          label: `${p.nodes}n ${p.relay === 'full' ? 'F' : 'C'} ${p.delayMeanMs}/${p.blockSizeTarget}`,
          value: p.peakRssMbMedian,
          min: p.peakRssMbMedian,
          max: p.peakRssMbMax,
        })),
      }),
    all.length > 0,
  );
  const projection = projectTo(10_000, s);
  const md = [
    '# OurCoin network at scale: measured on emulated links, projected to 10,000 nodes',
    '',
    'Written by `npm run sim:sweep` (bench/network/sim.ts); the choices behind the method are in',
    'docs/decisions/0021-network-simulation.md. Every figure below comes from results.json of the same run.',
    '',
    ...readFirst(s, all),
    '## Method',
    '',
    `- **Nodes**: real \`ourcoin node\` processes (dist/, regtest), each with its own data directory, API and`,
    `  metrics on loopback, \`--verify-threads 1\`, \`--max-mempool 16\`, no mDNS, no --peer: the simulator dials`,
    `  each link itself (POST /api/v1/peers) with the address of that link's relay.`,
    `- **Topology**: a random ring plus random links up to degree ${String(s.config.degree)} (seeded, seed ${String(s.config.seed)}); gossipsub`,
    '  keeps a mesh of D = 6 (4-12) of those peers per topic.',
    `- **Links**: one TCP relay per link in a worker thread of the simulator (bench/network/links.ts): each chunk`,
    `  waits for its node's upload token bucket (${s.config.uploadBytesPerSecond === null ? 'no cap' : `${((Number(s.config.uploadBytesPerSecond) * 8) / 1e6).toFixed(0)} Mbit/s per node`}, shared by its links), then the link's one-way`,
    "  delay, order kept. Every connection of every node was checked against the relays' sockets after each point",
    `  (connections no relay holds: ${bypassed(all) === 0 ? 'none, at any point' : `${bypassed(all)}, see results.json`}; links lost`,
    `  and not redialed by the end of a point, over all points: ${linksLost(all)}: see Machine and load).`,
    `- **Blocks**: mined on demand (POST /api/v1/mine) at ${String(s.config.miners)} random nodes, a Poisson process; each miner mines`,
    "  on its own tip, so forks come naturally. A block takes what its miner's mempool holds.",
    `- **Transfers**: 4 client loops, 10 funded keys each, posting signed transfers (blst) to random nodes at a`,
    `  Poisson rate of ${String(s.config.tps)} a second at every point (in the larger networks ${String(s.config.scaleChecksPerS)} / nodes, so the machine checks as many transfers a second at 50 and 100 nodes). **Block size is set by`,
    '  the block interval** (size / rate): every node checks every transfer, so a higher rate would measure this',
    "  2-core machine's queue, not the network (see Machine and load). A point lasts 4 mean intervals (at least",
    "  40 s). One transfer every 2 s pays a probe address, and each node's event stream",
    '  (GET /api/v1/events?address=<probe>) says when that node accepted it (or took it in a block): no polling.',
    `- **Propagation**: each node's tip event stream (GET /api/v1/events), timestamped on arrival by the`,
    '  simulator (one clock for all processes). For each block that ended on the main chain: the time after it',
    "  became its miner's tip until 50 / 90 / 100 % of nodes had it as tip (the miner counts as one of them);",
    '  the table gives the median over the blocks of each point. A node that jumps over a block in a',
    '  reorganisation never shows it as tip; such blocks have no 100 % figure.',
    '- **Bytes**: the relays count every byte each node sends and receives (Noise, yamux and gossipsub',
    '  framing included). An idle 10 s before each point gives the floor (heartbeats, pings). The bytes above',
    '  it are split between blocks and transfers by the share of each in the gossip payload the nodes received',
    '  (new counter `ourcoin_gossip_received_bytes_total{topic}`), then divided by blocks mined and transfers',
    "  posted. libp2p's own byte counter (`libp2p_data_transfer_bytes_total`) is in results.json as a check.",
    '- **Compact blocks**: new counter `ourcoin_relayed_blocks_total{outcome}`: pool (rebuilt from the mempool',
    '  alone), fetched_transfers, fetched_block, full (full relay); summed over every node.',
    '- **Stale rate**: mined blocks that are not on the main chain all nodes agree on at the end of the point.',
    '- **Settle**: seconds from the end of the load until every node has one tip (within 90 s, else "no"). Two',
    '  blocks at one height leave the nodes split on equal work until a block extends one side (first seen wins,',
    '  as in Bitcoin); when the tips have not moved for 10 s and still differ, the simulator mines that block',
    '  ("tie-break"). Its block is not counted as mined; the block it leaves behind is counted stale.',
    "- **CPU**: /proc/<pid>/stat of every node (and over an idle 10 s before each point), the relay thread's CPU",
    '  time (/proc/thread-self/stat), /proc/stat for the machine; "other" is what the rest of the machine used',
    "  meanwhile (other agents' work), a measure of noise.",
    '- **Memory**: VmHWM of every node at the end of the point.',
    '',
    '## Machine and load',
    '',
    ...machineLines(s.machine),
    `- Node processes were started fresh for each network (compact ${grid[0]?.nodes ?? '-'}, full ${s.full.points[0]?.nodes ?? '-'}, larger ${largerPoints.map((p) => p.nodes).join(' and ') || '-'} nodes);`,
    `  setup (start, fund, connect, sync): ${[s.compact, s.full, ...s.larger].map((r) => `${r.setupS.toFixed(0)} s`).join(', ')}.`,
    `- Other processes on the machine used ${mean(all.map((p) => p.otherCores)).toFixed(2)} cores on average during the points (max ${Math.max(...all.map((p) => p.otherCores)).toFixed(2)}).`,
    `- The ${grid[0]?.nodes ?? '-'} nodes used ${mean(grid.map((p) => p.idleNodeCores)).toFixed(2)} cores together while idle and ${mean(grid.map((p) => p.nodeCores)).toFixed(2)} under load (mean over the`,
    `  compact points, max ${Math.max(0, ...grid.map((p) => p.nodeCores)).toFixed(2)}), of the machine's ${s.machine.cores}: where that nears ${s.machine.cores}, the figures include queueing for a core.`,
    '',
    '## Results',
    '',
    `### Sweep: ${grid[0]?.nodes ?? '?'} nodes, compact blocks, delays ${delays.join(' / ')} ms x block sizes ${sizes.join(' / ')} transfers`,
    '',
    ...errorLines('compact', s.compact),
    ...POINT_HEADER,
    ...grid.map(pointRow),
    '',
    `![block propagation](${propagation})`,
    '',
    `![transfer propagation](${transfers})`,
    '',
    `![stale blocks](${stale})`,
    '',
    `![compact blocks without a fetch](${compactShare})`,
    '',
    '### Compact vs full relay (same delay, same block sizes)',
    '',
    ...errorLines('full-relay', s.full),
    ...POINT_HEADER,
    ...compare.flatMap(({ full, compact }) => [...(compact ? [pointRow(compact)] : []), pointRow(full)]),
    '',
    `![bytes per block](${bytes})`,
    '',
    '### Larger networks (one low-rate point each)',
    '',
    ...s.larger.flatMap((r, i) => errorLines(`larger network ${i + 1}`, r)),
    ...POINT_HEADER,
    ...largerPoints.map(pointRow),
    '',
    `![peak RSS](${memory})`,
    '',
    ...projection,
    '',
  ];
  writeFileSync(join(out, 'RESULTS.md'), md.join('\n'));
}

/**
 * What the figures can and cannot carry, from the run itself: how many blocks the medians
 * stand on, whether the nodes had the cores they needed, and which runs ended early.
 */
function readFirst(s: SweepResults, all: readonly PointResult[]): string[] {
  if (all.length === 0) return [];
  const blocks = all.map((p) => p.blocksMined);
  const cores = s.machine.cores;
  const busiest = (points: readonly PointResult[]): number =>
    Math.max(0, ...points.map((p) => p.nodeCores + p.relayCores + p.otherCores));
  const verdict = (used: number): string =>
    used > 0.85 * cores
      ? 'near saturation, so the times include waiting for a core'
      : "room to spare, so the times are the nodes' and links' own";
  const grid = busiest(s.compact.points);
  const ended = [
    ...(['compact', 'full'] as const).filter((k) => s[k].error),
    ...s.larger.filter((r) => r.error).map((_, i) => `larger network ${i + 1}`),
  ];
  return [
    '## Read first',
    '',
    `- **Few blocks per point**: ${Math.min(...blocks)} to ${Math.max(...blocks)} (${blocks.reduce((a, b) => a + b, 0)} over all ${all.length} points). A point's`,
    '  propagation figures are medians over its blocks and its stale rate a count of them: rough per point;',
    '  read the trends across points. The "100 %" median can be below the "90 %" one because it is taken over',
    '  the blocks every node saw as tip, a smaller set.',
    `- **Cores**: at its busiest point the sweep's grid used ${grid.toFixed(2)} of the machine's ${cores} cores (nodes, relays and`,
    `  everything else): ${verdict(grid)}.`,
    ...s.larger.flatMap((r) => {
      const p = r.points[0];
      if (!p) return [];
      const lost = linksLost([p]);
      const alone = p.bypasses.filter((b) => / has 0 peers/.test(b)).length;
      return [
        `  ${p.nodes} nodes at ${p.tps} transfers/s used ${(p.nodeCores + p.relayCores + p.otherCores).toFixed(2)} (${p.idleNodeCores.toFixed(2)} idle): ${verdict(p.nodeCores + p.relayCores + p.otherCores)}; ` +
          (lost === 0
            ? 'every link was up at the end of its point'
            : `about ${lost} of its ${(p.nodes * Number(s.config.degree)) / 2} links were down at the end of its point (${alone} nodes had no peer left)`) +
          `, and it ${p.settleS === null ? 'did not agree on one tip within 90 s' : `agreed on one tip ${p.settleS.toFixed(0)} s after the load${p.tieBreaks > 0 ? ` (${p.tieBreaks} tie-breaking block)` : ''}`}.`,
      ];
    }),
    `- **Bytes per block and per transfer** are the bytes above each point's idle floor, split by the gossip payload's`,
    `  shares: rough. The floor itself varied from ${kb(Math.min(...all.map((p) => p.idleWireBytesPerNodePerS)))} to ${kb(Math.max(...all.map((p) => p.idleWireBytesPerNodePerS)))} KiB/s per node between points`,
    "  (gossip of the previous point's last blocks, IHAVE history), and a point with one block divides by one.",
    '  The KiB/s columns are measured directly.',
    ...(ended.length > 0 ? [`- **Runs that ended early**: ${ended.join(', ')} (their errors are below).`] : []),
    '',
  ];
}

/** Connections a node had that no relay holds (a bypass), over `points`. */
const bypassed = (points: readonly PointResult[]): number =>
  points.reduce((n, p) => n + p.bypasses.filter((b) => b.includes('no relay holds')).length, 0);
/**
 * Links missing at the end of each point, summed: a node with fewer peers than links counts
 * the difference, and a lost link is missing at both its ends.
 */
const linksLost = (points: readonly PointResult[]): number => Math.round(missingEnds(points) / 2);
const missingEnds = (points: readonly PointResult[]): number =>
  points.reduce(
    (n, p) =>
      n +
      p.bypasses.reduce((m, b) => {
        const x = /has (\d+) peers, its links are (\d+)/.exec(b);
        return m + (x ? Math.max(0, Number(x[2]) - Number(x[1])) : 0);
      }, 0),
    0,
  );

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
