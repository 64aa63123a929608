/**
 * `ourcoin node`: SimpleCoin's miner.py done for real. Starts a full node that keeps its
 * chain on disk, serves the HTTP API, and (with --mine) mines in parallel worker threads.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_RATE_LIMIT } from '../api/server.js';
import { DEFAULT_MEMPOOL_LIMITS } from '../mempool/interface.js';
import { DEFAULT_MAX_PEERS } from '../network/network.js';
import { BLOCK_RELAYS } from '../network/interface.js';
import type { BlockRelay } from '../network/interface.js';
import { ParallelMiner } from '../miner/parallelMiner.js';
import { POW_HASHER_DESCRIPTION } from '../miner/hasher.js';
import { decodeAddress, encodeAddress } from '../protocol/address.js';
import { toHex } from '../protocol/bytes.js';
import { networkByName } from '../protocol/networks.js';
import { formatHashRate } from '../protocol/pow.js';
import type { NetworkParams } from '../protocol/networks.js';
import { FullNode } from '../node/fullNode.js';
import { loadOrCreateMinerKey } from '../node/minerKey.js';
import { getPassword } from './password.js';
import { integerOption } from './options.js';
import { LOG_FORMATS, LOG_LEVELS, StatusLine, buildNodeLogger, choiceOption } from './logging.js';
import type { LogFormat, LogLevel } from './logging.js';
import { ProgressDisplay } from './progress.js';
import { DEFAULT_API_PORTS, DEFAULT_P2P_PORTS } from './nodeOptions.js';

export { DEFAULT_API_PORTS, DEFAULT_P2P_PORTS } from './nodeOptions.js';

interface NodeCommandOptions {
  network: string;
  datadir?: string;
  apiPort?: number;
  apiHost: string;
  mine: boolean;
  minerAddress?: string;
  threads: number;
  passwordFile?: string;
  corsOrigin: string[];
  rateLimit: number;
  rateLimitLoopback: boolean;
  metrics: boolean;
  metricsPublic: boolean;
  statusInterval: number;
  logLevel: LogLevel;
  logFormat?: LogFormat;
  logFile?: string;
  p2p: boolean;
  p2pPort?: number;
  p2pHost: string;
  peer: string[];
  mdns: boolean;
  reindex: boolean;
  maxPeers: number;
  verifyThreads?: number;
  maxMempool: number;
  relay: BlockRelay;
}

/** `--max-mempool` counts in megabytes of 1,000,000 bytes, as Bitcoin Core's -maxmempool does. */
const MB = 1_000_000;

export function defaultDatadir(network: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.OURCOIN_HOME ?? join(homedir(), '.ourcoin'), network);
}

