/**
 * The node's peer-to-peer network on js-libp2p 2.x: TCP, Noise, Yamux, identify, ping,
 * gossipsub; bootstrap peers and optional mDNS discovery.
 *
 * - Handshake (`/ourcoin/handshake/1`, the same id on every network so a peer from another
 *   network is recognised and told apart clearly): both sides exchange network, chain id,
 *   genesis, tip and cumulative work. A mismatch disconnects with a log line.
 * - Gossip (`/ourcoin/<network>/tx/1`, `/ourcoin/<network>/cblock/1`): transfers WITH their
 *   signature (the mempool needs it) and compact blocks. Each message is validated before it
 *   is forwarded: accepted, ignored (duplicates, stale, not yet connectable) or rejected
 *   (rule violations, which also cost the sender score).
 * - Requests (`/ourcoin/<network>/{headers,blocks,txs}/1`): headers by locator and blocks by
 *   hash for sync (sync.ts), transfers by txid for compact block reconstruction.
 */
import './polyfills.js';
import { createLibp2p } from 'libp2p';
import type { Libp2p, Message, PeerId, PubSub } from '@libp2p/interface';
import { TopicValidatorResult } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { bootstrap } from '@libp2p/bootstrap';
import { mdns } from '@libp2p/mdns';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from 'pino';
import type { TipChange } from '../chain/interface.js';
import type { MempoolEntry } from '../mempool/interface.js';
import type { NetworkServices } from './interface.js';
import { blockHash, encodeBlock, MAX_BLOCK_ENCODING_BYTES } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import type { ErrorKind } from '../errors.js';
import { genesisBlock } from '../protocol/genesis.js';
import { sha256 } from '../protocol/hash.js';
import { decodeSignedTransfer, encodeSignedTransfer, transferTxid } from '../protocol/transaction.js';
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import { missingTxids, rebuildBlock, toCompactBlock, withExtra } from './compactBlock.js';
import { loadOrCreatePeerKey } from './identity.js';
import {
  MAX_TXIDS,
  STATUS_VERSION,
  decodeCompactBlock,
  decodeSignedTransfers,
  decodeStatus,
  decodeTxsRequest,
  encodeCompactBlock,
  encodeSignedTransfers,
  encodeBlocksRequest,
  encodeStatus,
  encodeTxsRequest,
} from './messages.js';
import type { PeerStatus } from './messages.js';
import { PeerBook, Penalty } from './peerBook.js';
import { request, respond } from './reqresp.js';
import { Syncer } from './sync.js';

export const HANDSHAKE_PROTOCOL = '/ourcoin/handshake/1';

export interface NetworkOptions {
  /** The services the network serves and feeds, as ports. */
  readonly node: NetworkServices;
  readonly datadir: string;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  /** Multiaddrs to dial at start and keep (with /p2p/<peer id>). */
  readonly bootstrap: readonly string[];
  readonly mdns: boolean;
  /** Connections kept before libp2p prunes the least valuable ones (default DEFAULT_MAX_PEERS). */
  readonly maxPeers?: number;
}

/**
 * Eclipse resistance: past this many connections libp2p prunes the lowest-valued ones, and
 * the operator's --peer addresses carry the highest value (and are redialed), so a crowd of
 * inbound strangers cannot push them out.
 */
export const DEFAULT_MAX_PEERS = 64;
/**
 * The peer-store tag on --peer addresses: libp2p prunes the highest-valued peers last. No
 * TTL: without one the tag never expires (an Infinity TTL is refused by the peer store, and
 * the bootstrap module then never announces the peer at all). Not a "keep-alive" tag:
 * libp2p redials those at once on every disconnect, so a peer that bans us would be
 * redialed in a storm (and on loopback, the shared per-host limit of 5 inbound connections
 * a second then turns away everyone else); redialOperatorPeers paces the redials instead.
 */
const OPERATOR_PEER_TAG = 'ourcoin-peer';
/** How often a --peer that is not connected is dialed again. */
const REDIAL_MS = 5_000;

export interface PeerView {
  readonly peerId: string;
  readonly address: string;
  readonly direction: 'inbound' | 'outbound';
  readonly height: number | null;
  readonly cumulativeWork: string | null;
  readonly score: number;
  readonly network: string | null;
}

