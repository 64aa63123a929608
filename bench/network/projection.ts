/**
 * The written projection of RESULTS.md from the sweep's measurements to a larger network:
 * hops from gossipsub's fan-out, the per-hop cost fitted from propagation against link
 * delay, bandwidth per node (independent of the network's size in gossipsub), and which
 * limit a growing load meets first. Every assumption is stated in the text it returns.
 */
import { percentile } from '../lib/stats.js';
import type { SweepResults } from './report.js';

/** gossipsub's mesh degree (its default, which host.ts keeps). */
const GOSSIP_D = 6;
/** A link delay typical of the internet between well-connected hosts, and a pessimistic one. */
const INTERNET_DELAYS_MS = [50, 100] as const;

/** Least-squares line y = a + b x. */
function fit(points: readonly (readonly [number, number])[]): { a: number; b: number } | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  if (sxx === 0) return null;
  const b = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx;
  return { a: my - b * mx, b };
}

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

export function projectTo(target: number, s: SweepResults): string[] {
  const grid = s.compact.points;
  const n = grid[0]?.nodes ?? 0;
  if (grid.length === 0 || n < 2) return ['## Projection', '', 'No sweep points: nothing to project.'];
  const sizes = [...new Set(grid.map((p) => p.blockSizeTarget))].sort((a, b) => a - b);
  const hopScale = Math.log(target) / Math.log(n);
  const perSize = sizes.map((size) => {
    const pts = grid.filter((p) => p.blockSizeTarget === size && p.blockP90Ms !== null);
    const line = fit(pts.map((p) => [p.delayMeanMs, p.blockP90Ms!] as const));
    // Slope: hops (each adds one link delay); intercept / slope: what each hop adds besides the delay.
    const hops = line ? Math.max(line.b, 0.5) : NaN;
    const perHopMs = line ? Math.max(0, line.a / hops) : NaN;
    const meanSize = pts.reduce((x, p) => x + p.meanTransfersPerBlock, 0) / Math.max(1, pts.length);
    const interval = grid.find((p) => p.blockSizeTarget === size)!.blockIntervalS;
    return { size, meanSize, hops, perHopMs, interval };
  });
  // CPU: core-seconds a node spends per transfer (admission, relay, block import), above what it
  // spends idle, at the rate actually posted (loaded nodes may take fewer transfers than planned).
  const loaded = grid.filter((p) => p.tps > 0 && p.transfersPosted > 0);
  const corePerTransfer = median(
    loaded.map((p) => Math.max(0, p.nodeCores - p.idleNodeCores) / p.nodes / (p.transfersPosted / p.durationS)),
  );
  const idleCoresPerNode = median(grid.map((p) => p.idleNodeCores / p.nodes));
  const bytesPerTransfer = median(
    loaded.flatMap((p) => (p.bytesPerNodePerTransfer === null ? [] : [p.bytesPerNodePerTransfer])),
  );
  // The largest block size with a fit (a size whose points saw no block has none).
  const biggest = [...perSize].reverse().find((x) => Number.isFinite(x.hops)) ?? perSize[perSize.length - 1]!;
  const uplinkBytes = s.config.uploadBytesPerSecond === null ? null : Number(s.config.uploadBytesPerSecond);
  const rows = perSize.map((x) => {
    const hops10k = x.hops * hopScale;
    const t = INTERNET_DELAYS_MS.map((d) => (hops10k * (d + x.perHopMs)) / 1000);
    const stale = t.map((sec) => 1 - Math.exp(-sec / x.interval));
    return `| ${x.size} (~${f0(x.meanSize)}) | ${f1(x.hops)} | ${f0(x.perHopMs)} | ${f1(hops10k)} | ${t.map(f2).join(' / ')} | ${f0(x.interval)} s: ${stale.map((v) => `${(v * 100).toFixed(1)} %`).join(' / ')} |`;
  });
  const tpsCpu = corePerTransfer > 0 ? 1 / corePerTransfer : Infinity;
  const tpsBandwidth = uplinkBytes !== null && bytesPerTransfer > 0 ? uplinkBytes / (bytesPerTransfer / 2) : Infinity;
  const hops10kBig = biggest.hops * hopScale;
  const tBig = (hops10kBig * (100 + biggest.perHopMs)) / 1000;
  return [
    `## Projection to ${target.toLocaleString('en')} nodes`,
    '',
    '**Model.** A block or transfer travels the gossipsub mesh: every node forwards it to its mesh peers',
    `(D = ${GOSSIP_D}), so after h hops about (D - 1)^h nodes have it and the hops to reach most of N nodes grow as`,
    `log(N). The time to 90 % of nodes is then hops x (link delay + per-hop cost), where the per-hop cost is what a`,
    'node adds before passing the message on (decoding, rebuilding from the mempool, importing and checking the',
    'block, or admitting the transfer; queueing behind other work; the transmission time at the upload cap).',
    '',
    `**Fitted here.** For each block size, the time to 90 % against the link delay over the sweep is a line:`,
    `its slope is the effective number of hops (the delays it adds up), its intercept divided by the slope the`,
    `per-hop cost. The slope counts one-way delays, more than the mesh's hops: a compact block whose transfers`,
    `must be fetched costs a round trip more, and gossip's IHAVE / IWANT repair path three one-way delays.`,
    `Scaled to ${target.toLocaleString('en')} nodes by log(${target}) / log(${n}) = ${f2(hopScale)}:`,
    '',
    `| block size (target ~mean) | hops to 90 %, ${n} nodes | per-hop cost (ms) | hops, ${target.toLocaleString('en')} nodes | to 90 % at ${INTERNET_DELAYS_MS.join(' / ')} ms links (s) | block interval: stale rate at those delays |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `The stale rate is 1 - exp(-t / interval): the chance that another miner finds a block while this one is still`,
    'travelling (t: time to 90 % of nodes; a lower bound, since the last 10 % take longer).',
    '',
    `**Bandwidth per node does not grow with N** in gossipsub: each node receives a message from at most its mesh`,
    `peers (plus IHAVE/IWANT gossip), whatever the size of the network. Measured here: ${f0(bytesPerTransfer)} bytes per node per`,
    `transfer (sent and received, framing included; median over the loaded points), and per block the figures in`,
    `the tables above. At a transfer rate R a node moves about ${f0(bytesPerTransfer)} x R bytes a second, plus its blocks.`,
    '',
    '**Which limit comes first, with a growing load.**',
    '',
    `- CPU: every node checks every transfer's signature and imports every block. Measured: ${(corePerTransfer * 1000).toFixed(2)} ms of`,
    `  CPU per transfer per node (what a node used above its idle level, divided by the transfers posted; median`,
    `  over the points), so one core keeps up with about ${f0(tpsCpu)} transfers a second. An idle node used`,
    `  ${(idleCoresPerNode * 1000).toFixed(1)} ms of CPU a second. Neither depends on N.`,
    `- Bandwidth: ${uplinkBytes === null ? 'no cap was set' : `at the ${f0((uplinkBytes * 8) / 1e6)} Mbit/s upload cap used here a node could carry about ${f0(tpsBandwidth)} transfers a second`} (half of the per-transfer`,
    '  bytes are uploads).',
    `- Propagation: it is the one figure that grows with N. With ${biggest.size}-transfer blocks on 100 ms links, a block takes about`,
    `  ${f1(tBig)} s to reach 90 % of ${target.toLocaleString('en')} nodes, ${((tBig / biggest.interval) * 100).toFixed(0)} % of its ${f0(biggest.interval)} s block interval.`,
    '',
    `So on a network of ${target.toLocaleString('en')} nodes ${tpsCpu < tpsBandwidth ? 'CPU (signature checks) binds first' : 'bandwidth binds first'}: about ${f0(Math.min(tpsCpu, tpsBandwidth))} transfers a`,
    `second per core before nodes queue, while the block interval must stay well above the propagation time`,
    '(a few seconds), which bounds the block size per interval rather than the rate.',
    '',
    "**Assumptions.** Nodes as fast as this machine's (one verification thread); links as emulated here (one fixed",
    'delay per link, no loss, no jitter, an upload cap per node, downloads uncapped); every node honest and',
    'subscribed to both topics; the mesh degree and gossip parameters at their defaults; hops growing as log(N) from',
    `the ${n}-node fit (the mesh at ${n} nodes is already several hops deep); the per-hop cost measured on a shared`,
    '2-core machine, which includes queueing behind the other nodes on the same cores and is therefore pessimistic',
    'for nodes that each have their own machine. Not modelled: nodes joining and leaving, attackers, NAT.',
  ];
}

const median = (xs: readonly number[]): number => (xs.length === 0 ? 0 : percentile(xs, 50));