export function registerNodeCommand(program: Command): void {
  program
    .command('node')
    .description('run a full node: chain on disk, HTTP API, optional parallel miner')
    .option('--network <name>', 'devnet or regtest', 'devnet')
    .option('--datadir <dir>', 'data directory (default: ~/.ourcoin/<network>, or $OURCOIN_HOME/<network>)')
    .option(
      '--api-port <port>',
      'HTTP API port (default 8330 devnet, 18330 regtest; 0 picks a free one)',
      integerOption(0, 65535),
    )
    .option('--api-host <host>', 'HTTP API bind address (loopback by default)', '127.0.0.1')
    .option('--mine', 'mine blocks', false)
    .option('--miner-address <address>', 'pay mined coins here (default: a key the node creates in its data directory)')
    .option('--threads <n>', 'mining threads', integerOption(1, 256), Math.max(1, availableParallelism() - 1))
    .option('--password-file <file>', 'password for a newly created miner key (or set OURCOIN_PASSWORD)')
    .option(
      '--cors-origin <origin>',
      'allow this browser origin to call the API (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      '--rate-limit <n>',
      'API cost a minute per client IP: a request costs 1, a transfer 1, a block its transfers',
      integerOption(1, 1_000_000_000),
      DEFAULT_RATE_LIMIT.max,
    )
    .option('--rate-limit-loopback', 'rate limit loopback clients too (exempt by default)', false)
    .option('--no-metrics', 'serve no Prometheus metrics (GET /metrics answers 404)')
    .option('--metrics-public', 'answer GET /metrics from any client, not only loopback ones', false)
    .option(
      '--p2p-port <port>',
      'peer-to-peer TCP port (default 8331 devnet, 18331 regtest; 0 picks a free one)',
      integerOption(0, 65535),
    )
    .option('--p2p-host <host>', 'peer-to-peer listen address', '0.0.0.0')
    .option(
      '--peer <multiaddr>',
      'a peer to connect to, like /ip4/192.0.2.7/tcp/8331/p2p/12D3Koo... (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--verify-threads <n>', 'threads that verify BLS signatures (default: one a core)', integerOption(1, 256))
    .option(
      '--max-mempool <MB>',
      'memory the pending transfers may take (past it the lowest fees are evicted)',
      integerOption(1, 1_000_000),
      DEFAULT_MEMPOOL_LIMITS.maxBytes / MB,
    )
    .option('--mdns', 'find peers on the local network by mDNS', false)
    .option(
      '--max-peers <n>',
      'connections kept before the least valuable are pruned (--peer ones are kept)',
      integerOption(1, 10_000),
      DEFAULT_MAX_PEERS,
    )
    .option('--no-p2p', 'run without the peer-to-peer network')
    // Hidden: whole-block relay is a baseline for `npm run sim`, not a way to run a node.
    .addOption(
      new Option('--relay <mode>', 'block relay: compact or full (every node of a network alike)')
        .argParser(choiceOption(BLOCK_RELAYS))
        .default('compact')
        .hideHelp(),
    )
    .option(
      '--reindex',
      'rebuild account state and indexes by validating every stored block again (after a bug or corruption)',
      false,
    )
    .option(
      '--status-interval <seconds>',
      'seconds between status checks: a line when the tip, peers or mempool changed, else every 5 minutes (0: none)',
      integerOption(0, 86_400),
      10,
    )
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, choiceOption(LOG_LEVELS), 'info')
    .option(
      '--log-format <format>',
      'pretty (readable, local times) or json (one JSON object a line); default: pretty on a terminal',
      choiceOption(LOG_FORMATS),
    )
    .option('--log-file <file>', 'also append the log to this file, as JSON lines')
    .action((opts: NodeCommandOptions) => runNode(opts));
}

