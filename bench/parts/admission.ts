/**
 * Part 2: transaction admission over HTTP. A real `ourcoin node` process on regtest
 * (loopback), 2,000 senders funded on chain, and a load generator in this process that
 * POSTs pre-signed transfers to /api/v1/transactions with bounded concurrency for a bounded
 * time: once one transfer a request, once batches of 100. Measures sustained accepted
 * transfers a second and the p50/p99 request latency, and compares with verifying the same
 * transfers one by one with blst on one core (measured before and after, same run).
 *
 * The node's API limits each client IP to 600 requests a minute by default (--rate-limit);
 * the bench keeps the default, so the load generator stands for many clients: each
 * connection uses its own loopback source address (127.x.y.z) and stays under that budget.
 */
import { blstBls } from '../../src/crypto/blst.js';
import { INFINITY_SIGNATURE } from '../../src/crypto/interface.js';
import { Mempool } from '../../src/mempool/mempool.js';
import { connectMempoolToChain } from '../../src/node/wiring.js';
import type { BlsVerifier } from '../../src/chain/bls/interface.js';
import { verifyTransferSets } from '../../src/chain/bls/maybeBatch.js';
import { genesisBlock } from '../../src/protocol/genesis.js';
import { signedTransferFromJson } from '../../src/protocol/transaction.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import {
  blockOn,
  copyChain,
  importAll,
  makeKeys,
  makeTransfer,
  openChain,
  signTransfers,
  tempDir,
  transferJson,
} from '../lib/chainData.js';
import { monotonicMicros, profileMarkdown, summarizeProfiles } from '../lib/cpuProfile.js';
import type { ThreadSummary } from '../lib/cpuProfile.js';
import { seqQuery } from '../lib/sqlitePlan.js';
import type { SeqQuery } from '../lib/sqlitePlan.js';
import { join } from 'node:path';
import type { BenchTransfer, TestKey } from '../lib/chainData.js';
import { LoadMeter } from '../lib/load.js';
import type { LoadReading } from '../lib/load.js';
import { loopbackClients, portOf, startRegtestNode, stopNode } from '../lib/nodes.js';
import type { LoopbackClient } from '../lib/nodes.js';
import type { BenchContext, PartResult, Target } from '../lib/report.js';
import { fmt, fmtRatio, fmtStat, percentile, progress, rateOf, stat, timed, timedAsync } from '../lib/stats.js';
import type { Stat } from '../lib/stats.js';
import { barChart, lineChart } from '../lib/svg.js';

const P = 'admission';
const SENDERS_PER_RUN = 1000;
const NONCES_PER_SENDER = 32;
const RUN_SECONDS = 15;
const SINGLE_CONCURRENCY = 128;
const BATCH_SIZE = 100;
const BATCH_CONCURRENCY = 8;
/** Requests a client address may send: the node allows 600 a minute per IP. */
const CLIENT_BUDGET = 590;
const ONE_BY_ONE_SAMPLE = 2000;

interface RunResult {
  readonly mode: string;
  readonly requests: number;
  readonly transfersSent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: Record<string, number>;
  readonly seconds: number;
  readonly acceptedPerSecond: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly concurrency: number;
  readonly clientAddresses: number;
  readonly poolExhausted: boolean;
  readonly load: LoadReading;
  /** Accepted a second in each whole second of the run (steadiness). */
  readonly perSecond: Stat;
  readonly seconds1: readonly number[];
  /** Monotonic clock window of the run, µs (to select CPU profile samples). */
  readonly window: readonly [number, number];
}

