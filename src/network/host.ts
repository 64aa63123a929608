/**
 * The libp2p host and its connections: TCP, Noise, Yamux, identify, ping and gossipsub;
 * bootstrap peers (the operator's --peer addresses) and optional mDNS discovery; the peer
 * book kept in step with connections; discovered peers dialed, and --peer addresses
 * redialed while they are not connected.
 */
import { createLibp2p } from 'libp2p';
import type { Libp2pOptions } from 'libp2p';
import type { Libp2p, Message, PeerId, PubSub } from '@libp2p/interface';
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
import { sha256 } from '../protocol/hash.js';
import { loadOrCreatePeerKey } from './identity.js';
import type { PeerBook } from './peerBook.js';
import { REDIAL_MS } from './timeouts.js';

export type Host = Libp2p<{ pubsub: PubSub }>;

export interface HostOptions {
  readonly datadir: string;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  /** Multiaddrs to dial at start and keep (with /p2p/<peer id>). */
  readonly bootstrap: readonly string[];
  readonly mdns: boolean;
  /** Connections kept before libp2p prunes the least valuable ones. */
  readonly maxPeers: number;
  /** libp2p's own metrics (the node's /metrics registry), or none. */
  readonly libp2pMetrics?: Libp2pOptions['metrics'];
}

/**
 * The peer-store tag on --peer addresses: libp2p prunes the highest-valued peers last. No
 * TTL: without one the tag never expires (an Infinity TTL is refused by the peer store, and
 * the bootstrap module then never announces the peer at all). Not a "keep-alive" tag:
 * libp2p redials those at once on every disconnect, so a peer that bans us would be
 * redialed in a storm (and on loopback, the shared per-host limit of 5 inbound connections
 * a second then turns away everyone else); redialOperatorPeers paces the redials instead.
 */
const OPERATOR_PEER_TAG = 'ourcoin-peer';
/** The largest gossip message is a compact block of a full block (about 333 KB). */
const MAX_GOSSIP_BYTES = 512 * 1024;

/** A started libp2p host with this node's key (from `datadir`), refusing banned peers. */
export async function createHost(opts: HostOptions, book: PeerBook): Promise<Host> {
  const privateKey = await loadOrCreatePeerKey(opts.datadir);
  return createLibp2p({
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
    connectionManager: { maxConnections: opts.maxPeers },
    // Off: the status refresh and the inbound silence check (Handshake) tell whether a peer is
    // alive. The monitor's ping closed sound connections whenever a busy machine took longer
    // than its deadline to answer, and a lost connection costs a redial and a handshake.
    connectionMonitor: { enabled: false },
    ...(opts.libp2pMetrics ? { metrics: opts.libp2pMetrics } : {}),
    connectionGater: {
      denyDialPeer: (peerId: PeerId) => book.isBanned(peerId.toString()),
      denyInboundEncryptedConnection: (peerId: PeerId) => book.isBanned(peerId.toString()),
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        // Republishing what peers already passed on to us (a block we relayed comes back
        // after a sync, say) is nothing to report.
        ignoreDuplicatePublishError: true,
        globalSignaturePolicy: 'StrictNoSign',
        // Content-addressed ids: the same transfer or block from two peers is one message.
        msgIdFn: (msg: Message) => sha256(msg.data),
        maxInboundDataLength: MAX_GOSSIP_BYTES,
        emitSelf: false,
        // Peers on loopback are this machine's own (devnets, tests): no Sybil defence by
        // IP there. Otherwise, more than 10 peer ids seen from 127.0.0.1 within the hour
        // gossipsub keeps scores for, and every local peer's gossip is ignored.
        scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']) },
      }),
    },
  });
}

export interface ConnectionsOptions {
  readonly book: PeerBook;
  readonly logger: Logger;
  /** The operator's --peer addresses, redialed every REDIAL_MS while not connected. */
  readonly bootstrap: readonly string[];
  /** A connection we dialed opened: the dialer starts the handshake. */
  readonly onOutbound: (peer: PeerId) => void;
}

/** Keeps the peer book in step with connections and the operator's peers dialed; returns the stop. */
export function keepConnections(libp2p: Host, o: ConnectionsOptions): () => void {
  let stopped = false;
  libp2p.addEventListener('connection:open', (evt) => {
    const conn = evt.detail;
    o.book.add(conn.remotePeer.toString(), conn.direction, conn.remoteAddr.toString());
    if (conn.direction === 'outbound') o.onOutbound(conn.remotePeer);
  });
  libp2p.addEventListener('peer:disconnect', (evt) => {
    const id = evt.detail.toString();
    const entry = o.book.get(id);
    if (entry) {
      const seconds = Math.round((Date.now() - entry.connectedAt) / 1000);
      o.logger.info({ peer: id, direction: entry.direction, seconds }, 'peer disconnected');
    }
    o.book.remove(id);
  });
  // mDNS finds peers, but libp2p 2 does not dial them by itself.
  libp2p.addEventListener('peer:discovery', (evt) => {
    if (stopped || o.book.get(evt.detail.id.toString())) return;
    libp2p
      .dial(evt.detail.id)
      .catch((err: unknown) => o.logger.debug({ err: String(err) }, 'dial of a discovered peer failed'));
  });
  const redialOperatorPeers = (): void => {
    for (const address of o.bootstrap) {
      const ma = multiaddr(address);
      const id = ma.getPeerId();
      if (stopped || !id || o.book.get(id) || o.book.isBanned(id)) continue;
      libp2p
        .dial(ma)
        .catch((err: unknown) => o.logger.debug({ peer: id, err: String(err) }, 'redial of a --peer failed'));
    }
  };
  const timer = setInterval(redialOperatorPeers, REDIAL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
