/**
 * Part 4: mining (protocol v2: one SHA-256 of a 64-byte message a nonce). The miner's nonces a
 * second per core next to two references measured in the same run:
 *
 * - openssl: `openssl speed -evp sha256 -bytes 64` (one core), 64-byte inputs a second: the
 *   machine's SHA-256 rate for exactly the miner's message size. Falls back to node:crypto's
 *   one-shot `crypto.hash` on a 64-byte input when openssl is missing.
 * - hashtree: `hashInto` of @chainsafe/hashtree over batches of 1,024 64-byte messages in a
 *   tight loop, nothing else: the most the miner's hashing backend gives here.
 * - The miner: src/miner/hasher.ts `searchNonces` on this thread (both backends), and
 *   `ParallelMiner` with 1 and 2 worker threads read through `hashRate()`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hash, randomBytes } from 'node:crypto';
import { BATCH, loadPowHasher, searchNonces } from '../../src/miner/hasher.js';
import { ParallelMiner } from '../../src/miner/parallelMiner.js';
import { HEADER_LENGTH } from '../../src/protocol/block.js';
import type { PartResult, Target } from '../lib/report.js';
import { LoadMeter, fmtLoad } from '../lib/load.js';
import type { LoadReading } from '../lib/load.js';
import { fmt, fmtRatio, fmtStat, progress, sleep, stat, timed } from '../lib/stats.js';
import type { Stat } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';

const P = 'mining';
const ROUNDS = 3;
/** A round counts as quiet when everything outside the bench used less than this many cores. */
const QUIET_CORES = 0.25;

function opensslRate(multi = 1): number | undefined {
  try {
    const args = [
      'speed',
      '-mr',
      ...(multi > 1 ? ['-multi', String(multi)] : []),
      '-evp',
      'sha256',
      '-bytes',
      '64',
      '-seconds',
      '1',
    ];
    const out = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // Machine-readable total line: +F:<n>:sha256:<bytes per second for 64-byte blocks>
    const m = /^\+F:\d+:[^:]+:([\d.]+)/m.exec(out);
    return m ? Number(m[1]) / 64 : undefined;
  } catch {
    return undefined;
  }
}

function nodeCryptoRate(): number {
  const input = randomBytes(64);
  let count = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < 500) {
    for (let i = 0; i < 1000; i++) hash('sha256', input, 'buffer');
    count += 1000;
    now = performance.now();
  }
  return (count * 1000) / (now - t0);
}

const hashtree = createRequire(import.meta.url)('@chainsafe/hashtree') as {
  hashInto(input: Uint8Array, output: Uint8Array): void;
};

/** hashtree's own batch rate: hashInto over BATCH 64-byte messages, nothing else per call. */
function hashtreeRate(): number {
  const input = randomBytes(BATCH * 64);
  const output = new Uint8Array(BATCH * 32);
  let count = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < 500) {
    for (let i = 0; i < 50; i++) hashtree.hashInto(input, output);
    count += 50 * BATCH;
    now = performance.now();
  }
  return (count * 1000) / (now - t0);
}

async function parallelRates(threads: number, header: Uint8Array): Promise<{ rates: number[]; load: LoadReading }> {
  const miner = new ParallelMiner({ threads, rateWindowMs: 3000 });
  let failure: Error | undefined;
  miner.on('error', (err) => (failure = err));
  try {
    // A target no hash meets: the threads hash until stopped.
    miner.mine({ jobId: 1, header, target: 1n });
    await sleep(1500); // worker start-up (tsx)
    const meter = new LoadMeter();
    await sleep(3000); // one full rate window
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      rates.push(miner.hashRate());
      if (i < 2) await sleep(1000);
    }
    if (failure) throw failure;
    return { rates, load: meter.read() };
  } finally {
    await miner.close();
  }
}

