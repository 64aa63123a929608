/**
 * Part 6: memory. Peak RSS (VmHWM in /proc/<pid>/status) of a node importing 100,100
 * transfers (node B of the sync part, which imported the 1,002-block chain over libp2p),
 * its RSS over the import, and the RSS of a node restarted on that chain compared with a
 * node restarted on the same chain's first 102 blocks: nothing may hold the whole chain
 * in memory, so the two must be about the same.
 *
 * Runs its own sync when part 3 did not (or failed before its first run ended).
 */
import { memoryOf, startRegtestNode, stopNode } from '../lib/nodes.js';
import type { BenchContext, PartResult, Target } from '../lib/report.js';
import { fmt, fmtStat, progress, sleep, stat } from '../lib/stats.js';
import type { Stat } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';
import { ensureSyncFixture } from '../lib/syncFixture.js';
import { startServingNode, syncOnce } from './sync.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const P = 'memory';
/** Settle time after a restarted node is up before its memory is read. */
const SETTLE_MS = 2000;

async function restartReading(datadir: string): Promise<{ peakMb: number; rssMb: number; height: number }> {
  const node = await startRegtestNode(datadir);
  try {
    await sleep(SETTLE_MS);
    const st = await node.get<{ height: number }>('/api/v1/status');
    const m = memoryOf(node.proc.pid!);
    return { ...m, height: st.body.height };
  } finally {
    await stopNode(node);
  }
}

