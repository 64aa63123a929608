/**
 * The node's peer-to-peer network: the facade that assembles its pieces and the one object
 * the composition root holds. It takes narrow ports (the chain as reader and block sink, the
 * transfer pool), never the node, and subscribes to nothing: the root tells it what to relay
 * (relayTransfers, relayTip).
 *
 * - host.ts: the libp2p host, discovery, connections and redials of --peer addresses;
 * - handshake.ts: status exchange and refresh, peers from other networks cut off;
 * - handlers.ts: the headers, blocks and transfers this node serves;
 * - gossip.ts: transfer and compact-block topics (validation, publishing, reconstruction);
 * - peerBook.ts, scoring.ts: what we know of each peer, and what misbehaviour costs it;
 * - sync/: catching up from a peer with more work (headers, then blocks).
 */
import './polyfills.js';
import type { PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { BlockSink, ChainReader, TipChange } from '../chain/interface.js';
import type { MempoolEntry, TransferPool } from '../mempool/interface.js';
import type { NetworkParams } from '../protocol/networks.js';
import { Gossip } from './gossip.js';
import { installRequestHandlers } from './handlers.js';
import { Handshake } from './handshake.js';
import { createHost, keepConnections } from './host.js';
import type { Host, HostOptions } from './host.js';
import { protocolIds } from './interface.js';
import type {
  BlockRelay,
  GossipRejection,
  PeerDirectory,
  PeerMetrics,
  PeerView,
  ProtocolIds,
  RelayMetrics,
  SyncProgress,
} from './interface.js';
import { PeerBook } from './peerBook.js';
import { request } from './reqresp.js';
import { penalizer } from './scoring.js';
import type { Penalize } from './scoring.js';
import { Syncer } from './sync/syncer.js';
import type { PeerRequest } from './sync/transport.js';

/** The host's settings (host.ts), and the ports of the node the network works with. */
export interface NetworkOptions extends Omit<HostOptions, 'maxPeers'> {
  readonly network: NetworkParams;
  readonly chain: ChainReader & BlockSink;
  readonly pool: TransferPool;
  /** Connections kept before libp2p prunes the least valuable ones (default DEFAULT_MAX_PEERS). */
  readonly maxPeers?: number;
  /** Counts penalties and bans (the node's /metrics). */
  readonly peerMetrics?: PeerMetrics;
  /** How blocks travel (default compact; see BlockRelay). */
  readonly relay?: BlockRelay;
  /** Counts relayed blocks by how they arrived, and gossip bytes (the node's /metrics). */
  readonly relayMetrics?: RelayMetrics;
}

/**
 * Eclipse resistance: past this many connections libp2p prunes the lowest-valued ones, and
 * the operator's --peer addresses carry the highest value (and are redialed), so a crowd of
 * inbound strangers cannot push them out.
 */
export const DEFAULT_MAX_PEERS = 64;

export class P2PNetwork implements PeerDirectory {
  readonly ids: ProtocolIds;
  readonly penalize: Penalize;
  private readonly syncer: Syncer;
  private readonly handshake: Handshake;
  private readonly gossip: Gossip;
  private stopConnections: () => void = () => undefined;

  private constructor(
    readonly libp2p: Host,
    private readonly opts: NetworkOptions,
    readonly book: PeerBook,
  ) {
    const { network, chain, pool, logger } = opts;
    this.ids = protocolIds(network.name);
    this.penalize = penalizer(book, libp2p, logger, opts.peerMetrics);
    this.syncer = new Syncer({
      chain,
      book,
      request: this.peerRequest,
      logger,
      penalize: this.penalize,
      onCaughtUp: () => this.announceTip(),
    });
    this.handshake = new Handshake({
      libp2p,
      network,
      chain,
      book,
      logger,
      onStatus: (peer, status) => this.syncer.onPeerStatus(peer.toString(), status),
    });
    this.gossip = new Gossip({
      libp2p,
      ids: this.ids,
      chain,
      pool,
      logger,
      penalize: this.penalize,
      requestSync: (peer) => this.syncer.requestSync(peer),
      relay: opts.relay,
      metrics: opts.relayMetrics,
    });
  }

  static async start(opts: NetworkOptions): Promise<P2PNetwork> {
    const book = new PeerBook();
    const libp2p = await createHost({ ...opts, maxPeers: opts.maxPeers ?? DEFAULT_MAX_PEERS }, book);
    const net = new P2PNetwork(libp2p, opts, book);
    await net.install();
    return net;
  }

  private async install(): Promise<void> {
    const { chain, pool, logger, bootstrap } = this.opts;
    const { libp2p, ids, book, penalize } = this;
    await this.handshake.start();
    await installRequestHandlers({ libp2p, ids, chain, pool, book, penalize });
    this.stopConnections = keepConnections(libp2p, {
      book,
      logger,
      bootstrap,
      onOutbound: (peer) => void this.handshake.greet(peer),
    });
    this.gossip.start();
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  peers(): PeerView[] {
    return this.book.all().map((p) => ({
      peerId: p.peerId,
      address: p.address,
      direction: p.direction,
      height: p.status?.height ?? null,
      cumulativeWork: p.status ? p.status.cumulativeWork.toString() : null,
      score: p.score,
      network: p.status?.networkName ?? null,
    }));
  }

  async dial(address: string): Promise<void> {
    await this.libp2p.dial(multiaddr(address));
  }

  /** Called for every gossiped message refused or ignored with an error (see GossipRejection). */
  onGossipRejected(listener: (r: GossipRejection) => void): () => void {
    return this.gossip.onRejected(listener);
  }

  /** Relays transfers this node admitted (from its API or from gossip) to peers. */
  relayTransfers(entries: readonly MempoolEntry[]): void {
    this.gossip.publishTransfers(entries);
  }

  /**
   * Relays the new tip after the chain moved. Not while syncing: peers ahead of us have
   * those blocks, and the tip is announced once when the sync has caught up.
   */
  relayTip(change: TipChange): void {
    const tip = change.connected.at(-1);
    if (tip && !this.syncer.isSyncing) this.gossip.publishBlock(tip);
  }

  /** Where catching up from peers stands. */
  syncProgress(): SyncProgress {
    return this.syncer.progress();
  }

  /** Tells peers about our tip (after a sync, when it changed without gossip). */
  announceTip(): void {
    const { chain } = this.opts;
    const tip = chain.getBlock(chain.tip.hash);
    if (tip && chain.tip.height > 0) this.gossip.publishBlock(tip);
  }

  /** The syncer's wire: a request to a connected peer on the headers or blocks protocol. */
  private readonly peerRequest: PeerRequest = (peer, protocol, payload, limits) => {
    const id: PeerId | undefined = this.libp2p.getPeers().find((p) => p.toString() === peer);
    if (!id) return Promise.reject(new Error(`peer ${peer} is not connected`));
    return request(this.libp2p, id, this.ids[protocol], payload, limits);
  };

  async stop(): Promise<void> {
    this.stopConnections();
    this.handshake.stop();
    this.syncer.stop();
    await this.libp2p.stop();
  }
}
