/**
 * Part 7 (issue 13): the API stays live while the node does the heaviest BLS work a client or
 * a peer can give it. A second client polls `GET /api/v1/status` every 20 ms (StatusPoller:
 * on schedule, whether or not earlier polls were answered) and its latencies are measured:
 *
 *   a) while the node checks maximum-size invalid blocks submitted over the API, one after
 *      another: as many transfers as the size limit allows, all from one funded key (fee 0),
 *      and as the aggregate one valid signature of something else, so the whole pairing must
 *      run to find it wrong. Each block is fresh (a different recipient) so the node's memory
 *      of invalid blocks does not answer.
 *   b) while a fresh node syncs the sync part's chain (1,000 blocks of 100 transfers) from a
 *      serving node over libp2p: the SYNCING node is polled.
 *
 * Also recorded: the node's own event-loop delay figure from /status (its 10 s windows).
 * The polled nodes run with a high --rate-limit (50 polls a second from one client is over
 * the default) and under V8's sampling profiler, whose summary says where the main thread's
 * time went.
 */
import { WORKER_DECODE_MIN_TRANSFERS } from '../../src/chain/chain.js';
import { BLOCK_OVERHEAD, blockFromJson, encodeBlock } from '../../src/protocol/block.js';
import type { BlockDetail } from '../../src/api/json.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { toHex } from '../../src/protocol/bytes.js';
import { regtest } from '../../src/protocol/networks.js';
import { TRANSFER_LENGTH } from '../../src/protocol/transaction.js';
import { blockOn, makeKeys, makeTransfer, recipientOf, signTransfers, tempDir } from '../lib/chainData.js';
import { monotonicMicros, profileMarkdown, summarizeProfiles } from '../lib/cpuProfile.js';
import type { ThreadSummary } from '../lib/cpuProfile.js';
import { LoadMeter, fmtLoad } from '../lib/load.js';
import type { LoadReading } from '../lib/load.js';
import { HIGH_RATE_LIMIT, LoopbackClient, portOf, startLoadTestNode, stopNode } from '../lib/nodes.js';
import type { BenchContext, PartResult, Target } from '../lib/report.js';
import { StatusPoller, pollLine, worstWindow } from '../lib/statusPoller.js';
import type { EventLoopWindow, PollSummary } from '../lib/statusPoller.js';
import { fmt, fmtStat, progress, sleep, stat } from '../lib/stats.js';
import type { Stat } from '../lib/stats.js';
import { ensureSyncFixture } from '../lib/syncFixture.js';
import { startServingNode, syncOnce } from './sync.js';

const P = 'liveness';
/** The issue's target for the p99 of /status, ms. */
export const LIVENESS_P99_MS = 50;
const POLL_INTERVAL_MS = 20;
/** Loopback subnets (127.<n>.x.y) of this part's clients. */
const POLLER_SUBNET = 7;
const SUBMITTER_SUBNET = 8;
/** Invalid blocks: at least this many, for at least this long, at most MAX_BLOCKS. */
const MIN_BLOCKS = 5;
const MIN_SECONDS = 12;
const MAX_BLOCKS = 12;
/** Idle polling before the blocks, for the baseline. */
const IDLE_SECONDS = 2;

export interface BadBlockRun {
  readonly transfers: number;
  readonly blockBytes: number;
  readonly idle: PollSummary;
  readonly polls: PollSummary;
  /** Per submission: ms to the answer, and the answer's status and error code. */
  readonly submissions: readonly { ms: number; status: number; code: string }[];
  readonly submitMs: Stat;
  readonly heightAfter: number;
  /** The node's eventLoop window that covers the end of the run. */
  readonly closingWindow?: EventLoopWindow;
  readonly load: LoadReading;
  readonly profile: ThreadSummary[];
}

export interface SyncLivenessRun {
  readonly blocks: number;
  readonly seconds: number;
  readonly polls: PollSummary;
  readonly load: LoadReading;
  readonly profile?: ThreadSummary[];
}