/**
 * A gossiped transfer or compact block this node did not accept, with the rule code that
 * refused it and the score it cost the sender (0 for state conflicts and transient
 * failures). For logs and tests: the verdict is otherwise only visible as a score.
 */
export interface GossipRejection {
  readonly topic: 'tx' | 'block';
  readonly peerId: string;
  /** The txid or block hash; absent when the message did not decode. */
  readonly id?: Uint8Array;
  readonly code: string;
  readonly kind: ErrorKind;
  readonly penalty: number;
}

export function protocolIds(networkName: string) {
  const base = `/ourcoin/${networkName}`;
  return {
    headers: `${base}/headers/1`,
    blocks: `${base}/blocks/1`,
    txs: `${base}/txs/1`,
    txTopic: `${base}/tx/1`,
    blockTopic: `${base}/cblock/1`,
  };
}

export class P2PNetwork {
  readonly ids: ReturnType<typeof protocolIds>;
  private readonly syncer: Syncer;
  private readonly genesisHash: Uint8Array;
  private stopped = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private redialTimer: NodeJS.Timeout | undefined;
  private readonly rejectionListeners: ((r: GossipRejection) => void)[] = [];

  private constructor(
    readonly libp2p: Libp2p<{ pubsub: PubSub }>,
    private readonly opts: NetworkOptions,
    readonly book: PeerBook,
  ) {
    this.ids = protocolIds(opts.node.network.name);
    this.genesisHash = blockHash(genesisBlock(opts.node.network).header);
    this.syncer = new Syncer({
      libp2p,
      node: opts.node,
      book: this.book,
      ids: this.ids,
      logger: opts.logger,
      penalize: (p, n, why) => this.penalize(p, n, why),
      onCaughtUp: () => this.announceTip(),
    });
  }

