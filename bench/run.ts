/**
 * `npm run bench`: measures what OurCoin exists to be good at, each comparison as a ratio
 * taken in the same run, and writes bench/RESULTS.md, bench/results.json and SVG charts.
 *
 *   npm run bench                    every part (under 15 minutes on 2 cores)
 *   npm run bench -- verify mining   only the named parts (verify size mining admission dust sync liveness memory lightclient),
 *                                    merged into the last run's results: the other parts keep their sections
 *                                    and targets, and the Machine section says which parts ran when
 *   BENCH_KEEP_TMP=1 npm run bench   keep the temporary data directories (for a look at the stores)
 *
 * Parts are independent: a part that fails records its error and the others still run.
 * Every node process runs on loopback and is stopped at the end, whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeSigners } from './lib/sign.js';
import { killAllNodesNow, stopAllNodes } from './lib/nodes.js';
import { removeDir } from './lib/chainData.js';
import type { BenchContext, PartResult, Target } from './lib/report.js';
import { elapsedSeconds, progress } from './lib/stats.js';
import { runVerification } from './parts/verification.js';
import { runSize } from './parts/size.js';
import { runMining } from './parts/mining.js';
import { runAdmission } from './parts/admission.js';
import { runSync } from './parts/sync.js';
import { runMemory } from './parts/memory.js';
import { runLiveness } from './parts/liveness.js';
import { runDust } from './parts/dust.js';
import { runLightClient } from './parts/lightClient.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

interface PartSpec {
  readonly id: string;
  readonly title: string;
  readonly run: (ctx: BenchContext) => Promise<PartResult>;
  /** Targets reported as not measured when the part fails. */
  readonly targetIds: readonly string[];
}

const PARTS: readonly PartSpec[] = [
  { id: 'verify', title: '1. Block verification', run: runVerification, targetIds: ['1a', '1b', '1c'] },
  {
    id: 'admission',
    title: '2. Transaction admission over HTTP',
    run: runAdmission,
    targetIds: ['2a', '2b', '13-2a', '13-2b', '13-2c', '13-2d'],
  },
  { id: 'sync', title: '3. Sync over libp2p', run: runSync, targetIds: ['3', '13-3'] },
  { id: 'mining', title: '4. Mining', run: runMining, targetIds: ['15-1', '15-2', '15-3'] },
  { id: 'size', title: '5. Size', run: runSize, targetIds: [] },
  { id: 'memory', title: '6. Memory', run: runMemory, targetIds: ['6'] },
  {
    id: 'liveness',
    title: '7. API liveness under BLS work (issue 13)',
    run: runLiveness,
    targetIds: ['13-1a', '13-1b'],
  },
  { id: 'dust', title: '8. Dust storm (issue 13)', run: runDust, targetIds: ['13-4'] },
  { id: 'lightclient', title: '9. Browser light client (issue 17)', run: runLightClient, targetIds: ['17-1'] },
];

/**
 * Run order: sizes need part 1's blocks; the dust storm offers 10x the admission part's rate;
 * liveness reuses the sync part's chain; memory needs the sync part's node.
 */
const ORDER = ['verify', 'size', 'mining', 'admission', 'dust', 'sync', 'liveness', 'memory', 'lightclient'];

interface Outcome {
  readonly spec: PartSpec;
  readonly result?: PartResult;
  readonly error?: string;
  readonly seconds: number;
}

/** The code measured: commit, and the files of src/ changed since (other work in progress). */
function codeVersion(): { commit: string; changedSrcFiles: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3));
    return { commit, changedSrcFiles: changed };
  } catch {
    return { commit: 'unknown', changedSrcFiles: [] };
  }
}