async function badBlockRun(ctx: BenchContext): Promise<BadBlockRun> {
  const dir = tempDir('liveness');
  const profDir = tempDir('liveness-profile');
  ctx.cleanup.push(dir, profDir);
  const node = await startLoadTestNode(dir, profDir);
  const port = portOf(node.url);
  const submitter = new LoopbackClient(port, `127.${SUBMITTER_SUBNET}.0.1`);
  const poller = new StatusPoller(port, POLLER_SUBNET, POLL_INTERVAL_MS);
  let run: Omit<BadBlockRun, 'profile'> & { window: readonly [number, number] };
  try {
    const [alice, bob] = makeKeys(400_000, 2);
    const mined = await node.post('/api/v1/mine', { blocks: 1, address: encodeAddress(alice!.address, regtest) });
    if (mined.status !== 200) throw new Error(`mine: ${mined.status} ${JSON.stringify(mined.body)}`);
    const parent = blockFromJson((await node.get<BlockDetail>('/api/v1/blocks/1')).body, regtest);
    // A real point as the aggregate (bob's signature of another transfer), so only the pairing finds it wrong.
    const other = await signTransfers([makeTransfer(bob!, alice!.address, 1n, 0n, 0)], [bob!]);
    const wrongAggregate = other.transfers[0]!.signature;
    const count = Math.floor((regtest.maxBlockBytes - BLOCK_OVERHEAD) / TRANSFER_LENGTH);
    progress(
      P,
      `a) building ${MAX_BLOCKS} maximum-size blocks of ${count.toLocaleString('en-US')} transfers with a wrong aggregate`,
    );
    const bodies: string[] = [];
    let blockBytes = 0;
    for (let i = 0; i < MAX_BLOCKS; i++) {
      const to = recipientOf(1_000 + i);
      const txs = Array.from({ length: count }, (_, nonce) => makeTransfer(alice!, to, 1n, 0n, nonce));
      const bytes = encodeBlock(blockOn(parent, txs, wrongAggregate, to));
      if (bytes.length > regtest.maxBlockBytes) throw new Error(`block of ${bytes.length} bytes is over the limit`);
      blockBytes = bytes.length;
      bodies.push(JSON.stringify({ block: toHex(bytes) }));
    }

    progress(P, `a) ${IDLE_SECONDS} s of idle polling, then the blocks one after another for >= ${MIN_SECONDS} s`);
    const idlePoller = new StatusPoller(port, POLLER_SUBNET + 100, POLL_INTERVAL_MS);
    idlePoller.start();
    await sleep(IDLE_SECONDS * 1000);
    const idle = await idlePoller.stop();
    idlePoller.close();

    const meter = new LoadMeter([node.proc.pid!]);
    const from = monotonicMicros();
    const t0 = performance.now();
    poller.start();
    const submissions: { ms: number; status: number; code: string }[] = [];
    for (const body of bodies) {
      const elapsed = (performance.now() - t0) / 1000;
      if (submissions.length >= MIN_BLOCKS && elapsed >= MIN_SECONDS) break;
      const s = performance.now();
      const reply = await submitter.request('POST', '/api/v1/blocks', body);
      let code = '';
      try {
        code = (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        code = 'not JSON';
      }
      submissions.push({ ms: performance.now() - s, status: reply.status, code });
    }
    const polls = await poller.stop();
    const window = [from, monotonicMicros()] as const;
    const load = meter.read();
    progress(
      P,
      `  ${submissions.length} blocks refused (${submissions[0]?.status} ${submissions[0]?.code}); /status ${pollLine(polls)}`,
    );
    const wrong = submissions.find((x) => x.status !== 400 || x.code !== 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    if (wrong)
      throw new Error(`an invalid block got ${wrong.status} ${wrong.code}, not 400 BLOCK_BAD_AGGREGATE_SIGNATURE`);
    const closingWindow = await poller.nextWindow();
    const heightAfter = (await node.get<{ height: number }>('/api/v1/status')).body.height;
    run = {
      transfers: count,
      blockBytes,
      idle,
      polls,
      submissions,
      submitMs: stat(submissions.map((x) => x.ms)),
      heightAfter,
      closingWindow,
      load,
      window,
    };
  } finally {
    poller.close();
    submitter.close();
    await stopNode(node);
  }
  // The profile files are written when the node exits.
  const { window, ...rest } = run;
  return { ...rest, profile: summarizeProfiles(profDir, ...window, 8) };
}

async function syncRun(ctx: BenchContext): Promise<SyncLivenessRun> {
  const fixture = await ensureSyncFixture(ctx);
  const height = fixture.blocks.length;
  const { node: a, address } = await startServingNode(fixture);
  const profDir = tempDir('liveness-sync-profile');
  ctx.cleanup.push(profDir);
  try {
    progress(
      P,
      `b) a fresh node syncs ${height.toLocaleString('en-US')} blocks; /status of the syncing node every ${POLL_INTERVAL_MS} ms`,
    );
    let poller: StatusPoller | undefined;
    let polls: PollSummary | undefined;
    const r = await syncOnce(address, height, [a.proc.pid!], false, profDir, {
      extraArgs: ['--rate-limit', HIGH_RATE_LIMIT],
      watch: (b) => {
        const p = (poller = new StatusPoller(portOf(b.url), POLLER_SUBNET, POLL_INTERVAL_MS));
        p.start();
        return { stop: async () => (polls ??= await p.stop()) };
      },
    });
    poller?.close();
    ctx.cleanup.push(r.datadir);
    if (!polls) throw new Error('the syncing node was not polled');
    progress(P, `  synced in ${fmt(r.seconds)} s; /status ${pollLine(polls)}`);
    return {
      blocks: height,
      seconds: r.seconds,
      polls,
      load: r.load,
      profile: summarizeProfiles(profDir, ...r.window, 8),
    };
  } finally {
    await stopNode(a);
  }
}

export async function runLiveness(ctx: BenchContext): Promise<PartResult> {
  const bad = await badBlockRun(ctx);
  const sync = await syncRun(ctx);
  return report(bad, sync);
}

function windowText(w: EventLoopWindow | undefined): string {
  return w ? `p50 ${fmt(w.p50Ms)} ms, p99 ${fmt(w.p99Ms)} ms, max ${fmt(w.maxMs)} ms` : 'no complete window';
}

function pollRow(what: string, s: PollSummary, node: EventLoopWindow | undefined): string {
  const failed = Object.entries(s.failed)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return (
    `| ${what} | ${fmt(s.seconds)} | ${s.polls.toLocaleString('en-US')} / ${s.answered.toLocaleString('en-US')}${failed ? ` (${failed})` : ''}${s.skipped > 0 ? `, ${s.skipped} ticks skipped` : ''} | ` +
    `${fmt(s.latencyMs.p50)} | ${fmt(s.latencyMs.p99)} | ${fmt(s.latencyMs.max)} | ${windowText(node)} |`
  );
}

/** Why a liveness target is not met: where the polled node's main thread was, from its profile. */
function whyNot(
  what: string,
  s: PollSummary,
  profile: readonly ThreadSummary[] | undefined,
  load: LoadReading,
  cause: (main: ThreadSummary | undefined, workers: readonly ThreadSummary[]) => string,
): string[] {
  if (s.latencyMs.p99 <= LIVENESS_P99_MS) return [];
  const main = profile?.find((t) => t.thread === 'main');
  const workers = (profile ?? []).filter((t) => t.thread !== 'main' && t.busyPercent >= 5);
  const list = (xs: readonly { fn: string; percent: number }[] | undefined, n: number): string =>
    xs
      ?.slice(0, n)
      .map((f) => `${f.fn} ${fmt(f.percent)}%`)
      .join('; ') ?? 'n/a';
  return [
    '',
    `**Why the target is not met ${what}.** p99 ${fmt(s.latencyMs.p99)} ms, max ${fmt(s.latencyMs.max)} ms. ` +
      `The node's main thread was busy ${fmt(main?.busyPercent ?? NaN)}% of the run (profile); ` +
      `its busy worker threads ${workers.map((w) => `${fmt(w.busyPercent)}%`).join(', ') || 'none'}; CPU ${fmtLoad(load)}. ` +
      `A poll waits for whatever synchronous work the main thread is doing when it arrives, and for a core when every core is busy. ${cause(main, workers)} ` +
      `The project's functions on the main thread by total time: ${list(main?.topInclusive, 8)}.`,
  ];
}

/** What the main thread still does for each refused block, and what the profile says held the polls. */
function badBlockCause(bad: BadBlockRun, main: ThreadSummary | undefined, workers: readonly ThreadSummary[]): string {
  const bodyMb = fmt((2 * bad.blockBytes) / 1e6);
  const path =
    bad.transfers >= WORKER_DECODE_MIN_TRANSFERS
      ? `A block of ${bad.transfers.toLocaleString('en-US')} transfers arriving encoded is judged on a worker before the main thread decodes it ` +
        '(src/chain/chain.ts judgeLargeEncoding -> verifyEncodedBlock: decoding, the stateless body rules and the pairing all run on the worker), ' +
        'and a failed verdict refuses the block before it is stored. ' +
        `What each block still costs the main thread is the request itself: the ${bodyMb} MB JSON body read, parsed and checked against its schema, its hex checked and decoded (fromHex), ` +
        "the header decoded and its proof of work checked, every transfer's bytes hashed (encodedTxids) to see whether this node verified all their signatures already (the fast path), and the bytes handed to the worker. "
      : `A block of ${bad.transfers.toLocaleString('en-US')} transfers is under the ${WORKER_DECODE_MIN_TRANSFERS.toLocaleString('en-US')} from which the node judges an encoded block on a worker first, ` +
        'so the main thread decodes it, checks its body and builds its signature set (verifySignatureAhead) before the worker runs the pairing; a failed verdict then refuses the block before it is stored. ';
  const busy = main?.busyPercent ?? NaN;
  const where = !main
    ? 'No profile of the main thread says which of these held the polls.'
    : busy >= 50
      ? `The main thread was busy most of the run (${fmt(busy)}%): the polls queued behind that per-block work, whose largest parts head the list that follows.`
      : `The main thread was busy only ${fmt(busy)}% of the run: a poll that arrives during a block's turn waits for the rest of it, and the rest of the wait is for a core. ` +
        `The BLS threads run at nice 10 (src/workers/threadPriority.ts), which gives the main thread the larger share of a contended core, not a core of its own: ${workers.length} busy worker thread(s) and the main thread share 2 cores.`;
  return path + where;
}

/** What the sync's main thread does between yields, and what the profile says held the polls. */
function syncCause(main: ThreadSummary | undefined): string {
  const store = (main?.topInclusive ?? [])
    .filter((f) => f.fn.includes('src/store/'))
    .sort((a, b) => b.percent - a.percent)[0];
  const busy = main?.busyPercent ?? NaN;
  return (
    'The signatures are checked on the workers (verifySignatureAhead at sync priority); the main thread decodes each fetched chunk of 64 blocks, builds their signature sets and connects the blocks in order, ' +
    'yielding to the event loop after every 10 ms of decoding and every 10 ms of importing (src/network/sync/blocks.ts IMPORT_SLICE_MS), ' +
    "and the store's WAL checkpoints run on a thread of their own (src/store/checkpointer.ts); a block's import is a state transition and an SQLite commit of its accounts and index rows. " +
    "So, on a free core, the sync's own turns last about 10 ms plus one block's decoding or import; the node's own eventLoop max above is the longest delay it measured. " +
    (!main
      ? ''
      : busy >= 80
        ? `The main thread was busy ${fmt(busy)}% of the run: with so little idle time a poll waits for the sync's turns, libp2p's and the other polls' before its own, however short each turn is. `
        : `The main thread was busy ${fmt(busy)}% of the run, often idle: the long waits are then turns longer than the slice (see the head of the list that follows) or the main thread waiting for a core the worker threads hold. `) +
    (!main
      ? ''
      : store
        ? `The store's largest share of the main thread: ${store.fn} ${fmt(store.percent)}% (total time, callees included).`
        : "No store function is among the main thread's top functions.")
  );
}

function report(bad: BadBlockRun, sync: SyncLivenessRun): PartResult {
  const badWindow = worstWindow([...bad.polls.eventLoopWindows, bad.closingWindow]);
  const syncWindow = worstWindow(sync.polls.eventLoopWindows);
  const md = [
    `A second client polls \`GET /api/v1/status\` every ${POLL_INTERVAL_MS} ms on schedule (a poll goes out on time even while earlier ones wait, each on a connection of its own, from the client's own loopback address), ` +
      'and measures each answer from send to last byte. The polled nodes run with `--rate-limit ' +
      HIGH_RATE_LIMIT +
      '` (the poller alone sends 3,000 requests a minute) and under `--cpu-prof`. ' +
      '"Node\'s eventLoop" is the node\'s own figure from /status (`monitorEventLoopDelay`, 10 s windows): the worst window that ended during the run.',
    '',
    `a) Maximum-size invalid blocks over the API: ${bad.transfers.toLocaleString('en-US')} transfers from one funded key (fee 0), ${bad.blockBytes.toLocaleString('en-US')} bytes, ` +
      `a valid signature of something else as the aggregate; ${bad.submissions.length} fresh blocks submitted one after another by another client, ` +
      `each refused with ${bad.submissions[0]?.status} ${bad.submissions[0]?.code} after ${fmtStat(bad.submitMs, ' ms')}; the tip stayed at height ${bad.heightAfter}. ` +
      `b) A fresh node syncing ${sync.blocks.toLocaleString('en-US')} blocks (the sync part's chain, 100 transfers a block) from a serving node over libp2p on loopback, in ${fmt(sync.seconds)} s; the syncing node is polled.`,
    '',
    "| while | seconds | polls sent / answered 200 | p50 ms | p99 ms | max ms | node's eventLoop |",
    '| --- | --- | --- | --- | --- | --- | --- |',
    pollRow('idle (baseline, before a)', bad.idle, undefined),
    pollRow('a) the node checks maximum-size invalid blocks', bad.polls, badWindow),
    pollRow('b) the node syncs 1,000 blocks of 100 transfers', sync.polls, syncWindow),
    '',
    `CPU during a): ${fmtLoad(bad.load)}. During b): ${fmtLoad(sync.load)} (nodes = the serving and the syncing node).`,
    ...whyNot('while the node checks invalid blocks', bad.polls, bad.profile, bad.load, (main, workers) =>
      badBlockCause(bad, main, workers),
    ),
    ...whyNot('while the node syncs', sync.polls, sync.profile, sync.load, (main) => syncCause(main)),
    '',
    '### CPU profile of the node checking the invalid blocks',
    '',
    profileMarkdown(bad.profile),
    ...(sync.profile ? ['### CPU profile of the syncing node', '', profileMarkdown(sync.profile)] : []),
  ].join('\n');
  const target = (id: string, what: string, s: PollSummary, w: EventLoopWindow | undefined): Target => ({
    id,
    description: `issue 13: p99 latency of GET /api/v1/status from a second client (every ${POLL_INTERVAL_MS} ms) ${what}`,
    target: `<= ${LIVENESS_P99_MS} ms`,
    measured: `${fmt(s.latencyMs.p99)} ms (p50 ${fmt(s.latencyMs.p50)} ms, max ${fmt(s.latencyMs.max)} ms, ${s.answered.toLocaleString('en-US')} of ${s.polls.toLocaleString('en-US')} polls answered 200); node's eventLoop ${windowText(w)}`,
    met: s.polls > 0 && s.answered === s.polls && s.latencyMs.p99 <= LIVENESS_P99_MS,
  });
  return {
    data: { badBlocks: bad, sync, settings: { POLL_INTERVAL_MS, MIN_BLOCKS, MIN_SECONDS, MAX_BLOCKS } },
    markdown: md,
    targets: [
      target('13-1a', 'while the node checks maximum-size invalid blocks submitted over the API', bad.polls, badWindow),
      target('13-1b', 'while the node syncs 1,000 blocks of 100 transfers', sync.polls, syncWindow),
    ],
    charts: [],
    headlines: [
      `API liveness: /status p99 ${fmt(bad.polls.latencyMs.p99)} ms while the node refuses ${bad.transfers.toLocaleString('en-US')}-transfer invalid blocks (${fmt(bad.submitMs.median)} ms each), ` +
        `${fmt(sync.polls.latencyMs.p99)} ms while it syncs 1,000 blocks (target <= ${LIVENESS_P99_MS} ms).`,
    ],
  };
}
