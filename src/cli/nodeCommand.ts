/**
 * `ourcoin node`: SimpleCoin's miner.py done for real. Starts a full node that keeps its
 * chain on disk, serves the HTTP API, and (with --mine) mines in parallel worker threads.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { DEFAULT_RATE_LIMIT, buildApiServer } from '../api/server.js';
import type { P2PInfo } from '../api/context.js';
import { DEFAULT_MAX_PEERS, P2PNetwork } from '../network/network.js';
import { ParallelMiner } from '../miner/parallelMiner.js';
import { decodeAddress, encodeAddress } from '../protocol/address.js';
import { toHex } from '../protocol/bytes.js';
import { networkByName } from '../protocol/networks.js';
import type { NetworkParams } from '../protocol/networks.js';
import { OurCoinNode } from '../node/node.js';
import { OurCoinError } from '../errors.js';
import { loadOrCreateMinerKey } from '../node/minerKey.js';
import { getPassword } from './password.js';

export const DEFAULT_API_PORTS: Record<string, number> = { devnet: 8330, regtest: 18330 };
export const DEFAULT_P2P_PORTS: Record<string, number> = { devnet: 8331, regtest: 18331 };

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
  statusInterval: number;
  logLevel: string;
  p2p: boolean;
  p2pPort?: number;
  p2pHost: string;
  peer: string[];
  mdns: boolean;
  reindex: boolean;
  maxPeers: number;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

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
      integer(0, 65535),
    )
    .option('--api-host <host>', 'HTTP API bind address (loopback by default)', '127.0.0.1')
    .option('--mine', 'mine blocks', false)
    .option('--miner-address <address>', 'pay mined coins here (default: a key the node creates in its data directory)')
    .option('--threads <n>', 'mining threads', integer(1, 256), Math.max(1, availableParallelism() - 1))
    .option('--password-file <file>', 'password for a newly created miner key (or set OURCOIN_PASSWORD)')
    .option(
      '--cors-origin <origin>',
      'allow this browser origin to call the API (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      '--rate-limit <n>',
      'API requests a minute per client IP',
      integer(1, 1_000_000_000),
      DEFAULT_RATE_LIMIT.max,
    )
    .option(
      '--p2p-port <port>',
      'peer-to-peer TCP port (default 8331 devnet, 18331 regtest; 0 picks a free one)',
      integer(0, 65535),
    )
    .option('--p2p-host <host>', 'peer-to-peer listen address', '0.0.0.0')
    .option(
      '--peer <multiaddr>',
      'a peer to connect to, like /ip4/192.0.2.7/tcp/8331/p2p/12D3Koo... (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--mdns', 'find peers on the local network by mDNS', false)
    .option(
      '--max-peers <n>',
      'connections kept before the least valuable are pruned (--peer ones are kept)',
      integer(1, 10_000),
      DEFAULT_MAX_PEERS,
    )
    .option('--no-p2p', 'run without the peer-to-peer network')
    .option(
      '--reindex',
      'rebuild account state and indexes by validating every stored block again (after a bug or corruption)',
      false,
    )
    .option('--status-interval <seconds>', 'seconds between status lines (0: none)', integer(0, 86_400), 10)
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .action((opts: NodeCommandOptions) => runNode(opts));
}

async function runNode(opts: NodeCommandOptions): Promise<void> {
  const network = networkByName(opts.network);
  const datadir = resolve(opts.datadir ?? defaultDatadir(network.name));
  const logger = pino({ level: opts.logLevel, base: undefined }, pino.destination(2));

  const minerAddress = opts.mine || opts.minerAddress ? await resolveMinerAddress(opts, network, datadir) : undefined;
  const searcher = opts.mine ? new ParallelMiner({ threads: opts.threads }) : undefined;
  const node = await OurCoinNode.open({ network, datadir, logger, minerAddress, searcher, reindex: opts.reindex });
  // A crashed miner thread stops mining, never the node.
  searcher?.on('error', (err) => {
    logger.error({ err }, 'a miner thread failed; mining stopped');
    node.stopMining();
  });
  // The network starts after the API is up; the API reads peers through these.
  let peersSource: () => unknown[] = () => [];
  let p2pSource: () => P2PInfo | null = () => null;
  let connect: ((address: string) => Promise<void>) | undefined = undefined;
  const api = await buildApiServer(node, {
    logger,
    corsOrigins: opts.corsOrigin,
    rateLimit: { max: opts.rateLimit, timeWindowMs: DEFAULT_RATE_LIMIT.timeWindowMs },
    peers: () => peersSource(),
    p2p: () => p2pSource(),
    connect: opts.p2p
      ? (address) => (connect ? connect(address) : Promise.reject(new Error('the network is starting')))
      : undefined,
  });
  const port = opts.apiPort ?? DEFAULT_API_PORTS[network.name] ?? 8330;
  try {
    await api.listen({ host: opts.apiHost, port });
  } catch (err) {
    await node.close();
    const code = (err as { code?: string }).code ?? 'unknown';
    throw new OurCoinError(
      'API_LISTEN_FAILED',
      `cannot serve the API on ${opts.apiHost}:${port} (${code}); choose another --api-port`,
      'input',
      { cause: err },
    );
  }
  const address = api.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const p2p = opts.p2p
    ? await P2PNetwork.start({
        network,
        chain: node.chain,
        pool: node.mempool,
        datadir,
        logger,
        host: opts.p2pHost,
        port: opts.p2pPort ?? DEFAULT_P2P_PORTS[network.name] ?? 8331,
        bootstrap: opts.peer,
        mdns: opts.mdns,
        maxPeers: opts.maxPeers,
      }).catch(async (err: unknown) => {
        await api.close();
        await node.close();
        throw new OurCoinError(
          'P2P_START_FAILED',
          `cannot start the peer-to-peer network: ${(err as Error).message}; choose another --p2p-port`,
          'input',
          { cause: err },
        );
      })
    : undefined;
  // Relay what this node accepts: its API's transfers, and each new tip it reaches.
  if (p2p) {
    node.mempool.onAccepted((entries) => p2p.relayTransfers(entries));
    node.chain.onTipChange((change) => p2p.relayTip(change));
  }
  peersSource = () => p2p?.peers() ?? [];
  p2pSource = () => (p2p ? { peerId: p2p.peerId, multiaddrs: p2p.multiaddrs() } : null);
  connect = p2p ? (address) => p2p.dial(address) : undefined;
  const host = opts.apiHost.includes(':') ? `[${opts.apiHost}]` : opts.apiHost;
  const url = `http://${host}:${boundPort}`;

  const banner = [
    `OurCoin node`,
    `  network     ${network.name} (chain id 0x${network.chainId.toString(16)})`,
    `  data dir    ${datadir}`,
    `  api         ${url}/api/v1  (OpenAPI at ${url}/docs)`,
    `  height      ${node.chain.tip.height}  tip ${toHex(node.chain.tip.hash)}`,
    p2p
      ? `  p2p         ${
          p2p
            .multiaddrs()
            .map((m) => `${m}`)
            .join('  ') || '(no listen address)'
        }`
      : `  p2p         off`,
    minerAddress
      ? `  miner       ${encodeAddress(minerAddress, network)}${opts.mine ? `  (${opts.threads} thread${opts.threads === 1 ? '' : 's'})` : '  (not mining)'}`
      : `  miner       off (start with --mine)`,
  ];
  process.stdout.write(banner.join('\n') + '\n');
  if (opts.mine) node.startMining();

  const statusTimer =
    opts.statusInterval > 0
      ? setInterval(() => {
          const s = node.status();
          process.stdout.write(
            `height ${s.height}  peers ${p2p?.peers().length ?? 0}  mempool ${s.mempool}  ${s.mining ? `hashrate ${formatRate(s.hashRate)}` : 'not mining'}  tip ${toHex(s.tipHash).slice(0, 18)}…\n`,
          );
        }, opts.statusInterval * 1000)
      : undefined;

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(statusTimer);
    void api
      .close()
      .then(() => p2p?.stop())
      .then(() => node.close())
      .then(
        () => process.exit(0),
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

function formatRate(hashesPerSecond: number): string {
  if (hashesPerSecond >= 1e6) return `${(hashesPerSecond / 1e6).toFixed(2)} MH/s`;
  if (hashesPerSecond >= 1e3) return `${(hashesPerSecond / 1e3).toFixed(1)} kH/s`;
  return `${hashesPerSecond.toFixed(0)} H/s`;
}