async function loadRun(
  mode: string,
  nodePid: number,
  clients: readonly LoopbackClient[],
  bodies: readonly string[],
  txPerBody: number,
  concurrency: number,
): Promise<RunResult> {
  let next = 0;
  let accepted = 0;
  let rejected = 0;
  let sent = 0;
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  const buckets: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + RUN_SECONDS * 1000;
  let lastDone = t0;
  const fail = (code: string, n: number): void => {
    rejected += n;
    errors[code] = (errors[code] ?? 0) + n;
  };
  const loop = async (k: number): Promise<void> => {
    // Loop k owns clients k, k + concurrency, ...: one request at a time on each connection.
    const mine = clients.filter((_, i) => i % concurrency === k);
    let turn = 0;
    while (performance.now() < deadline && next < bodies.length) {
      let client: LoopbackClient | undefined;
      for (let tries = 0; tries < mine.length && !client; tries++) {
        const c = mine[turn++ % mine.length]!;
        if (c.requests < CLIENT_BUDGET) client = c;
      }
      if (!client) throw new Error(`loop ${k}: every client address used its ${CLIENT_BUDGET}-request budget`);
      const body = bodies[next++]!;
      sent += txPerBody;
      const s = performance.now();
      const reply = await client.request('POST', '/api/v1/transactions', body);
      const e = performance.now();
      latencies.push(e - s);
      lastDone = e;
      let ok = 0;
      if (reply.status === 202 && txPerBody === 1) ok = 1;
      else if (reply.status === 202) {
        const items = JSON.parse(reply.body) as { accepted: boolean; error?: { code: string } }[];
        for (const it of items) {
          if (it.accepted) ok++;
          else fail(it.error?.code ?? 'unknown', 1);
        }
      } else {
        let code = `HTTP ${reply.status}`;
        try {
          code = (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code ?? code;
        } catch {
          // not JSON: keep the status
        }
        fail(code, txPerBody);
      }
      accepted += ok;
      const bucket = Math.floor((e - t0) / 1000);
      buckets[bucket] = (buckets[bucket] ?? 0) + ok;
    }
  };
  const meter = new LoadMeter([nodePid]);
  const from = monotonicMicros();
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k)));
  } finally {
    for (const c of clients) c.close();
  }
  const load = meter.read();
  const window = [from, monotonicMicros()] as const;
  const seconds = (lastDone - t0) / 1000;
  const whole = buckets.slice(0, Math.floor(seconds)).map((b) => b ?? 0);
  return {
    mode,
    requests: latencies.length,
    transfersSent: sent,
    accepted,
    rejected,
    errors,
    seconds,
    acceptedPerSecond: accepted / seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
    concurrency,
    clientAddresses: clients.length,
    poolExhausted: next >= bodies.length,
    load,
    perSecond: stat(whole.length > 0 ? whole : [accepted / Math.max(seconds, 1e-9)]),
    seconds1: whole,
    window,
  };
}

function oneByOne(sample: readonly BenchTransfer[], reps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    out.push(
      timed(() => {
        for (const t of sample)
          if (!blstBls.verify(t.tx.senderPublicKey, t.message, t.signature))
            throw new Error('one-by-one verify failed');
      }).ms,
    );
  }
  return out;
}

interface Breakdown {
  readonly stages: Record<string, number>;
  readonly verifyBatchPerTx: Record<string, number>;
  /** mempool.submit µs per transfer (one a submit, signatures accepted without checking) by pool size, with and without the SQLite write-through. */
  readonly growth: {
    readonly from: number;
    readonly to: number;
    readonly withStore: number;
    readonly withoutStore: number;
  }[];
}

const GROWTH_CHUNK = 2000;
const GROWTH_CHUNKS = 5;

/**
 * Where a transfer's admission costs CPU, measured in-process with the modules the node
 * runs, on a chain funded like the node's: JSON parsing, the API's field parsing, the
 * mempool's checks + insertion (with a verifier that accepts everything, one transfer a
 * submit like one a request) as the pool fills, with and without its SQLite write-through,
 * and the worker's verifyBatch at several batch sizes. In microseconds per transfer.
 */
