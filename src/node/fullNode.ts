/**
 * The composition root: the one place that builds an OurCoin full node's services, wires
 * them together and owns their lifecycle (bcoin's FullNode, Lodestar's BeaconNode).
 *
 *     store -> verifier -> chain -> mempool -> miner        (open: no sockets yet)
 *                                 -> API, network, mining  (start)
 *     close: the same in reverse
 *
 * Every subscription between services is made here (see `wire`), and the edges get narrow
 * ports, never this object: the API `ApiPorts`, the network `NetworkServices`. Data flows one
 * way: edges -> mempool/chain -> store.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_RATE_LIMIT, buildApiServer } from '../api/server.js';
import type { RateLimitOptions } from '../api/server.js';
import type { ApiPorts } from '../api/context.js';
import { Chain } from '../chain/chain.js';
import type { ConnectProgress } from '../chain/chain.js';
import { blstBls } from '../crypto/blst.js';
import type { Bls } from '../crypto/interface.js';
import { useNativeSha256 } from '../crypto/nativeSha256.js';
import { OurCoinError } from '../errors.js';
import type { MempoolLimits } from '../mempool/interface.js';
import type { BlsVerifier } from '../chain/bls/interface.js';
import { BlsMultiThreadVerifier } from '../chain/bls/multithread.js';
import { Mempool } from '../mempool/mempool.js';
import { TransferActivity } from '../mempool/activity.js';
import type { PowSearcher } from '../miner/interface.js';
import { Miner } from '../miner/miner.js';
import { DEFAULT_MAX_PEERS, P2PNetwork } from '../network/network.js';
import type { BlockRelay } from '../network/interface.js';
import type { SyncProgress } from '../network/interface.js';
import type { NetworkParams } from '../protocol/networks.js';
import { SqliteStore } from '../store/sqliteStore.js';
import { EventLoopMonitor } from './eventLoopMonitor.js';
import { NodeErrorCode } from './interface.js';
import { NodeMetrics } from './metrics.js';
import { connectMempoolToChain } from './wiring.js';

export interface ApiListenOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Browser origins allowed to call the API (exact match); CORS is off without them. */
  readonly corsOrigins?: readonly string[];
  /** Cost per client IP per window (a request 1, a transfer 1); loopback exempt unless includeLoopback. */
  readonly rateLimit?: RateLimitOptions;
}

export interface P2PListenOptions {
  readonly host: string;
  readonly port: number;
  /** Multiaddrs to dial at start and keep (with /p2p/<peer id>). */
  readonly bootstrap: readonly string[];
  readonly mdns: boolean;
  readonly maxPeers?: number;
  /** How blocks travel: compact (default) or whole (a baseline for the network simulator). */
  readonly relay?: BlockRelay;
}

export interface FullNodeOptions {
  readonly network: NetworkParams;
  /** Directory of this network's data (the chain database and the peer key live here). */
  readonly datadir: string;
  readonly logger: Logger;
  /** Where mined coins go; without it the node cannot mine. */
  readonly minerAddress?: Uint8Array;
  /** Proof-of-work searcher for background mining (the parallel miner in a node process). */
  readonly searcher?: PowSearcher;
  /**
   * The BLS verification service for everything from outside: transfer admission, blocks
   * from the API and peers, sync (default: worker threads, one a core).
   */
  readonly verifier?: BlsVerifier;
  /** Worker threads of the default verifier (default: os.availableParallelism()). */
  readonly verifyThreads?: number;
  readonly mempoolLimits?: Partial<MempoolLimits>;
  readonly bls?: Bls;
  /** Local clock in Unix seconds (tests pin it). */
  readonly now?: () => number;
  /** Rebuild account state and indexes by validating every stored block again from genesis. */
  readonly reindex?: boolean;
  /** Told of the progress of connecting stored blocks (a reindex) every `everyMs`, instead of progress log lines (a progress bar). */
  readonly connectProgress?: { readonly onProgress: (p: ConnectProgress) => void; readonly everyMs: number };
  /** Serve the HTTP API (on `start`); absent: no API. */
  readonly api?: ApiListenOptions;
  /** Join the peer-to-peer network (on `start`); absent: no network. */
  readonly p2p?: P2PListenOptions;
  /**
   * Prometheus metrics at GET /metrics on the API port: for loopback clients only (the
   * default), for any client, or off (no registry, no hooks).
   */
  readonly metrics?: 'loopback' | 'public' | 'off';
}