function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    logicalCpus: cpus().length,
    memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    code: codeVersion(),
  };
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !PARTS.some((p) => p.id === w));
  if (unknown.length > 0)
    throw new Error(`unknown part(s) ${unknown.join(', ')}; known: ${PARTS.map((p) => p.id).join(', ')}`);
  const selected = ORDER.filter((id) => wanted.length === 0 || wanted.includes(id)).map((id) =>
    PARTS.find((p) => p.id === id)!,
  );
  const mach = machine();
  progress(
    'bench',
    `${String(mach.cpu)}, ${String(mach.cores)} cores, Node ${process.version}; parts: ${selected.map((p) => p.id).join(', ')}`,
  );

  const ctx: BenchContext = { cleanup: [] };
  const outcomes: Outcome[] = [];
  try {
    for (const spec of selected) {
      const t0 = elapsedSeconds();
      progress(spec.id, `--- ${spec.title} ---`);
      try {
        const result = await spec.run(ctx);
        outcomes.push({ spec, result, seconds: elapsedSeconds() - t0 });
        progress(spec.id, `done in ${(elapsedSeconds() - t0).toFixed(1)} s`);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        outcomes.push({ spec, error, seconds: elapsedSeconds() - t0 });
        progress(spec.id, `FAILED: ${error}`);
      } finally {
        await stopAllNodes();
      }
    }
  } finally {
    await stopAllNodes();
    await closeSigners();
    if (process.env.BENCH_KEEP_TMP)
      progress('bench', `kept temporary directories (BENCH_KEEP_TMP): ${ctx.cleanup.join(' ')}`);
    else for (const dir of ctx.cleanup) removeDir(dir);
  }
  write(mach, outcomes, wanted.length === 0);
  progress(
    'bench',
    `wrote bench/RESULTS.md, bench/results.json and ${outcomes.reduce((n, o) => n + (o.result?.charts.length ?? 0), 0)} charts in ${elapsedSeconds().toFixed(0)} s`,
  );
}

/** What a partial run keeps of the last run: the other parts' targets, data, sections and headlines. */
interface Previous {
  readonly targets: Target[];
  readonly parts: Record<string, unknown>;
  readonly sections: { title: string; text: string }[];
  readonly headlines: string[];
  readonly runs: string[];
}