export async function runMemory(ctx: BenchContext): Promise<PartResult> {
  const fixture = await ensureSyncFixture(ctx);
  let syncError: string | undefined;
  if (!ctx.syncMemory) {
    progress(P, 'part 3 left no synced node: syncing once here');
    const { node: a, address } = await startServingNode(fixture);
    try {
      const r = await syncOnce(address, fixture.blocks.length, [a.proc.pid!], true);
      ctx.cleanup.push(r.datadir);
      ctx.syncMemory = { peakMb: r.peakMb, rssMb: r.rssMb, datadir: r.datadir, timeline: r.timeline };
    } catch (err) {
      syncError = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      progress(P, `  the sync failed (${syncError}): restarts use node A's chain, imported in-process`);
    } finally {
      await stopNode(a);
    }
  }
  const sync = ctx.syncMemory ?? { peakMb: NaN, rssMb: NaN, datadir: fixture.bigDir, timeline: [] };
  const small: { peakMb: number; rssMb: number }[] = [];
  const big: { peakMb: number; rssMb: number }[] = [];
  for (let round = 0; round < 3; round++) {
    progress(
      P,
      `restart round ${round + 1} of 3: a node on the ${fixture.smallHeight}-block chain, then on the synced ${fixture.blocks.length.toLocaleString('en-US')}-block chain`,
    );
    const s = await restartReading(fixture.smallDir);
    if (s.height !== fixture.smallHeight) throw new Error(`restarted small node at height ${s.height}`);
    small.push(s);
    const b = await restartReading(sync.datadir);
    if (b.height !== fixture.blocks.length) throw new Error(`restarted big node at height ${b.height}`);
    big.push(b);
  }
  const smallPeak = stat(small.map((x) => x.peakMb));
  const bigPeak = stat(big.map((x) => x.peakMb));
  const smallRss = stat(small.map((x) => x.rssMb));
  const bigRss = stat(big.map((x) => x.rssMb));
  const size = (dir: string): number => statSync(join(dir, 'chain.sqlite')).size / 2 ** 20;

  // RSS over the import, by thirds of the sync: V8's heap grows between collections, so the
  // lows (after each collection) show whether anything accumulates, the highs the peaks.
  const tl = sync.timeline;
  const end = tl.at(-1)?.seconds ?? 0;
  const thirds = [0, 1, 2].map((k) =>
    tl.filter((t) => t.seconds >= (k * end) / 3 && t.seconds <= ((k + 1) * end) / 3).map((t) => t.rssMb),
  );
  const lows = thirds.map((t) => (t.length > 0 ? Math.min(...t) : NaN));
  const highs = thirds.map((t) => (t.length > 0 ? Math.max(...t) : NaN));
  const growth = lows[2]! - lows[1]!;
  const restartGrowth = bigPeak.median - smallPeak.median;
  const allowance = Math.max(10, 0.1 * smallPeak.median);
  const md = [
    `Peak RSS is VmHWM from /proc/<pid>/status. The importing node is node B of part 3 (sync run 1), which imported ${fixture.transfers.toLocaleString('en-US')} transfers in ${fixture.blocks.length.toLocaleString('en-US')} blocks. ` +
      `Restarted nodes are read ${SETTLE_MS / 1000} s after their API is up, alternating the two chains, 3 rounds.`,
    '',
    '| node | peak RSS (VmHWM), MB | RSS, MB | chain.sqlite, MB |',
    '| --- | --- | --- | --- |',
    syncError === undefined
      ? `| B while syncing the whole chain (read when caught up) | ${fmt(sync.peakMb)} | ${fmt(sync.rssMb)} | ${fmt(size(sync.datadir))} |`
      : `| B while syncing the whole chain | not measured: ${syncError} | | |`,
    `| restarted on the first ${fixture.smallHeight} blocks (${(100 * (fixture.smallHeight - 2) + 100).toLocaleString('en-US')} transfers) | ${fmtStat(smallPeak)} | ${fmtStat(smallRss)} | ${fmt(size(fixture.smallDir))} |`,
    `| restarted on the whole synced chain (${fixture.blocks.length.toLocaleString('en-US')} blocks) | ${fmtStat(bigPeak)} | ${fmtStat(bigRss)} | ${fmt(size(sync.datadir))} |`,
    '',
    `Restart on a chain ${fmt(fixture.blocks.length / fixture.smallHeight)}x longer: peak RSS ${restartGrowth >= 0 ? '+' : ''}${fmt(restartGrowth)} MB (allowance: ${fmt(allowance)} MB, the larger of 10 MB and 10%).`,
    tl.length > 3
      ? `During the sync (${fmt(end)} s), RSS by thirds of the time, low / high: ${thirds.map((_, k) => `${fmt(lows[k]!)} / ${fmt(highs[k]!)} MB`).join('; ')}. ` +
        `The heap grows between garbage collections and falls back; the lows moved ${growth >= 0 ? '+' : ''}${fmt(growth)} MB from the second third to the last. ` +
        'RSS is not retained memory (V8 keeps heap it has grown), so this alone does not tell whether something accumulates during an import; a much longer sync would. ' +
        'The restarts above are the check that nothing loads the chain. Chart: [sync-memory.svg](sync-memory.svg).'
      : '',
    '',
    'Chart: [memory.svg](memory.svg).',
  ].join('\n');
  const met = restartGrowth <= allowance;
  const targets: Target[] = [
    {
      id: '6',
      description:
        'memory does not grow with the chain: node restarted on the 1,002-block chain vs on its first 102 blocks',
      target: `peak RSS within ${fmt(allowance)} MB`,
      measured: `${fmt(bigPeak.median)} vs ${fmt(smallPeak.median)} MB (${restartGrowth >= 0 ? '+' : ''}${fmt(restartGrowth)} MB); peak while importing ${fmt(fixture.transfers)} transfers: ${fmt(sync.peakMb)} MB${Number.isFinite(growth) ? `; RSS lows during the import moved ${growth >= 0 ? '+' : ''}${fmt(growth)} MB from its second third to its last` : ''}`,
      met,
    },
  ];
  const bar = (label: string, s: Stat): { label: string; value: number; min: number; max: number } => ({
    label,
    value: s.median,
    min: s.min,
    max: s.max,
  });
  const chart = barChart({
    title: 'Node memory (peak RSS)',
    yLabel: 'MB',
    bars: [
      bar(`restart, ${fixture.smallHeight} blocks`, smallPeak),
      bar(`restart, ${fixture.blocks.length} blocks`, bigPeak),
      { label: 'syncing 100,100 tx', value: sync.peakMb },
    ],
  });
  return {
    data: {
      importingPeakMb: sync.peakMb,
      importingRssMb: sync.rssMb,
      restartSmall: { peak: smallPeak, rss: smallRss },
      restartBig: { peak: bigPeak, rss: bigRss },
      restartGrowthMb: restartGrowth,
      importRssLowsByThird: lows,
      importRssHighsByThird: highs,
    },
    markdown: md,
    targets,
    charts: [{ file: 'memory.svg', title: 'Node memory', svg: chart }],
    headlines: [
      `Memory: peak RSS ${fmt(sync.peakMb)} MB while importing ${fixture.transfers.toLocaleString('en-US')} transfers; restarted on the ${fixture.blocks.length.toLocaleString('en-US')}-block chain ${fmt(bigPeak.median)} MB vs ${fmt(smallPeak.median)} MB on its first ${fixture.smallHeight} blocks.`,
    ],
  };
}