  static async start(opts: NetworkOptions): Promise<P2PNetwork> {
    const privateKey = await loadOrCreatePeerKey(opts.datadir);
    const book = new PeerBook();
    const libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [
        ...(opts.bootstrap.length > 0
          ? [bootstrap({ list: [...opts.bootstrap], tagName: OPERATOR_PEER_TAG, tagValue: 100 })]
          : []),
        ...(opts.mdns ? [mdns()] : []),
      ],
      connectionManager: { maxConnections: opts.maxPeers ?? DEFAULT_MAX_PEERS },
      connectionGater: {
        denyDialPeer: (peerId: PeerId) => book.isBanned(peerId.toString()),
        denyInboundEncryptedConnection: (peerId: PeerId) => book.isBanned(peerId.toString()),
      },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          globalSignaturePolicy: 'StrictNoSign',
          // Content-addressed ids: the same transfer or block from two peers is one message.
          msgIdFn: (msg: Message) => sha256(msg.data),
          // The largest gossip message is a compact block of a full block (about 333 KB).
          maxInboundDataLength: 512 * 1024,
          emitSelf: false,
          // Peers on loopback are this machine's own (devnets, tests): no Sybil defence by
          // IP there. Otherwise, more than 10 peer ids seen from 127.0.0.1 within the hour
          // gossipsub keeps scores for, and every local peer's gossip is ignored.
          scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']) },
        }),
      },
    });
    const net = new P2PNetwork(libp2p, opts, book);
    await net.install();
    return net;
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

  /** Called for every gossiped message refused or ignored with an error (see GossipRejection). */
  onGossipRejected(listener: (r: GossipRejection) => void): () => void {
    this.rejectionListeners.push(listener);
    return () => this.rejectionListeners.splice(this.rejectionListeners.indexOf(listener), 1);
  }

  /** Penalises the sender (when `penalty` > 0) and tells the rejection listeners. */
  private refuse(peer: PeerId, rejection: Omit<GossipRejection, 'peerId'>, why: string): void {
    if (rejection.penalty > 0) this.penalize(peer, rejection.penalty, why);
    for (const l of [...this.rejectionListeners]) l({ ...rejection, peerId: peer.toString() });
  }

  async dial(address: string): Promise<void> {
    await this.libp2p.dial(multiaddr(address));
  }

  private localStatus(): PeerStatus {
    const tip = this.opts.node.chain.tip;
    const network = this.opts.node.network;
    return {
      version: STATUS_VERSION,
      networkName: network.name,
      chainId: network.chainId,
      genesisHash: this.genesisHash,
      tipHash: tip.hash,
      height: tip.height,
      cumulativeWork: tip.cumulativeWork,
    };
  }

  private async install(): Promise<void> {
    const { logger } = this.opts;
    const { libp2p, ids } = this;

    // Handshake: answer with our status, and learn theirs from the request.
    await respond(libp2p, HANDSHAKE_PROTOCOL, 512, (payload, peer) => {
      this.onStatus(peer, decodeStatus(payload));
      return [encodeStatus(this.localStatus())];
    });
    await respond(libp2p, ids.txs, 4 + 32 * MAX_TXIDS, (payload, peer) => {
      this.countRequest(peer);
      const found: SignedTransfer[] = [];
      for (const txid of decodeTxsRequest(payload)) {
        const stx = this.signedTransfer(txid);
        if (stx) found.push(stx);
      }
      return [encodeSignedTransfers(found)];
    });
    await this.syncer.install((peer) => this.countRequest(peer));

    libp2p.addEventListener('connection:open', (evt) => {
      const conn = evt.detail;
      const peerId = conn.remotePeer.toString();
      this.book.add(peerId, conn.direction, conn.remoteAddr.toString());
      // The dialer starts the handshake; the listener learns the status from it.
      if (conn.direction === 'outbound') void this.handshake(conn.remotePeer);
    });
    libp2p.addEventListener('peer:disconnect', (evt) => {
      this.book.remove(evt.detail.toString());
    });
    // mDNS finds peers, but libp2p 2 does not dial them by itself.
    libp2p.addEventListener('peer:discovery', (evt) => {
      if (this.stopped || this.book.get(evt.detail.id.toString())) return;
      libp2p
        .dial(evt.detail.id)
        .catch((err: unknown) => logger.debug({ err: String(err) }, 'dial of a discovered peer failed'));
    });

    const pubsub = libp2p.services.pubsub;
    pubsub.topicValidators.set(ids.txTopic, (peer, msg) => this.validateTransfer(peer, msg.data));
    pubsub.topicValidators.set(ids.blockTopic, (peer, msg) => this.validateCompactBlock(peer, msg.data));
    pubsub.subscribe(ids.txTopic);
    pubsub.subscribe(ids.blockTopic);

    // Relay what this node accepts: its API's transfers, and each new tip it reaches.
    // Statuses go stale: refresh them now and then, so a peer that got ahead (after a
    // partition heals, say) is noticed and synced from.
    this.statusTimer = setInterval(() => {
      for (const conn of libp2p.getConnections())
        if (conn.direction === 'outbound') void this.handshake(conn.remotePeer);
    }, 15_000);
    this.statusTimer.unref();
    this.redialTimer = setInterval(() => this.redialOperatorPeers(), REDIAL_MS);
    this.redialTimer.unref();
  }

  /**
   * A transfer with its signature: pending in the mempool, or mined recently (a peer
   * rebuilding a block we relayed asks for exactly those).
   */
  private signedTransfer(txid: Uint8Array): SignedTransfer | undefined {
    const { pool: mempool, chain: store } = this.opts.node;
    const pending = mempool.get(txid);
    if (pending) return { tx: pending.tx, signature: pending.signature };
    const signature = mempool.verifiedSignature(txid);
    const at = signature && store.getTxLocation(txid);
    const tx = at && at.position > 0 ? store.getBlock(at.blockHash)?.transactions[at.position - 1] : undefined;
    return tx && signature ? { tx, signature } : undefined;
  }

  /** The operator's --peer addresses that are not connected are dialed every REDIAL_MS, for as long as the node runs. */
  private redialOperatorPeers(): void {
    for (const address of this.opts.bootstrap) {
      const ma = multiaddr(address);
      const id = ma.getPeerId();
      if (this.stopped || !id || this.book.get(id) || this.book.isBanned(id)) continue;
      this.libp2p
        .dial(ma)
        .catch((err: unknown) => this.opts.logger.debug({ peer: id, err: String(err) }, 'redial of a --peer failed'));
    }
  }

  /** Relays transfers this node accepted (from its API or from peers). */
  relayTransfers(entries: readonly MempoolEntry[]): void {
    for (const e of entries) this.publish(this.ids.txTopic, encodeSignedTransfer({ tx: e.tx, signature: e.signature }));
  }

  /** Announces a new tip as a compact block (not while syncing: peers learn it after the sync). */
  relayTip(change: TipChange): void {
    const tip = change.connected.at(-1);
    if (tip && !this.syncer.isSyncing) this.publish(this.ids.blockTopic, encodeCompactBlock(toCompactBlock(tip)));
  }

  /** Tells peers about our tip (after a sync, when it changed without gossip). */
  announceTip(): void {
    const { chain } = this.opts.node;
    const store = chain;
    const tip = store.getBlock(chain.tip.hash);
    if (tip && chain.tip.height > 0) this.publish(this.ids.blockTopic, encodeCompactBlock(toCompactBlock(tip)));
  }

  private publish(topic: string, data: Uint8Array): void {
    this.libp2p.services.pubsub.publish(topic, data).catch((err: unknown) => {
      // A message peers already passed on to us is a duplicate: nothing to do.
      if (!/duplicate/i.test(String(err))) this.opts.logger.debug({ topic, err: String(err) }, 'publish failed');
    });
  }

  private async handshake(peer: PeerId): Promise<void> {
    try {
      const [reply] = await request(this.libp2p, peer, HANDSHAKE_PROTOCOL, encodeStatus(this.localStatus()), {
        maxResponseBytes: 512,
        maxFrames: 1,
        timeoutMs: 10_000,
      });
      if (!reply) throw new Error('no status in the reply');
      this.onStatus(peer, decodeStatus(reply));
    } catch (err) {
      this.opts.logger.info({ peer: peer.toString(), err: String(err) }, 'handshake failed; disconnecting');
      await this.libp2p.hangUp(peer).catch(() => undefined);
    }
  }

  private onStatus(peer: PeerId, status: PeerStatus): void {
    const id = peer.toString();
    const local = this.opts.node.network;
    if (
      status.networkName !== local.name ||
      status.chainId !== local.chainId ||
      !bytesEqual(status.genesisHash, this.genesisHash)
    ) {
      this.opts.logger.warn(
        { peer: id, network: status.networkName, chainId: `0x${status.chainId.toString(16)}` },
        `peer is on another network (${status.networkName}); disconnecting`,
      );
      this.book.ban(id);
      void this.libp2p.hangUp(peer).catch(() => undefined);
      throw new OurCoinError('PEER_WRONG_NETWORK', `peer is on network ${status.networkName}`, 'input');
    }
    const entry = this.book.get(id) ?? this.book.add(id, 'inbound', '');
    const first = entry.status === undefined;
    entry.status = status;
    // Statuses are refreshed every 15 s: only the first one is news.
    if (first) this.opts.logger.info({ peer: id, height: status.height, direction: entry.direction }, 'peer connected');
    else this.opts.logger.debug({ peer: id, height: status.height }, 'peer status');
    this.syncer.onPeerStatus(peer, status);
  }

  private countRequest(peer: PeerId): void {
    if (this.book.countRequest(peer.toString())) this.penalize(peer, Penalty.flood, 'too many requests');
  }

  penalize(peer: PeerId | string, amount: number, why: string): void {
    const id = peer.toString();
    this.opts.logger.info({ peer: id, penalty: amount, why }, 'peer penalised');
    if (this.book.penalize(id, amount)) {
      this.opts.logger.warn({ peer: id, why }, 'peer banned');
      void this.libp2p.hangUp(typeof peer === 'string' ? multiaddr(`/p2p/${peer}`) : peer).catch(() => undefined);
    }
  }

  private async validateTransfer(peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    let stx: SignedTransfer;
    try {
      stx = decodeSignedTransfer(data);
    } catch (err) {
      this.refuse(peer, { topic: 'tx', ...codeOf(err), penalty: Penalty.malformedMessage }, 'undecodable transfer');
      return TopicValidatorResult.Reject;
    }
    const [result] = await this.opts.node.pool.submit([stx]);
    if (result!.accepted) return TopicValidatorResult.Accept;
    const { code, kind } = result!.error;
    // Only a broken rule is the sender's fault: conflicts with our state or pool, our policy
    // and a full pool are normal for honest relays (see ErrorKind in src/errors.ts).
    const broken = kind === 'consensus' || kind === 'crypto' || kind === 'encoding';
    this.refuse(
      peer,
      { topic: 'tx', id: result!.txid, code, kind, penalty: broken ? Penalty.invalidTransaction : 0 },
      code,
    );
    return broken ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
  }

  private async validateCompactBlock(peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    const { node } = this.opts;
    let cb;
    try {
      cb = decodeCompactBlock(data);
    } catch (err) {
      this.refuse(
        peer,
        { topic: 'block', ...codeOf(err), penalty: Penalty.malformedMessage },
        'undecodable compact block',
      );
      return TopicValidatorResult.Reject;
    }
    const hash = blockHash(cb.header);
    if (node.chain.getRecord(hash)) return TopicValidatorResult.Ignore;
    const fromPool = (txid: Uint8Array): Transfer | undefined => node.pool.get(txid)?.tx;
    let lookup = fromPool;
    const missing = missingTxids(cb, fromPool);
    if (missing.length > 0) {
      let fetched: SignedTransfer[];
      try {
        const [reply] = await request(this.libp2p, peer, this.ids.txs, encodeTxsRequest(missing), {
          maxResponseBytes: 4 + missing.length * 193,
          maxFrames: 1,
          timeoutMs: 10_000,
        });
        fetched = reply ? decodeSignedTransfers(reply) : [];
      } catch (err) {
        this.opts.logger.debug({ peer: peer.toString(), err: String(err) }, 'could not fetch missing transfers');
        return TopicValidatorResult.Ignore;
      }
      // Through the mempool: their signatures are verified once, and the block's aggregate
      // can then be checked by the fast path.
      await node.pool.submit(fetched);
      lookup = withExtra(
        fetched.map((s) => s.tx),
        transferTxid,
        fromPool,
      );
    }
    // Still incomplete: ask the peer for the whole block instead (checked the full way).
    const bytes =
      ((): Uint8Array | undefined => {
        const block: Block | undefined = rebuildBlock(cb, lookup);
        return block && encodeBlock(block);
      })() ?? (await this.fetchBlock(peer, hash));
    if (!bytes) return TopicValidatorResult.Ignore;
    const result = node.chain.processBlock(bytes);
    switch (result.status) {
      case 'connected':
      case 'side':
        return TopicValidatorResult.Accept;
      case 'duplicate':
        return TopicValidatorResult.Ignore;
      case 'orphan':
        // We are behind this peer: catch up through sync, no penalty.
        this.syncer.requestSync(peer);
        return TopicValidatorResult.Ignore;
      case 'rejected': {
        const err = result.error!;
        const penalty =
          err.kind === 'consensus'
            ? Penalty.invalidBlock
            : err.kind === 'mutated' || err.kind === 'encoding'
              ? Penalty.mutatedBlock
              : 0;
        this.refuse(
          peer,
          { topic: 'block', id: hash, code: err.code, kind: err.kind, penalty },
          `invalid block ${toHex(hash)}: ${err.code}`,
        );
        return err.kind === 'transient' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
      }
    }
  }

  private async fetchBlock(peer: PeerId, hash: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const [bytes] = await request(this.libp2p, peer, this.ids.blocks, encodeBlocksRequest([hash]), {
        maxResponseBytes: MAX_BLOCK_ENCODING_BYTES,
        maxFrames: 1,
        timeoutMs: 10_000,
      });
      return bytes;
    } catch (err) {
      this.opts.logger.debug({ peer: peer.toString(), err: String(err) }, 'could not fetch a relayed block');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.statusTimer);
    clearInterval(this.redialTimer);
    this.syncer.stop();
    await this.libp2p.stop();
  }
}

/** The code and kind of a decoding failure (decoders throw OurCoinErrors of kind encoding). */
function codeOf(err: unknown): { code: string; kind: ErrorKind } {
  return err instanceof OurCoinError ? { code: err.code, kind: err.kind } : { code: 'MALFORMED', kind: 'encoding' };
}