export class FullNode {
  readonly network: NetworkParams;
  readonly logger: Logger;
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly miner: Miner;
  /** Transfer events and first-seen times, for the API. */
  readonly activity: TransferActivity;
  /** The ports the API is built on (tests build their own API server on them). */
  readonly ports: ApiPorts;
  private api: FastifyInstance | undefined;
  private p2pNetwork: P2PNetwork | undefined;
  private readonly unwire: (() => void)[] = [];
  private closing: Promise<void> | undefined;
  private readonly eventLoop = new EventLoopMonitor();

  private constructor(
    private readonly opts: FullNodeOptions,
    private readonly store: SqliteStore,
    chain: Chain,
    private readonly verifier: BlsVerifier,
    mempool: Mempool,
    miner: Miner,
    private readonly metrics: NodeMetrics | undefined,
  ) {
    this.network = opts.network;
    this.logger = opts.logger;
    this.chain = chain;
    this.mempool = mempool;
    this.miner = miner;
    this.activity = new TransferActivity({ chain, pool: mempool });
    this.ports = {
      network: opts.network,
      chain,
      admin: chain,
      pool: mempool,
      transfers: this.activity,
      // The verification service knows what each client has waiting.
      admission: verifier,
      mining: miner,
      eventLoopDelay: () => this.eventLoop.delay(),
      // Late-bound: the network starts after the API.
      syncProgress: () => this.syncProgress(),
      metrics: metrics && {
        contentType: metrics.contentType,
        scrape: () => metrics.scrape(),
        public: opts.metrics === 'public',
      },
    };
    metrics?.observe({
      chain,
      pool: mempool,
      verifier,
      mining: miner,
      peers: () => this.p2pNetwork?.peers() ?? [],
    });
  }

  /**
   * Opens the store (creating it on first start), starts the verification workers, resumes
   * the chain on them (a reindex too: its pairings run there), reloads the mempool and wires
   * the services together. Listens on nothing yet.
   */
  static async open(opts: FullNodeOptions): Promise<FullNode> {
    useNativeSha256();
    mkdirSync(opts.datadir, { recursive: true, mode: 0o700 });
    const store = new SqliteStore(join(opts.datadir, 'chain.sqlite'), opts.network, { checkpointThread: true });
    const bls = opts.bls ?? blstBls;
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    const started = Date.now();
    if (opts.reindex) {
      store.resetChainState();
      opts.logger.info('reindex: state dropped, validating the stored blocks again from genesis');
    }
    const threads = opts.verifyThreads ?? availableParallelism();
    const verifier = opts.verifier ?? new BlsMultiThreadVerifier({ threads });
    const metrics = opts.metrics === 'off' ? undefined : new NodeMetrics();
    // Stored blocks waiting to be connected (all of them on a reindex, the rest of an
    // interrupted one) have their aggregates verified on the verifier's workers.
    const what = opts.reindex ? 'reindex' : 'connecting stored blocks';
    const logProgress = (p: ConnectProgress): void => {
      if (!opts.reindex && p.blocks === 0) return;
      const fields = { height: p.height, target: p.targetHeight, blocksPerSecond: Math.round(p.blocksPerSecond) };
      if (p.done) opts.logger.info({ ...fields, blocks: p.blocks, ms: Date.now() - started }, `${what}: done`);
      else if (!opts.connectProgress) opts.logger.info(fields, `${what}: progress`);
    };
    let chain: Chain;
    try {
      chain = await Chain.openAsync({
        network: opts.network,
        store,
        bls,
        now,
        verifier,
        verifyAhead: 3 * threads,
        onProgress: (p) => {
          opts.connectProgress?.onProgress(p);
          logProgress(p);
        },
        progressEveryMs: opts.connectProgress?.everyMs,
        metrics,
      });
    } catch (err) {
      await verifier.close();
      store.close();
      throw err;
    }
    const mempool = new Mempool({
      chain,
      verifier,
      store: store.mempoolStore(),
      limits: opts.mempoolLimits,
      metrics,
    });
    const miner = new Miner({
      network: opts.network,
      chain,
      pool: mempool,
      bls,
      logger: opts.logger,
      now,
      minerAddress: opts.minerAddress,
      searcher: opts.searcher,
    });
    const node = new FullNode(opts, store, chain, verifier, mempool, miner, metrics);
    node.wire();
    const reloaded = await mempool.loadPersisted();
    opts.logger.info({ height: chain.tip.height, mempool: reloaded }, 'chain opened');
    return node;
  }