function readPrevious(rerun: readonly PartSpec[]): Previous | undefined {
  const jsonPath = join(BENCH_DIR, 'results.json');
  const mdPath = join(BENCH_DIR, 'RESULTS.md');
  if (!existsSync(jsonPath) || !existsSync(mdPath)) return undefined;
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    machine?: { date?: string; code?: { commit?: string } };
    targets?: Target[];
    parts?: Record<string, unknown>;
    runs?: string[];
  };
  const md = readFileSync(mdPath, 'utf8');
  const rerunIds = new Set(rerun.flatMap((p) => p.targetIds));
  const rerunTitles = new Set(rerun.map((p) => p.title));
  const sections = md
    .split(/\n(?=## )/)
    .map((chunk) => ({ title: chunk.slice(3, chunk.indexOf('\n')).trim(), text: chunk.trim() }))
    .filter((x) => PARTS.some((p) => p.title === x.title) && !rerunTitles.has(x.title));
  const headlineBlock = /## Headlines\n\n([\s\S]*?)\n\n## /.exec(md)?.[1] ?? '';
  return {
    targets: (json.targets ?? []).filter((t) => !rerunIds.has(t.id) && PARTS.some((p) => p.targetIds.includes(t.id))),
    parts: Object.fromEntries(Object.entries(json.parts ?? {}).filter(([id]) => !rerun.some((p) => p.id === id))),
    sections,
    headlines: headlineBlock.split('\n').filter((l) => l.startsWith('- ')),
    runs: json.runs ?? [`all parts: ${json.machine?.date ?? '?'} at ${json.machine?.code?.commit ?? '?'}`],
  };
}

function write(mach: Record<string, unknown>, outcomes: readonly Outcome[], complete: boolean): void {
  const previous = complete ? undefined : readPrevious(outcomes.map((o) => o.spec));
  const code = mach.code as { commit: string; changedSrcFiles: string[] };
  const thisRun = `${complete ? 'all parts' : outcomes.map((o) => o.spec.id).join(', ')}: ${String(mach.date)} at ${code.commit}`;
  const runs = [...(previous?.runs ?? []), thisRun];
  const newHeadlines = outcomes.flatMap((o) => (o.result?.headlines ?? []).map((h) => `- ${h}`));
  // A re-run part's headline replaces the old one that starts with the same word ("- Mining: ...").
  const lead = (h: string): string => h.slice(0, h.indexOf(':') + 1 || undefined);
  const headlines = [
    ...(previous?.headlines.filter((h) => !newHeadlines.some((n) => lead(n) === lead(h))) ?? []),
    ...newHeadlines,
  ];
  const targets: Target[] = (previous?.targets ?? []).concat(
    outcomes.flatMap((o) =>
      o.result
        ? [...o.result.targets]
        : o.spec.targetIds.map((id) => ({
            id,
            description: `${o.spec.title} (part failed)`,
            target: '',
            measured: 'not measured: the part failed',
            met: null,
          })),
    ),
  );
  targets.sort((a, b) => a.id.localeCompare(b.id));
  for (const o of outcomes)
    for (const c of o.result?.charts ?? []) writeFileSync(join(BENCH_DIR, c.file), c.svg + '\n');

  const json = {
    machine: mach,
    totalSeconds: Number(elapsedSeconds().toFixed(1)),
    complete: complete || previous !== undefined,
    runs,
    targets,
    parts: Object.fromEntries([
      ...Object.entries(previous?.parts ?? {}),
      ...outcomes.map((o): [string, unknown] => [
        o.spec.id,
        o.result
          ? { seconds: Number(o.seconds.toFixed(1)), ...o.result.data }
          : { seconds: Number(o.seconds.toFixed(1)), error: o.error },
      ]),
    ]),
  };
  writeFileSync(
    join(BENCH_DIR, 'results.json'),
    JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
  );

  const md: string[] = [
    '# OurCoin benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); the raw numbers are in [results.json](results.json).',
    complete || previous ? '' : `\n**Partial run**: only ${outcomes.map((o) => o.spec.id).join(', ')}.\n`,
    '## Machine',
    '',
    `- CPU: ${String(mach.cpu)}, ${String(mach.cores)} cores (os.availableParallelism), ${String(mach.memoryGb)} GiB`,
    `- Node ${String(mach.node)} on ${String(mach.platform)}`,
    `- Date: ${String(mach.date)}; load average at start ${(mach.loadAverageAtStart as number[]).join(' ')}`,
    `- Whole run: ${elapsedSeconds().toFixed(0)} s`,
    `- Code: commit ${code.commit}${code.changedSrcFiles.length > 0 ? ` plus uncommitted changes in ${code.changedSrcFiles.join(', ')}` : ''}`,
    ...(previous
      ? ['- Runs merged here (the parts each measured, when, at which commit):', ...runs.map((r) => `  - ${r}`)]
      : []),
    '',
    'Every figure is the median of several runs with (min-max); every comparison is a ratio of figures measured in this same run.',
    '',
    '## Targets',
    '',
    '| # | what | target | measured | met |',
    '| --- | --- | --- | --- | --- |',
    ...targets.map(
      (t) =>
        `| ${t.id} | ${t.description} | ${t.target} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? '**met**' : '**not met**'} |`,
    ),
    '',
    '## Headlines',
    '',
    ...headlines,
    '',
  ];
  const sections = [
    ...(previous?.sections ?? []),
    ...outcomes.map((o) => ({
      title: o.spec.title,
      text: [
        `## ${o.spec.title}`,
        '',
        `(${o.seconds.toFixed(0)} s${previous ? `, run ${String(mach.date)}` : ''})`,
        '',
        ...(o.result ? [o.result.markdown] : ['**This part failed**; the error:', '', '```', o.error ?? '', '```']),
      ].join('\n'),
    })),
  ];
  // Sections in the parts' numbered order, whichever run wrote them.
  sections.sort((a, b) => PARTS.findIndex((p) => p.title === a.title) - PARTS.findIndex((p) => p.title === b.title));
  for (const section of sections) md.push(section.text, '');
  writeFileSync(join(BENCH_DIR, 'RESULTS.md'), md.join('\n').replace(/\n{3,}/g, '\n\n'));
}

process.on('exit', killAllNodesNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllNodesNow();
    process.exit(130);
  });
}

main().catch((err: unknown) => {
  killAllNodesNow();
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
