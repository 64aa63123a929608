/**
 * `ourcoin devnet`: a whole network on this machine. Starts N `ourcoin node` processes on
 * loopback, all connected through node 0 (every other node gets `--peer <node 0>`), the
 * first K of them mining, prints a table of the nodes and then one status line every few
 * seconds, and stops every node cleanly on Ctrl-C or SIGTERM. If a node exits on its own,
 * it says which one and stops the others.
 *
 * The children run with the same Node executable and the same entry point as this process
 * (dist/cli/main.js when built, src/cli/main.ts under tsx). Each writes its output to
 * <dir>/node-<i>.log and keeps its data in <dir>/node-<i>.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { blstBls, generateSecretKey } from '../crypto/blst.js';
import { addressOf, decodeAddress } from '../protocol/address.js';
import { OurCoinError } from '../errors.js';
import { networkByName } from '../protocol/networks.js';
import type { NetworkParams } from '../protocol/networks.js';
import { integerOption } from './options.js';

interface DevnetOptions {
  nodes: number;
  mining?: number;
  network: string;
  basePort?: number;
  dir?: string;
  keep: boolean;
  threads: number;
  minerAddress?: string;
  statusInterval: number;
}

/** How long a node may take to print its banner and answer its API. */
const START_TIMEOUT_MS = 60_000;
/** How long a node may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('run a local network: N connected nodes on loopback, the first K mining')
    .option('--nodes <n>', 'number of nodes', integerOption(1, 32), 3)
    .option(
      '--mining <k>',
      'how many of them mine (the first k; default: 2, or 1 with a single node)',
      integerOption(0, 32),
    )
    .option('--network <name>', 'devnet or regtest', 'devnet')
    .option(
      '--base-port <port>',
      'node i serves its API on port+2i and peer-to-peer on port+2i+1 (default: free ports)',
      integerOption(1, 65535),
    )
    .option('--dir <dir>', 'where the nodes keep their data and logs (default: a fresh temporary directory)')
    .option('--keep', 'keep the temporary directory on exit', false)
    .option('--threads <n>', 'mining threads per mining node', integerOption(1, 256), 1)
    .option(
      '--miner-address <address>',
      'pay every mining node here (default: a throw-away key per node, or with OURCOIN_PASSWORD set, a keystore each node creates)',
    )
    .option('--status-interval <seconds>', 'seconds between status lines (0: none)', integerOption(0, 86_400), 5)
    .action(async (opts: DevnetOptions) => {
      process.exitCode = await runDevnet(opts);
      // Leftover handles (log streams, timers) must not keep a stopped devnet alive.
      process.exit();
    });
}

/** The command line that runs `ourcoin` the way this process runs it. */
export function ourcoinCommand(moduleUrl: string = import.meta.url): { command: string; args: string[] } {
  const here = fileURLToPath(moduleUrl);
  const ext = extname(here);
  const entry = fileURLToPath(new URL(`./main${ext}`, moduleUrl));
  if (ext === '.ts') {
    // Resolved from this file, so the child finds tsx whatever its working directory.
    return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), entry] };
  }
  return { command: process.execPath, args: [entry] };
}

interface Child {
  readonly index: number;
  readonly proc: ChildProcess;
  readonly log: WriteStream;
  readonly logPath: string;
  readonly mining: boolean;
  minerAddress?: string;
  url?: string;
  multiaddr?: string;
  exited: Promise<number | null>;
}

interface StatusBody {
  height: number;
  peers: number;
  minerAddress: string | null;
  p2p: { peerId: string; multiaddrs: string[] } | null;
}