function shaNi(): boolean {
  try {
    return /\bsha_ni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export async function runMining(): Promise<PartResult> {
  const header = randomBytes(HEADER_LENGTH);
  const limitSamples: number[] = [];
  const multiSamples: number[] = [];
  const cryptoSamples: number[] = [];
  const treeSamples: number[] = [];
  const searchSamples: number[] = [];
  const nobleSamples: number[] = [];
  const noble = loadPowHasher('noble');
  const COUNT = 4_000_000;
  const NOBLE_COUNT = 500_000;
  progress(
    P,
    'openssl, hashtree batches, node:crypto and searchNonces (hashtree, noble) on this thread, 5 interleaved runs',
  );
  for (let rep = 0; rep < 5; rep++) {
    const o = opensslRate();
    if (o !== undefined) limitSamples.push(o);
    treeSamples.push(hashtreeRate());
    cryptoSamples.push(nodeCryptoRate());
    const { ms, value } = timed(() => searchNonces(header, 0n, 0n, COUNT));
    if (value.nonce !== undefined || value.tried !== COUNT) throw new Error('searchNonces found a nonce for target 0');
    searchSamples.push((COUNT * 1000) / ms);
    const n = timed(() => searchNonces(header, 0n, 0n, NOBLE_COUNT, noble));
    nobleSamples.push((NOBLE_COUNT * 1000) / n.ms);
  }
  const oneRates: number[] = [];
  const twoRates: number[] = [];
  const loads: { threads: number; load: LoadReading }[] = [];
  const rounds: { one: number; two: number; openssl: number | undefined; tree: number; other: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    progress(
      P,
      `round ${round + 1} of ${ROUNDS}: openssl and hashtree, then ParallelMiner with 1 thread, then 2 threads (hashRate, 3 s window); openssl -multi 2 for the machine's own 2-core scaling`,
    );
    const m = opensslRate(2);
    if (m !== undefined) multiSamples.push(m);
    const o = opensslRate();
    if (o !== undefined) limitSamples.push(o);
    const tree = hashtreeRate();
    treeSamples.push(tree);
    const r1 = await parallelRates(1, header);
    oneRates.push(...r1.rates);
    loads.push({ threads: 1, load: r1.load });
    const r2 = await parallelRates(2, header);
    twoRates.push(...r2.rates);
    loads.push({ threads: 2, load: r2.load });
    rounds.push({
      one: stat(r1.rates).median,
      two: stat(r2.rates).median,
      openssl: o,
      tree,
      other: Math.max(r1.load.otherCores, r2.load.otherCores),
    });
    progress(
      P,
      `  openssl ${o === undefined ? '-' : fmt(o / 1e6)} M/s, hashtree ${fmt(tree / 1e6)} M/s; 1 thread ${fmt(stat(r1.rates).median / 1e6)} M/s (${fmtLoad(r1.load)}); 2 threads ${fmt(stat(r2.rates).median / 1e6)} M/s (${fmtLoad(r2.load)})`,
    );
  }
  const one = stat(oneRates);
  const two = stat(twoRates);
  const multi = multiSamples.length > 0 ? stat(multiSamples) : undefined;

  const haveOpenssl = limitSamples.length > 0;
  const limit: Stat = haveOpenssl ? stat(limitSamples) : stat(cryptoSamples);
  const limitName = haveOpenssl
    ? 'openssl speed -evp sha256, 64-byte inputs'
    : 'node:crypto hash(sha256) of one 64-byte input (openssl missing)';
  const tree = stat(treeSamples);
  const search = stat(searchSamples);
  const nobleSearch = stat(nobleSamples);
  const perCore = one.median / limit.median;
  const perTree = one.median / tree.median;
  const scaling = two.median / one.median;
  const quiet = rounds.filter((r) => r.other < QUIET_CORES);
  const quietScaling = quiet.length > 0 ? stat(quiet.map((r) => r.two / r.one)) : undefined;
  const machineScaling = multi && limit ? multi.median / limit.median : undefined;
  const md = [
    `A nonce costs one SHA-256 of a 64-byte message (docs/protocol.md section 6), so both references hash 64-byte messages: ${limitName} (one core), and hashtree's \`hashInto\` over batches of ${BATCH.toLocaleString('en-US')} messages in a tight loop (one core, nothing else per call).`,
    '',
    '| what | nonces (or 64-byte hashes) / s | vs openssl | vs hashtree batches |',
    '| --- | --- | --- | --- |',
    `| ${limitName}, one core | ${fmtStat(limit)} | 1 | ${fmtRatio(limit.median / tree.median)} |`,
    `| hashtree hashInto, batches of ${BATCH.toLocaleString('en-US')}, one core | ${fmtStat(tree)} | ${fmtRatio(tree.median / limit.median)} | 1 |`,
    ...(multi
      ? [
          `| openssl speed -multi 2 (both cores, the machine's own 2-core throughput now) | ${fmtStat(multi)} | ${fmtRatio(multi.median / limit.median)} | |`,
        ]
      : []),
    ...(haveOpenssl
      ? [
          `| node:crypto hash(sha256) of a 64-byte input, one call each (for reference) | ${fmtStat(stat(cryptoSamples))} | ${fmtRatio(stat(cryptoSamples).median / limit.median)} | |`,
        ]
      : []),
    `| searchNonces (src/miner/hasher.ts, hashtree) on the main thread, ${COUNT.toLocaleString('en-US')} nonces a run | ${fmtStat(search)} | ${fmtRatio(search.median / limit.median)} | ${fmtRatio(search.median / tree.median)} |`,
    `| searchNonces with the pure-JS fallback (noble), ${NOBLE_COUNT.toLocaleString('en-US')} nonces a run | ${fmtStat(nobleSearch)} | ${fmtRatio(nobleSearch.median / limit.median)} | ${fmtRatio(nobleSearch.median / tree.median)} |`,
    `| ParallelMiner, 1 thread (hashRate) | ${fmtStat(one)} | ${fmtRatio(perCore)} | ${fmtRatio(perTree)} |`,
    `| ParallelMiner, 2 threads (hashRate) | ${fmtStat(two)} | ${fmtRatio(two.median / limit.median)} | ${fmtRatio(two.median / tree.median)} |`,
    '',
    `Scaling 1 -> 2 threads: ${fmtRatio(scaling)} (${fmt((100 * scaling) / 2)}% of linear), the bench's main thread idle.` +
      (machineScaling !== undefined
        ? ` In the same run openssl itself scaled ${fmtRatio(machineScaling)} from 1 to 2 processes: the miner reached ${fmt((100 * scaling) / machineScaling)}% of the scaling the machine offered.`
        : ''),
    '',
    'Each round, and the CPU use during its ParallelMiner measurements (the machine is shared; "other processes" is everything outside the bench):',
    '',
    '| round | openssl, M/s | hashtree, M/s | 1 thread, M/s | 2 threads, M/s | scaling | cores used by other processes (max of the two) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.openssl === undefined ? '-' : fmt(r.openssl / 1e6)} | ${fmt(r.tree / 1e6)} | ${fmt(r.one / 1e6)} | ${fmt(r.two / 1e6)} | ${fmtRatio(r.two / r.one)} | ${r.other.toFixed(2)} |`,
    ),
    '',
    quietScaling
      ? `In the ${quiet.length} round(s) where other processes used under ${QUIET_CORES} cores, 1 -> 2 threads scaled ${fmtStat(quietScaling)}x.`
      : `No round had the machine to itself (other processes used ${QUIET_CORES}+ cores in every round), so the scaling figure is a lower bound.`,
    '',
    `What a thread does per nonce beyond hashtree's own work: write the 8 nonce bytes into its slot of the batch and compare the digest's first word with the target (src/miner/hasher.ts). ${shaNi() ? 'The CPU has SHA extensions (sha_ni in /proc/cpuinfo), which both openssl and hashtree use.' : ''}`,
    '',
    'Chart: [mining.svg](mining.svg).',
  ].join('\n');
  const targets: Target[] = [
    {
      id: '15-1',
      description: "miner nonces a second per core vs openssl's 64-byte SHA-256 rate, same run",
      target: '>= 1.0x',
      measured: `${fmtRatio(perCore)} (ParallelMiner 1 thread ${fmt(one.median / 1e6)} M/s vs openssl ${fmt(limit.median / 1e6)} M/s)`,
      met: perCore >= 1.0,
    },
    {
      id: '15-2',
      description: "miner nonces a second per core vs hashtree's own batch rate, same run",
      target: '>= 0.8',
      measured: `${fmt(perTree)} (ParallelMiner 1 thread ${fmt(one.median / 1e6)} M/s vs hashtree ${fmt(tree.median / 1e6)} M/s); searchNonces on the main thread ${fmt(search.median / tree.median)}`,
      met: perTree >= 0.8,
    },
    {
      id: '15-3',
      description:
        'scaling 1 -> 2 threads (ParallelMiner hashRate), judged on the rounds when no other process was using the second core',
      target: '>= 1.8x (90% of linear)',
      measured:
        (quietScaling ? `${fmtRatio(quietScaling.median)} in ${quiet.length} quiet round(s); ` : 'no quiet round; ') +
        `${fmtRatio(scaling)} over all ${ROUNDS} rounds (${fmt(one.median / 1e6)} -> ${fmt(two.median / 1e6)} M/s)` +
        (machineScaling !== undefined ? `; openssl 1 -> 2 processes: ${fmtRatio(machineScaling)}` : ''),
      met: quietScaling ? quietScaling.median >= 1.8 : scaling >= 1.8,
    },
  ];
  const chart = barChart({
    title: 'Mining: nonces a second vs openssl and hashtree (64-byte SHA-256)',
    yLabel: 'hashes / s',
    bars: [
      { label: 'openssl, 1 core', value: limit.median, min: limit.min, max: limit.max },
      { label: 'hashtree batches, 1 core', value: tree.median, min: tree.min, max: tree.max },
      { label: 'searchNonces, main thread', value: search.median, min: search.min, max: search.max },
      { label: 'noble fallback', value: nobleSearch.median, min: nobleSearch.min, max: nobleSearch.max },
      { label: 'ParallelMiner 1 thread', value: one.median, min: one.min, max: one.max },
      { label: 'ParallelMiner 2 threads', value: two.median, min: two.min, max: two.max },
    ],
    lines: [
      { value: 0.8 * tree.median, label: '0.8 x hashtree (1 core)' },
      { value: 2 * one.median, label: '2 x 1-thread rate' },
    ],
  });
  return {
    data: {
      limitSource: limitName,
      limit,
      hashtree: tree,
      opensslMulti2: multi,
      machineScaling,
      nodeCrypto: stat(cryptoSamples),
      searchNonces: search,
      searchNoncesNoble: nobleSearch,
      parallel1: one,
      parallel2: two,
      perCoreRatio: perCore,
      hashtreeRatio: perTree,
      scaling,
      quietScaling,
      rounds,
      loads,
    },
    markdown: md,
    targets,
    charts: [{ file: 'mining.svg', title: 'Mining hash rate', svg: chart }],
    headlines: [
      `Mining: ${fmt(one.median / 1e6)} M nonces/s per core = ${fmtRatio(perCore)} openssl's 64-byte SHA-256 (${fmt(limit.median / 1e6)} M/s) and ${fmt(perTree)} of hashtree's batch rate (${fmt(tree.median / 1e6)} M/s); 2 threads ${fmtRatio(quietScaling?.median ?? scaling)} of 1${quietScaling ? ' (rounds with the second core free)' : ''}.`,
    ],
  };
}