async function runNode(opts: NodeCommandOptions): Promise<void> {
  const network = networkByName(opts.network);
  const datadir = resolve(opts.datadir ?? defaultDatadir(network.name));
  const isTTY = process.stderr.isTTY === true;
  // A bar only where people read the log: on a terminal, in readable lines.
  const display = isTTY && opts.logFormat !== 'json' ? new ProgressDisplay(process.stderr) : undefined;
  const { logger, close: closeLog } = buildNodeLogger({
    level: opts.logLevel,
    format: opts.logFormat,
    file: opts.logFile,
    isTTY,
    prettyOut: display,
  });

  const minerAddress = opts.mine || opts.minerAddress ? await resolveMinerAddress(opts, network, datadir) : undefined;
  const searcher = opts.mine ? new ParallelMiner({ threads: opts.threads }) : undefined;
  let node: FullNode;
  try {
    node = await FullNode.open({
      network,
      datadir,
      logger,
      minerAddress,
      searcher,
      reindex: opts.reindex,
      connectProgress: display && {
        everyMs: 250,
        onProgress: (p) => {
          // A normal start has nothing to connect: no bar.
          if (!opts.reindex && p.blocks === 0) return;
          display.update({ label: opts.reindex ? 'reindex' : 'connect', ...p });
          if (p.done) display.stop();
        },
      },
      verifyThreads: opts.verifyThreads,
      mempoolLimits: { maxBytes: opts.maxMempool * MB },
      metrics: !opts.metrics ? 'off' : opts.metricsPublic ? 'public' : 'loopback',
      api: {
        host: opts.apiHost,
        port: opts.apiPort ?? DEFAULT_API_PORTS[network.name] ?? 8330,
        corsOrigins: opts.corsOrigin,
        rateLimit: {
          max: opts.rateLimit,
          timeWindowMs: DEFAULT_RATE_LIMIT.timeWindowMs,
          includeLoopback: opts.rateLimitLoopback,
        },
      },
      p2p: opts.p2p
        ? {
            host: opts.p2pHost,
            port: opts.p2pPort ?? DEFAULT_P2P_PORTS[network.name] ?? 8331,
            bootstrap: opts.peer,
            mdns: opts.mdns,
            maxPeers: opts.maxPeers,
            relay: opts.relay,
          }
        : undefined,
    });
  } finally {
    display?.stop();
  }
  try {
    await node.start();
  } catch (err) {
    await node.close();
    throw err;
  }
  const url = node.apiUrl!;
  const tip = node.chain.tip;
  const p2p = node.p2p;
  const p2pAddresses = p2p ? p2p.multiaddrs() : null;
  const banner = [
    `OurCoin node`,
    `  network     ${network.name} (chain id 0x${network.chainId.toString(16)})`,
    `  data dir    ${datadir}`,
    `  api         ${url}/api/v1  (OpenAPI at ${url}/docs)`,
    `  height      ${tip.height}  tip ${toHex(tip.hash)}`,
    p2pAddresses ? `  p2p         ${p2pAddresses.join('  ') || '(no listen address)'}` : `  p2p         off`,
    minerAddress
      ? `  miner       ${encodeAddress(minerAddress, network)}${searcher ? `  (${opts.threads} thread${opts.threads === 1 ? '' : 's'}, ${POW_HASHER_DESCRIPTION[searcher.hasher]})` : '  (not mining)'}`
      : `  miner       off (start with --mine)`,
  ];
  // The banner is this command's output (scripts read the API URL there); the log says the same.
  process.stdout.write(banner.join('\n') + '\n');
  logger.info(
    {
      network: network.name,
      datadir,
      api: `${url}/api/v1`,
      height: tip.height,
      p2p: p2pAddresses,
      miner: minerAddress ? encodeAddress(minerAddress, network) : null,
    },
    'node started',
  );
  if (opts.mine) node.miner.start();

  const statusLine = new StatusLine();
  const statusTimer =
    opts.statusInterval > 0
      ? setInterval(() => {
          const { miner, mempool } = node;
          const tipNow = node.chain.tip;
          const snapshot = {
            height: tipNow.height,
            tip: toHex(tipNow.hash),
            peers: node.p2p?.peers().length ?? 0,
            mempool: mempool.size,
            hashRate: miner.isMining ? miner.hashRate() : null,
          };
          if (!statusLine.due(snapshot, Date.now())) return;
          logger.info(
            snapshot,
            `height ${snapshot.height}  peers ${snapshot.peers}  mempool ${snapshot.mempool}  ${snapshot.hashRate === null ? 'not mining' : `hashrate ${formatHashRate(snapshot.hashRate)}`}  tip ${snapshot.tip.slice(0, 18)}…`,
          );
        }, opts.statusInterval * 1000)
      : undefined;
  // The sync bar follows the syncer; its log lines go above the bar.
  const syncTimer = display
    ? setInterval(() => {
        const p = node.syncProgress();
        if (p.syncing && p.targetHeight !== null) display.update({ label: 'sync', ...p, targetHeight: p.targetHeight });
        else display.stop(p.height);
      }, 500)
    : undefined;

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    clearInterval(syncTimer);
    display?.stop();
    logger.info({ signal }, 'shutting down');
    node.close().then(
      () => {
        closeLog();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  // A bug in an async path must not take the node down with it: log it loudly instead.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (a bug: please report it)'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function resolveMinerAddress(
  opts: NodeCommandOptions,
  network: NetworkParams,
  datadir: string,
): Promise<Uint8Array> {
  if (opts.minerAddress) return decodeAddress(opts.minerAddress, network);
  const key = await loadOrCreateMinerKey(datadir, () =>
    getPassword({ passwordFile: opts.passwordFile }, 'New miner key', true),
  );
  if (key.created) {
    process.stdout.write(
      `Created a miner key, encrypted in ${key.keystorePath}\nIts address: ${encodeAddress(key.address, network)}\n`,
    );
  }
  return key.address;
}