  /** The subscriptions between the services that live as long as the node. */
  private wire(): void {
    const { chain, mempool, miner } = this;
    this.unwire.push(
      connectMempoolToChain(chain, mempool),
      // After the pool follows the chain: a reorg's events then say which transfers are pending again.
      this.activity.start(),
      chain.onTipChange(() => miner.onTipChange()),
      mempool.onChange(() => miner.onPoolChange()),
    );
    // A crashed miner thread stops mining, never the node.
    this.opts.searcher?.onError((err) => {
      this.logger.error({ err }, 'a miner thread failed; mining stopped');
      miner.stop();
    });
  }

  /** The API's address once it listens, like http://127.0.0.1:18330. */
  apiUrl: string | undefined;

  /** Where catching up from peers stands (never syncing without the network). */
  syncProgress(): SyncProgress {
    return (
      this.p2pNetwork?.syncProgress() ?? {
        syncing: false,
        targetHeight: null,
        height: this.chain.tip.height,
        blocksPerSecond: 0,
        etaSeconds: null,
      }
    );
  }

  /** The peer-to-peer network, once it runs. */
  get p2p(): P2PNetwork | undefined {
    return this.p2pNetwork;
  }

  /** Serves the API, then joins the network (so the API can report the network starting). */
  async start(): Promise<void> {
    if (this.opts.api) await this.startApi(this.opts.api);
    if (this.opts.p2p) await this.startNetwork(this.opts.p2p);
  }

  private async startApi(listen: ApiListenOptions): Promise<void> {
    const p2pOn = this.opts.p2p !== undefined;
    const api = await buildApiServer(this.ports, {
      logger: this.logger,
      corsOrigins: listen.corsOrigins,
      rateLimit: listen.rateLimit ?? DEFAULT_RATE_LIMIT,
      // Late-bound: the network starts after the API.
      peers: () => this.p2pNetwork?.peers() ?? [],
      p2p: () =>
        this.p2pNetwork ? { peerId: this.p2pNetwork.peerId, multiaddrs: this.p2pNetwork.multiaddrs() } : null,
      connect: p2pOn
        ? (address) =>
            this.p2pNetwork ? this.p2pNetwork.dial(address) : Promise.reject(new Error('the network is starting'))
        : undefined,
    });
    try {
      await api.listen({ host: listen.host, port: listen.port });
    } catch (err) {
      await api.close();
      const code = (err as { code?: string }).code ?? 'unknown';
      throw new OurCoinError(
        NodeErrorCode.apiListenFailed,
        `cannot serve the API on ${listen.host}:${listen.port} (${code}); choose another --api-port`,
        'input',
        { cause: err },
      );
    }
    this.api = api;
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : listen.port;
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    this.apiUrl = `http://${host}:${port}`;
  }

  private async startNetwork(listen: P2PListenOptions): Promise<void> {
    try {
      this.p2pNetwork = await P2PNetwork.start({
        network: this.network,
        chain: this.chain,
        pool: this.mempool,
        datadir: this.opts.datadir,
        logger: this.logger,
        host: listen.host,
        port: listen.port,
        bootstrap: listen.bootstrap,
        mdns: listen.mdns,
        maxPeers: listen.maxPeers ?? DEFAULT_MAX_PEERS,
        libp2pMetrics: this.metrics?.libp2pMetrics(),
        peerMetrics: this.metrics,
        relay: listen.relay,
        relayMetrics: this.metrics,
      });
    } catch (err) {
      throw new OurCoinError(
        NodeErrorCode.p2pStartFailed,
        `cannot start the peer-to-peer network: ${(err as Error).message}; choose another --p2p-port`,
        'input',
        { cause: err },
      );
    }
    const net = this.p2pNetwork;
    // Relay what this node accepts: transfers admitted to its pool, and each new tip.
    this.unwire.push(
      this.mempool.onAccepted((entries) => net.relayTransfers(entries)),
      this.chain.onTipChange((change) => net.relayTip(change)),
    );
  }

  /** Stops everything `open` and `start` began, in reverse order. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    await this.miner.close();
    await this.api?.close();
    await this.p2pNetwork?.stop();
    for (const undo of this.unwire.splice(0).reverse()) undo();
    await this.verifier.close();
    this.store.close();
    this.eventLoop.close();
    this.logger.info('node stopped');
  }
}