async function fetchStatus(url: string, timeoutMs = 2000): Promise<StatusBody> {
  const res = await fetch(`${url}/api/v1/status`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`status ${res.status}`);
  return (await res.json()) as StatusBody;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function minerAddresses(opts: DevnetOptions, network: NetworkParams, count: number): (string | undefined)[] {
  if (opts.minerAddress) {
    decodeAddress(opts.minerAddress, network); // fails early, with the address error, on a bad one
    return Array.from({ length: count }, () => opts.minerAddress);
  }
  // With a password in the environment, each node creates (and keeps) its own keystore.
  if (process.env.OURCOIN_PASSWORD) return Array.from({ length: count }, () => undefined);
  // Otherwise a fresh key per node whose secret is dropped at once: nothing secret on disk,
  // and the coins are for show.
  return Array.from({ length: count }, () => {
    const sk = generateSecretKey();
    const address = addressOf(blstBls.secretKeyToPublicKey(sk), network);
    sk.fill(0);
    return address;
  });
}

async function runDevnet(opts: DevnetOptions): Promise<number> {
  const network = networkByName(opts.network);
  const n = opts.nodes;
  const k = opts.mining ?? Math.min(2, n);
  if (k > n) throw new OurCoinError('DEVNET_BAD_OPTIONS', `--mining ${k} is more than --nodes ${n}`, 'input');
  const basePort = opts.basePort ?? 0;
  if (basePort !== 0 && basePort + 2 * n - 1 > 65535) {
    throw new OurCoinError(
      'DEVNET_BAD_OPTIONS',
      `--base-port ${basePort} leaves no room for ${n} nodes (2 ports each)`,
      'input',
    );
  }
  const miners = minerAddresses(opts, network, k);
  const temporary = opts.dir === undefined;
  const dir = temporary ? mkdtempSync(join(tmpdir(), 'ourcoin-devnet-')) : resolve(opts.dir!);
  mkdirSync(dir, { recursive: true });
  const { command, args: entryArgs } = ourcoinCommand();

  const children: Child[] = [];
  let stopping = false;
  let failure: string | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (wake = r));
  const requestStop = (why?: string): void => {
    if (stopping) return;
    stopping = true;
    failure = why;
    wake();
  };

  // Last resort: whatever happens to this process, no node outlives it.
  const killAll = (): void => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C: no more waiting.
      process.stdout.write(`${signal} again: killing the nodes\n`);
      killAll();
      return;
    }
    process.stdout.write(
      `\n${signal}: stopping ${children.length} node${children.length === 1 ? '' : 's'} (again to kill them)…\n`,
    );
    requestStop();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  // The nodes' settings all come from here: not from the user's ourcoin.toml (its peers, ports, mining).
  const nodeConfig = join(dir, 'node.toml');
  writeFileSync(nodeConfig, '# ourcoin devnet: its nodes read no other config file\n');
  const launch = (i: number, peer: string | undefined): Child => {
    const mining = i < k;
    const datadir = join(dir, `node-${i}`);
    const ports = basePort === 0 ? ['0', '0'] : [String(basePort + 2 * i), String(basePort + 2 * i + 1)];
    const args = [
      ...entryArgs,
      '--config',
      nodeConfig,
      'node',
      '--network',
      network.name,
      '--datadir',
      datadir,
      '--api-host',
      '127.0.0.1',
      '--api-port',
      ports[0]!,
      '--p2p-host',
      '127.0.0.1',
      '--p2p-port',
      ports[1]!,
      ...(peer ? ['--peer', peer] : []),
      ...(mining ? ['--mine', '--threads', String(opts.threads)] : []),
      ...(mining && miners[i] ? ['--miner-address', miners[i]] : []),
    ];
    const logPath = join(dir, `node-${i}.log`);
    const log = createWriteStream(logPath, { flags: 'a' });
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    proc.stdout.pipe(log, { end: false });
    proc.stderr.pipe(log, { end: false });
    const exited = new Promise<number | null>((r) => {
      proc.once('close', (code, signal) => {
        log.end(() => r(code ?? (signal ? 128 : null)));
      });
    });
    const child: Child = { index: i, proc, log, logPath, mining, minerAddress: miners[i], exited };
    children.push(child);
    proc.once('exit', (code, signal) => {
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      requestStop(`node ${i} exited unexpectedly (${how}); see ${logPath}`);
    });
    proc.once('error', (err) => requestStop(`node ${i} could not start: ${err.message}`));
    return child;
  };

  /** Waits for the node's banner (its API URL), then for its API to answer with a p2p address. */
  const ready = async (c: Child): Promise<void> => {
    let out = '';
    const deadline = Date.now() + START_TIMEOUT_MS;
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`node ${c.index} printed no banner within ${START_TIMEOUT_MS / 1000} s; see ${c.logPath}`)),
        START_TIMEOUT_MS,
      );
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /api\s+(http:\/\/\S+)\/api\/v1/.exec(out);
        if (m) {
          clearTimeout(timer);
          c.proc.stdout!.off('data', onData);
          resolveUrl(m[1]!);
        }
      };
      c.proc.stdout!.on('data', onData);
      void c.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`node ${c.index} exited while starting; see ${c.logPath}`));
      });
    });
    c.url = url;
    while (!stopping) {
      try {
        const s = await fetchStatus(url);
        c.multiaddr = s.p2p?.multiaddrs[0];
        if (c.mining) c.minerAddress ??= s.minerAddress ?? undefined;
        if (c.multiaddr) return;
      } catch {
        // not answering yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `node ${c.index} gave no peer-to-peer address within ${START_TIMEOUT_MS / 1000} s; see ${c.logPath}`,
        );
      await sleep(200);
    }
  };

  const start = async (): Promise<void> => {
    const first = launch(0, undefined);
    await ready(first);
    if (stopping) return;
    const rest: Child[] = [];
    for (let i = 1; i < n; i++) rest.push(launch(i, first.multiaddr));
    await Promise.all(rest.map(ready));
  };

  let statusTimer: NodeJS.Timeout | undefined;
  await Promise.race([start().catch((err: unknown) => requestStop((err as Error).message)), stopped]);

  if (!stopping) {
    printTable(children, network, dir, temporary && !opts.keep, opts.threads);
    if (opts.statusInterval > 0) {
      let busy = false;
      statusTimer = setInterval(() => {
        if (busy || stopping) return;
        busy = true;
        void statusLine(children)
          .then((line) => {
            if (!stopping) process.stdout.write(line + '\n');
          })
          .finally(() => (busy = false));
      }, opts.statusInterval * 1000);
    }
    await stopped;
  }

  clearInterval(statusTimer);
  if (failure) process.stderr.write(`error: ${failure}\n`);
  await stopAll(children);
  for (const s of signals) process.off(s, onSignal);
  process.off('exit', killAll);

  if (temporary && !opts.keep && !failure) {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`stopped; removed ${dir}\n`);
  } else {
    process.stdout.write(`stopped; data and logs kept in ${dir}\n`);
  }
  return failure ? 1 : 0;
}