async function breakdown(
  ctx: BenchContext,
  funders: readonly TestKey[],
  fan: readonly BenchTransfer[],
  pool: readonly BenchTransfer[],
  sink: Uint8Array,
): Promise<Breakdown> {
  let parent = genesisBlock(regtest);
  const blocks = [];
  for (const f of funders) blocks.push((parent = blockOn(parent, [], INFINITY_SIGNATURE, f.address)));
  blocks.push(
    blockOn(
      parent,
      fan.map((t) => t.tx),
      blstBls.aggregateSignatures(fan.map((t) => t.signature)),
      sink,
    ),
  );
  const dir = tempDir('admission-breakdown');
  const dir2 = tempDir('admission-breakdown-nostore');
  ctx.cleanup.push(dir, dir2);
  const base = openChain(dir);
  importAll(base.chain, blocks);
  base.close();
  copyChain(dir, dir2);
  const sample = pool.slice(0, ONE_BY_ONE_SAMPLE);
  const us = (ms: number, n = sample.length): number => (1000 * ms) / n;
  // The admission path without BLS: every transfer's signature taken as verified.
  const acceptAll: Pick<BlsVerifier, 'verifyTransfers'> = {
    verifyTransfers: (sets) => Promise.resolve(sets.map(() => ({ ok: true as const }))),
  };
  const admitChunks = async (withStore: boolean, d: string): Promise<number[]> => {
    const c = openChain(d);
    const mempool = new Mempool({
      chain: c.chain,
      verifier: acceptAll as BlsVerifier,
      store: withStore ? c.store.mempoolStore() : undefined,
    });
    const detach = connectMempoolToChain(c.chain, mempool);
    try {
      const perChunk: number[] = [];
      for (let k = 0; k < GROWTH_CHUNKS; k++) {
        const chunk = pool.slice(k * GROWTH_CHUNK, (k + 1) * GROWTH_CHUNK);
        const { ms } = await timedAsync(async () => {
          for (const t of chunk) {
            const [r] = await mempool.submit([t]);
            if (!r?.accepted) throw new Error(`breakdown: admission refused ${r && !r.accepted ? r.error.code : ''}`);
          }
        });
        perChunk.push(us(ms, chunk.length));
      }
      return perChunk;
    } finally {
      detach();
      c.close();
    }
  };
  const bodies = sample.map((t) => JSON.stringify(transferJson(t)));
  const json = timed(() => bodies.map((b) => JSON.parse(b) as unknown));
  const parsed = timed(() => json.value.map((v) => signedTransferFromJson(v, regtest)));
  const withStore = await admitChunks(true, dir);
  const withoutStore = await admitChunks(false, dir2);
  const items = sample.map((t) => ({ publicKey: t.tx.senderPublicKey, message: t.message, signature: t.signature }));
  const verifyBatchPerTx: Record<string, number> = {};
  for (const size of [1, 16, 64, 256]) {
    const n = size === 1 ? 500 : items.length;
    const ms = timed(() => {
      for (let i = 0; i < n; i += size)
        if (!verifyTransferSets(items.slice(i, Math.min(n, i + size))).every((v) => v === 0))
          throw new Error('verifyTransferSets refused a good signature');
    }).ms;
    verifyBatchPerTx[`batches of ${size}`] = (1000 * ms) / n;
  }
  return {
    stages: {
      'JSON.parse of the request body': us(json.ms),
      'signedTransferFromJson (hex, address, amounts)': us(parsed.ms),
    },
    verifyBatchPerTx,
    growth: withStore.map((w, k) => ({
      from: k * GROWTH_CHUNK,
      to: (k + 1) * GROWTH_CHUNK,
      withStore: w,
      withoutStore: withoutStore[k]!,
    })),
  };
}

