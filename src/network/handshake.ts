/**
 * The status handshake (`/ourcoin/handshake/1`): the dialer sends its status (network,
 * chain id, genesis, tip and cumulative work) and the listener answers with its own, so
 * both learn each other's. A peer on another network is banned and disconnected with a log
 * line. Statuses go stale, so outbound peers are asked again every STATUS_REFRESH_MS; a peer
 * whose first handshake fails is disconnected, one whose refreshes fail
 * STATUS_REFRESH_FAILURES_ALLOWED times in a row too. An inbound peer that sends no status
 * in time (PeerBook.silentInbound) is disconnected at the same round: together these are the
 * node's liveness check.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { ChainReader } from '../chain/interface.js';
import { OurCoinError } from '../errors.js';
import { blockHash } from '../protocol/block.js';
import { bytesEqual } from '../protocol/bytes.js';
import { genesisBlock } from '../protocol/genesis.js';
import type { NetworkParams } from '../protocol/networks.js';
import { HANDSHAKE_PROTOCOL, PeerErrorCode } from './interface.js';
import { STATUS_VERSION, decodeStatus, encodeStatus } from './messages.js';
import type { PeerStatus } from './messages.js';
import type { PeerBook } from './peerBook.js';
import { request, respond } from './reqresp.js';
import { STATUS_REFRESH_FAILURES_ALLOWED, STATUS_REFRESH_MS, STATUS_REQUEST_TIMEOUT_MS } from './timeouts.js';

/** A status frame is about 120 bytes; this leaves room for a longer network name. */
const MAX_STATUS_BYTES = 512;

export interface HandshakeOptions {
  readonly libp2p: Libp2p;
  readonly network: NetworkParams;
  readonly chain: ChainReader;
  readonly book: PeerBook;
  readonly logger: Logger;
  /** A peer on our network told us its status (first or refreshed). */
  readonly onStatus: (peer: PeerId, status: PeerStatus) => void;
}

export class Handshake {
  private readonly genesisHash: Uint8Array;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: HandshakeOptions) {
    this.genesisHash = blockHash(genesisBlock(o.network).header);
  }

  /** Answers handshakes (learning the dialer's status) and starts the periodic refresh. */
  async start(): Promise<void> {
    const { libp2p } = this.o;
    await respond(libp2p, HANDSHAKE_PROTOCOL, MAX_STATUS_BYTES, (payload, peer) => {
      this.received(peer, decodeStatus(payload));
      return [encodeStatus(this.localStatus())];
    });
    this.refreshTimer = setInterval(() => this.refresh(), STATUS_REFRESH_MS);
    this.refreshTimer.unref();
  }

  stop(): void {
    clearInterval(this.refreshTimer);
  }

  /** One round: greets every outbound peer again and drops the inbound peers gone silent. */
  refresh(): void {
    const { libp2p, book, logger } = this.o;
    for (const conn of libp2p.getConnections()) if (conn.direction === 'outbound') void this.greet(conn.remotePeer);
    for (const { entry, why } of book.silentInbound()) {
      logger.info({ peer: entry.peerId, why }, 'inbound peer silent; disconnecting');
      const conn = libp2p.getConnections().find((c) => c.remotePeer.toString() === entry.peerId);
      // An entry whose connection is gone (its close event still on the way) is forgotten.
      if (conn) void libp2p.hangUp(conn.remotePeer).catch(() => undefined);
      else book.remove(entry.peerId);
    }
  }

  /**
   * Sends our status to a peer we dialed and learns its own. A failed first handshake
   * disconnects; a failed refresh counts, and disconnects after STATUS_REFRESH_FAILURES_ALLOWED
   * in a row (the peer keeps its last status meanwhile).
   */
  async greet(peer: PeerId): Promise<void> {
    const entry = this.o.book.get(peer.toString());
    try {
      const [reply] = await request(this.o.libp2p, peer, HANDSHAKE_PROTOCOL, encodeStatus(this.localStatus()), {
        maxResponseBytes: MAX_STATUS_BYTES,
        maxFrames: 1,
        timeoutMs: STATUS_REQUEST_TIMEOUT_MS,
      });
      if (!reply) throw new Error('no status in the reply');
      this.received(peer, decodeStatus(reply));
      if (entry) entry.refreshFailures = 0;
    } catch (err) {
      const failures = (entry?.refreshFailures ?? 0) + 1;
      if (entry?.status !== undefined && failures < STATUS_REFRESH_FAILURES_ALLOWED) {
        entry.refreshFailures = failures;
        this.o.logger.info({ peer: peer.toString(), err: String(err), failures }, 'status refresh failed');
        return;
      }
      this.o.logger.info({ peer: peer.toString(), err: String(err) }, 'handshake failed; disconnecting');
      await this.o.libp2p.hangUp(peer).catch(() => undefined);
    }
  }

  private localStatus(): PeerStatus {
    const { chain, network } = this.o;
    const tip = chain.tip;
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

  private received(peer: PeerId, status: PeerStatus): void {
    const { book, logger, network } = this.o;
    const id = peer.toString();
    if (
      status.networkName !== network.name ||
      status.chainId !== network.chainId ||
      !bytesEqual(status.genesisHash, this.genesisHash)
    ) {
      logger.warn(
        { peer: id, network: status.networkName, chainId: `0x${status.chainId.toString(16)}` },
        `peer is on another network (${status.networkName}); disconnecting`,
      );
      book.ban(id);
      void this.o.libp2p.hangUp(peer).catch(() => undefined);
      throw new OurCoinError(PeerErrorCode.wrongNetwork, `peer is on network ${status.networkName}`, 'input');
    }
    const entry = book.get(id) ?? book.add(id, 'inbound', '');
    const first = book.recordStatus(entry, status);
    // Statuses are refreshed every STATUS_REFRESH_MS: only the first one is news.
    if (first) logger.info({ peer: id, height: status.height, direction: entry.direction }, 'peer connected');
    else logger.debug({ peer: id, height: status.height }, 'peer status');
    this.o.onStatus(peer, status);
  }
}