/** SIGTERM to every node still running, then wait; a node that does not stop in time is killed. */
async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_TIMEOUT_MS)));
      const outcome = await Promise.race([c.exited, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        process.stderr.write(`node ${c.index} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it\n`);
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }),
  );
}

function printTable(
  children: readonly Child[],
  network: NetworkParams,
  dir: string,
  removed: boolean,
  threads: number,
): void {
  const rows = children.map((c) => [
    String(c.index),
    c.url ?? '?',
    c.multiaddr ?? '?',
    c.mining ? `yes (${threads} thread${threads === 1 ? '' : 's'}) to ${c.minerAddress ?? 'its own key'}` : 'no',
  ]);
  const head = ['node', 'api', 'p2p', 'mining'];
  const widths = head.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((cell, col) => (col === cells.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `OurCoin devnet: ${children.length} node${children.length === 1 ? '' : 's'} on ${network.name}`,
    line(head),
    ...rows.map(line),
    `  data and logs in ${dir}${removed ? ' (removed on exit; --keep keeps them)' : ''}; node i logs to node-<i>.log`,
    `  Ctrl-C stops every node`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

/** `heights 41 41 41  peers 2 2 2`; a node that does not answer shows `?`. */
async function statusLine(children: readonly Child[]): Promise<string> {
  const statuses = await Promise.all(
    children.map((c) => (c.url ? fetchStatus(c.url).catch(() => undefined) : Promise.resolve(undefined))),
  );
  const heights = statuses.map((s) => (s ? String(s.height) : '?'));
  const peers = statuses.map((s) => (s ? String(s.peers) : '?'));
  return `heights ${heights.join(' ')}  peers ${peers.join(' ')}`;
}