export async function runAdmission(ctx: BenchContext): Promise<PartResult> {
  const funders = makeKeys(200_000, 40);
  const senders = makeKeys(210_000, 2 * SENDERS_PER_RUN);
  const sink = makeKeys(9_000, 1)[0]!.address;
  const sinkAddress = encodeAddress(sink, regtest);
  const pool = (from: number): ReturnType<typeof makeTransfer>[] => {
    const txs = [];
    for (let nonce = 0; nonce < NONCES_PER_SENDER; nonce++)
      for (let s = from; s < from + SENDERS_PER_RUN; s++) txs.push(makeTransfer(senders[s]!, sink, 1n, 1000n, nonce));
    return txs;
  };
  const perFunder = senders.length / funders.length;
  const fanTxs = senders.map((s, i) =>
    makeTransfer(funders[Math.floor(i / perFunder)]!, s.address, 1_000_000n, 1000n, i % perFunder),
  );
  progress(
    P,
    `signing ${(fanTxs.length + 2 * SENDERS_PER_RUN * NONCES_PER_SENDER).toLocaleString('en-US')} transfers on worker threads while the node starts`,
  );
  const signing = Promise.all([
    signTransfers(fanTxs, funders),
    signTransfers(pool(0), senders),
    signTransfers(pool(SENDERS_PER_RUN), senders),
  ]);

  const dir = tempDir('admission');
  const profDir = tempDir('admission-profile');
  ctx.cleanup.push(dir, profDir);
  // The node runs with V8's sampling profiler (every 1 ms): each run's samples are summarized below.
  const node = await startRegtestNode(dir, [], {}, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  let result:
    | {
        r1: RunResult;
        r2: RunResult;
        obo: Stat;
        statuses: Record<string, { height: number; mempool: number }>;
        costs: Breakdown;
      }
    | undefined;
  const port = portOf(node.url);
  const setup = loopbackClients(port, 2, 1)[0]!;
  try {
    const pid = node.proc.pid!;
    const post = async (path: string, body: unknown): Promise<unknown> => {
      const r = await setup.request('POST', path, JSON.stringify(body));
      if (r.status !== 200 && r.status !== 202) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 300)}`);
      return JSON.parse(r.body) as unknown;
    };
    const status = async (): Promise<{ height: number; mempool: number }> =>
      JSON.parse((await setup.request('GET', '/api/v1/status')).body) as { height: number; mempool: number };

    progress(
      P,
      `funding: ${funders.length} coinbases, then ${senders.length.toLocaleString('en-US')} senders in one block`,
    );
    for (const f of funders) await post('/api/v1/mine', { blocks: 1, address: encodeAddress(f.address, regtest) });
    const [fan, single, batch] = await signing;
    for (let i = 0; i < fan.transfers.length; i += 1000) {
      const results = (await post('/api/v1/transactions', fan.transfers.slice(i, i + 1000).map(transferJson))) as {
        accepted: boolean;
        error?: { code: string };
      }[];
      const bad = results.find((r) => !r.accepted);
      if (bad) throw new Error(`funding transfer refused: ${bad.error?.code ?? ''}`);
    }
    await post('/api/v1/mine', { blocks: 1, address: sinkAddress });
    const s0 = await status();
    if (s0.mempool !== 0) throw new Error(`funding block left ${s0.mempool} transfers in the mempool`);

    const before = oneByOne(single.transfers.slice(0, ONE_BY_ONE_SAMPLE), 3);

    const singleBodies = single.transfers.map((t) => JSON.stringify(transferJson(t)));
    progress(
      P,
      `one transfer a request: ${SINGLE_CONCURRENCY} in flight, up to ${RUN_SECONDS} s or ${singleBodies.length.toLocaleString('en-US')} transfers`,
    );
    const r1 = await loadRun(
      'one transfer a request',
      pid,
      loopbackClients(port, 3, 2 * SINGLE_CONCURRENCY),
      singleBodies,
      1,
      SINGLE_CONCURRENCY,
    );
    progress(
      P,
      `  ${fmt(r1.acceptedPerSecond)} accepted/s over ${fmt(r1.seconds)} s, p50 ${fmt(r1.latencyMs.p50)} ms, p99 ${fmt(r1.latencyMs.p99)} ms, rejected ${r1.rejected}`,
    );

    const s1 = await status();
    progress(P, `mining the ${s1.mempool.toLocaleString('en-US')} pending transfers out of the mempool`);
    for (let i = 0; i < 8 && (await status()).mempool > 0; i++)
      await post('/api/v1/mine', { blocks: 1, address: sinkAddress });

    const batchBodies: string[] = [];
    for (let i = 0; i < batch.transfers.length; i += BATCH_SIZE)
      batchBodies.push(JSON.stringify(batch.transfers.slice(i, i + BATCH_SIZE).map(transferJson)));
    progress(
      P,
      `batches of ${BATCH_SIZE}: ${BATCH_CONCURRENCY} in flight, up to ${RUN_SECONDS} s or ${batch.transfers.length.toLocaleString('en-US')} transfers`,
    );
    const r2 = await loadRun(
      `batches of ${BATCH_SIZE}`,
      pid,
      loopbackClients(port, 4, 2 * BATCH_CONCURRENCY),
      batchBodies,
      BATCH_SIZE,
      BATCH_CONCURRENCY,
    );
    progress(
      P,
      `  ${fmt(r2.acceptedPerSecond)} accepted/s over ${fmt(r2.seconds)} s, p50 ${fmt(r2.latencyMs.p50)} ms, p99 ${fmt(r2.latencyMs.p99)} ms, rejected ${r2.rejected}`,
    );
    const s2 = await status();

    const after = oneByOne(single.transfers.slice(0, ONE_BY_ONE_SAMPLE), 3);
    const obo = rateOf(stat([...before, ...after]), ONE_BY_ONE_SAMPLE);
    progress(P, 'cost breakdown of one admission, in-process with the same modules');
    const costs = await breakdown(ctx, funders, fan.transfers, single.transfers, sink);
    result = { r1, r2, obo, statuses: { afterSingle: s1, afterBatch: s2 }, costs };
  } finally {
    setup.close();
    await stopNode(node);
  }
  if (!result) throw new Error('admission: no result');
  ctx.admission = { singlePerSecond: result.r1.acceptedPerSecond, batchPerSecond: result.r2.acceptedPerSecond };
  let mempoolSeq: SeqQuery | undefined;
  try {
    mempoolSeq = seqQuery(join(dir, 'chain.sqlite'), 'mempool');
  } catch {
    mempoolSeq = undefined;
  }
  const profiles = {
    single: summarizeProfiles(profDir, ...result.r1.window),
    batch: summarizeProfiles(profDir, ...result.r2.window),
  };
  return report(result.r1, result.r2, result.obo, result.statuses, result.costs, profiles, mempoolSeq);
}

/** Issue 13's admission targets: one transfer a request and batches of 100. */
const T13 = { singleRate: 2500, singleRatio: 1.6, singleP99Ms: 100, batchRate: 4000 } as const;

function threadsLine(label: string, summaries: readonly ThreadSummary[]): string {
  const main = summaries.find((t) => t.thread === 'main');
  const workers = summaries.filter((t) => t.thread !== 'main' && t.busyPercent >= 5);
  const top = (main?.top ?? [])
    .slice(0, 3)
    .map((f) => `${f.fn} ${fmt(f.percent)}%`)
    .join('; ');
  return `${label}: main thread busy ${fmt(main?.busyPercent ?? NaN)}% (top: ${top || 'n/a'}); busy worker threads ${workers.map((w) => `${w.thread} ${fmt(w.busyPercent)}%`).join(', ') || 'none'}`;
}

/**
 * Why one-a-request p99 is over target: with a fixed number of requests in flight, the mean
 * wait is that number over the rate (Little's law); whether p99 is near it says queue or stall.
 */
function latencyWhy(r: RunResult): string {
  const queueMs = (1000 * r.concurrency) / r.acceptedPerSecond;
  return (
    ` With ${r.concurrency} requests in flight the mean wait is about the in-flight count divided by the rate (${fmt(queueMs)} ms at ${fmt(r.acceptedPerSecond)} tx/s)` +
    (r.latencyMs.p99 <= 1.5 * queueMs
      ? `, and p99 (${fmt(r.latencyMs.p99)} ms) is near it: the queue, not a stall.`
      : `; p99 (${fmt(r.latencyMs.p99)} ms) is ${fmtRatio(r.latencyMs.p99 / queueMs)} that, so some requests waited longer than the queue explains (see the main thread's top functions).`) +
    " A transfer job goes out once 16 sets wait or the first has waited 5 ms (src/chain/bls/multithread.ts), so batching adds at most 5 ms; the rest of a request's wait is for a thread and for the main thread."
  );
}

/** Why the admission targets (2a/2b, issue 13's 13-2a..13-2d) are not met, from this run's numbers. */
function whyNot(
  r1: RunResult,
  r2: RunResult,
  obo: Stat,
  costs: Breakdown,
  profiles: { single: readonly ThreadSummary[]; batch: readonly ThreadSummary[] },
): string[] {
  const missed = [
    r1.acceptedPerSecond < T13.singleRate ? '13-2a' : '',
    r1.acceptedPerSecond / obo.median < T13.singleRatio ? '13-2b' : '',
    r1.latencyMs.p99 > T13.singleP99Ms ? '13-2c' : '',
    r2.acceptedPerSecond < T13.batchRate ? '13-2d' : '',
  ].filter((x) => x !== '');
  if (missed.length === 0) return [];
  const cpuPerTx = (r: RunResult): number => (1e6 * r.load.childCores * r.seconds) / Math.max(1, r.accepted);
  const batch64 = costs.verifyBatchPerTx['batches of 64'] ?? NaN;
  const bound = (r: RunResult): number => (2e6 - 1e6 * (r.load.benchCores + r.load.otherCores)) / cpuPerTx(r);
  return [
    '',
    `**Why ${missed.join(', ')} ${missed.length > 1 ? 'are' : 'is'} not met.** ` +
      `The node spent ${fmt(cpuPerTx(r1))} µs of CPU (all threads) per accepted transfer one a request and ${fmt(cpuPerTx(r2))} µs in batches of ${BATCH_SIZE}, ` +
      `of which the signature work is about ${fmt(batch64)} µs (verifyTransferSets in batches of 64, in-process; the node's jobs take 16 to 128 sets). ` +
      `The load generator runs on the same 2 cores: it used ${r1.load.benchCores.toFixed(2)} cores one a request and ${r2.load.benchCores.toFixed(2)} in batches (other processes ${r1.load.otherCores.toFixed(2)} / ${r2.load.otherCores.toFixed(2)}), ` +
      `so the cores left to the node bound admission at about ${fmt(bound(r1))} tx/s one a request and ${fmt(bound(r2))} tx/s in batches at this CPU cost per transfer. ` +
      `${threadsLine('One a request', profiles.single)}. ${threadsLine(`Batches of ${BATCH_SIZE}`, profiles.batch)}.` +
      (r1.latencyMs.p99 > T13.singleP99Ms ? latencyWhy(r1) : ''),
  ];
}

function report(
  r1: RunResult,
  r2: RunResult,
  obo: Stat,
  statuses: Record<string, { height: number; mempool: number }>,
  costs: Breakdown,
  profiles: { single: ThreadSummary[]; batch: ThreadSummary[] },
  mempoolSeq: SeqQuery | undefined,
): PartResult {
  const best = r1.acceptedPerSecond >= r2.acceptedPerSecond ? r1 : r2;
  const row = (r: RunResult): string =>
    `| ${r.mode} | ${fmt(r.acceptedPerSecond)} | ${fmtStat(r.perSecond)} | ${fmtRatio(r.acceptedPerSecond / obo.median)} | ${fmt(r.requestsPerSecond)} | ${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p99)} / ${fmt(r.latencyMs.max)} | ` +
    `${r.accepted.toLocaleString('en-US')} of ${r.transfersSent.toLocaleString('en-US')} in ${fmt(r.seconds)} s${r.poolExhausted ? ' (all sent)' : ''} | ${
      Object.entries(r.errors)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    } | ${r.concurrency} / ${r.clientAddresses} |`;
  const loadRow = (r: RunResult): string =>
    `| ${r.mode} | ${r.load.machineCores.toFixed(2)} | ${r.load.childCores.toFixed(2)} | ${r.load.benchCores.toFixed(2)} | ${r.load.otherCores.toFixed(2)} |`;
  const md = [
    `A real node process (\`ourcoin node --network regtest\`, default settings: the BLS verification service with one worker thread a core, 2 here; mempool persisted in SQLite) ` +
      `and a load generator in the bench process (Node http, keep-alive), on loopback. ${SENDERS_PER_RUN.toLocaleString('en-US')} funded senders per run, up to ${NONCES_PER_SENDER} transfers each, ` +
      `sent nonce by nonce across senders; each run lasts ${RUN_SECONDS} s or until its pre-signed transfers run out. ` +
      `The node allows 600 requests a minute per client IP by default (\`--rate-limit\`), so the generator spreads its connections over many loopback source addresses (one client each, each under the limit).`,
    '',
    '| mode | accepted transfers / s | per whole second: median (min-max) | vs one by one | requests / s | latency p50 / p99 / max, ms | accepted | refused | in flight / client addresses |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row(r1),
    row(r2),
    `| one by one: blstBls.verify per transfer, one core, same transfers (${ONE_BY_ONE_SAMPLE.toLocaleString('en-US')} a run, before and after) | ${fmtStat(obo)} | | 1x | | | | | |`,
    '',
    'CPU use during each run, in cores (2 available):',
    '',
    '| mode | machine busy | node process (all threads) | bench (load generator) | other processes |',
    '| --- | --- | --- | --- | --- |',
    loadRow(r1),
    loadRow(r2),
    '',
    'Node CPU per accepted transfer: ' +
      [r1, r2]
        .map((r) => `${r.mode} ${fmt((1e6 * r.load.childCores * r.seconds) / Math.max(1, r.accepted))} µs`)
        .join(', ') +
      ` (node process CPU seconds / accepted). One blstBls.verify costs ${fmt(1e6 / obo.median)} µs.`,
    '',
    'Where an admission costs CPU (in-process, the same modules, µs per transfer):',
    '',
    '| stage | µs / transfer | thread in the node |',
    '| --- | --- | --- |',
    ...Object.entries(costs.stages).map(([k, v]) => `| ${k} | ${fmt(v)} | main |`),
    ...Object.entries(costs.verifyBatchPerTx).map(
      ([k, v]) =>
        `| verifyTransferSets (validates each signature, keys through the worker's cache of validated keys, then one randomized multi-pairing), ${k} | ${fmt(v)} | a BLS service worker |`,
    ),
    '',
    '',
    'mempool.submit on the main thread, one transfer a submit, each awaited before the next (signatures accepted without checking, so this is everything else: field checks, state checks, insertion, and with a store the write and its commit), as the pool fills, µs per transfer:',
    '',
    '| transfers already pending | with the SQLite store (a commit per submit here) | without a store |',
    '| --- | --- | --- |',
    ...costs.growth.map(
      (g) =>
        `| ${g.from.toLocaleString('en-US')}-${g.to.toLocaleString('en-US')} | ${fmt(g.withStore)} | ${fmt(g.withoutStore)} |`,
    ),
    '',
    "The node commits the mempool's writes of one event-loop turn in one transaction and answers a submit once that commit is done (src/store/sqliteStore.ts mempoolStore): " +
      'the transfers of one worker job get their verdicts in the same turn, so in the node they share a commit, where this one-at-a-time measurement pays a commit for each.',
    '',
    ...(mempoolSeq
      ? [
          'The store reads `MAX(seq)` of the mempool table once when it opens and counts arrivals in memory, so an insert does not read the table. ' +
            `For reference, that query on the node's store after the runs (${mempoolSeq.rows.toLocaleString('en-US')} pending transfers) runs as "${mempoolSeq.plan}" in ${fmtStat(mempoolSeq.ms, ' ms')}.`,
          '',
        ]
      : []),
    "The rest of the node's CPU per transfer (HTTP and Fastify routing, schema validation, serialization, the batching, messages to the worker) is the difference between the node CPU per transfer above and these stages.",
    '',
    ...whyNot(r1, r2, obo, costs, profiles),
    '',
    '### CPU profile of the node during the runs',
    '',
    'The node ran with `node --cpu-prof` (V8 sampling profiler, one sample a millisecond per thread); only the samples taken during each run are counted. Threads busy under 5% are left out.',
    '',
    `#### One transfer a request`,
    '',
    profileMarkdown(profiles.single),
    `#### Batches of ${BATCH_SIZE}`,
    '',
    profileMarkdown(profiles.batch),
    '',
    `Node status after the runs: ${Object.entries(statuses)
      .map(([k, s]) => `${k}: height ${s.height}, mempool ${s.mempool.toLocaleString('en-US')}`)
      .join('; ')}.`,
    '',
    'Charts: [admission.svg](admission.svg), [admission-timeline.svg](admission-timeline.svg) (accepted a second over each run: the rate falls as the mempool fills).',
  ].join('\n');
  const targets: Target[] = [
    {
      id: '2a',
      description: 'sustained accepted transfers a second over HTTP, 2 cores, local load generator',
      target: '>= 2,000 tx/s',
      measured: `${fmt(r1.acceptedPerSecond)} tx/s one a request (p50 ${fmt(r1.latencyMs.p50)} ms, p99 ${fmt(r1.latencyMs.p99)} ms); ${fmt(r2.acceptedPerSecond)} tx/s in batches of ${BATCH_SIZE} (p50 ${fmt(r2.latencyMs.p50)} ms, p99 ${fmt(r2.latencyMs.p99)} ms)`,
      met: r1.acceptedPerSecond >= 2000 ? true : r2.acceptedPerSecond >= 2000 ? true : false,
    },
    {
      id: '2b',
      description: 'admission throughput vs one-by-one blst verification on one core',
      target: '>= 1.5x',
      measured: `${fmtRatio(r1.acceptedPerSecond / obo.median)} one a request, ${fmtRatio(r2.acceptedPerSecond / obo.median)} in batches (one by one: ${fmt(obo.median)} tx/s)`,
      met: best.acceptedPerSecond / obo.median >= 1.5,
    },
    {
      id: '13-2a',
      description: 'issue 13: one transfer a request, sustained accepted transfers a second over HTTP',
      target: `>= ${T13.singleRate.toLocaleString('en-US')} tx/s`,
      measured: `${fmt(r1.acceptedPerSecond)} tx/s (${r1.concurrency} requests in flight; node ${r1.load.childCores.toFixed(2)} cores, load generator ${r1.load.benchCores.toFixed(2)})`,
      met: r1.acceptedPerSecond >= T13.singleRate,
    },
    {
      id: '13-2b',
      description: 'issue 13: one transfer a request vs one-by-one blst verification on one core',
      target: `>= ${T13.singleRatio}x`,
      measured: `${fmtRatio(r1.acceptedPerSecond / obo.median)} (${fmt(r1.acceptedPerSecond)} vs ${fmt(obo.median)} tx/s)`,
      met: r1.acceptedPerSecond / obo.median >= T13.singleRatio,
    },
    {
      id: '13-2c',
      description: 'issue 13: one transfer a request, p99 request latency',
      target: `<= ${T13.singleP99Ms} ms`,
      measured: `${fmt(r1.latencyMs.p99)} ms (p50 ${fmt(r1.latencyMs.p50)} ms, max ${fmt(r1.latencyMs.max)} ms; ${r1.concurrency} in flight)`,
      met: r1.latencyMs.p99 <= T13.singleP99Ms,
    },
    {
      id: '13-2d',
      description: `issue 13: batches of ${BATCH_SIZE}, sustained accepted transfers a second over HTTP`,
      target: `>= ${T13.batchRate.toLocaleString('en-US')} tx/s`,
      measured: `${fmt(r2.acceptedPerSecond)} tx/s (p50 ${fmt(r2.latencyMs.p50)} ms, p99 ${fmt(r2.latencyMs.p99)} ms; ${fmtRatio(r2.acceptedPerSecond / obo.median)} one by one)`,
      met: r2.acceptedPerSecond >= T13.batchRate,
    },
  ];
  const chart = barChart({
    title: 'Transaction admission over HTTP',
    yLabel: 'accepted transfers / s',
    bars: [
      { label: 'one a request', value: r1.acceptedPerSecond, min: r1.perSecond.min, max: r1.perSecond.max },
      { label: `batches of ${BATCH_SIZE}`, value: r2.acceptedPerSecond, min: r2.perSecond.min, max: r2.perSecond.max },
      { label: 'one-by-one verify, 1 core', value: obo.median, min: obo.min, max: obo.max },
    ],
    lines: [
      { value: 2000, label: 'target 2,000/s' },
      { value: T13.singleRate, label: 'issue 13: 2,500/s one a request' },
      { value: T13.batchRate, label: 'issue 13: 4,000/s in batches' },
    ],
  });
  const note =
    r1.acceptedPerSecond >= 2000
      ? ''
      : r2.acceptedPerSecond >= 2000
        ? ' (2,000 reached in batches only)'
        : ' (below the 2,000 target in both forms)';
  return {
    data: {
      runs: [r1, r2],
      oneByOne: obo,
      statuses,
      costBreakdownMicroseconds: costs,
      profiles,
      mempoolSeqQuery: mempoolSeq,
      settings: { SENDERS_PER_RUN, NONCES_PER_SENDER, RUN_SECONDS, SINGLE_CONCURRENCY, BATCH_SIZE, BATCH_CONCURRENCY },
    },
    markdown: md,
    targets,
    charts: [
      { file: 'admission.svg', title: 'Transaction admission', svg: chart },
      {
        file: 'admission-timeline.svg',
        title: 'Accepted transfers a second during each run',
        svg: lineChart({
          title: 'Accepted transfers a second as the mempool fills',
          xLabel: 'second of the run',
          yLabel: 'accepted transfers in that second',
          series: [r1, r2].map((r) => ({ name: r.mode, points: r.seconds1.map((v, i) => [i + 1, v] as const) })),
        }),
      },
    ],
    headlines: [
      `HTTP admission: ${fmt(r1.acceptedPerSecond)} accepted tx/s one transfer a request (p50 ${fmt(r1.latencyMs.p50)} ms, p99 ${fmt(r1.latencyMs.p99)} ms), ${fmt(r2.acceptedPerSecond)} tx/s in batches of ${BATCH_SIZE}: ` +
        `${fmtRatio(r1.acceptedPerSecond / obo.median)} and ${fmtRatio(r2.acceptedPerSecond / obo.median)} one-by-one verification (${fmt(obo.median)} tx/s on one core)${note}.`,
    ],
  };
}
