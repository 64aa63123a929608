/**
 * The peer-to-peer network's public face: its wire protocol ids, what it tells about peers
 * (the port the API reads and dials through), its gossip verdicts and its error codes.
 */
import type { CodeOf, ErrorCode, ErrorKind } from '../errors.js';

/** Errors about peers and this node's peer identity. */
export const PeerErrorCode = {
  keyInvalid: 'PEER_KEY_INVALID',
  wrongNetwork: 'PEER_WRONG_NETWORK',
  /** Bytes from a peer that no decoder could read, failing in a way no encoding code names. */
  undecodable: 'PEER_UNDECODABLE',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    peer: CodeOf<typeof PeerErrorCode>;
  }
}

/**
 * The handshake's protocol id: the same on every network, so a peer from another network is
 * recognised and told apart clearly.
 */
export const HANDSHAKE_PROTOCOL = '/ourcoin/handshake/1';

/** The request protocols and gossip topics of one network. */
export function protocolIds(networkName: string) {
  const base = `/ourcoin/${networkName}`;
  return {
    headers: `${base}/headers/1`,
    blocks: `${base}/blocks/1`,
    txs: `${base}/txs/1`,
    txTopic: `${base}/tx/1`,
    blockTopic: `${base}/cblock/1`,
    /** Whole blocks, for nodes started with the hidden `--relay full` (the network simulator's baseline). */
    fullBlockTopic: `${base}/block/1`,
  };
}

export type ProtocolIds = ReturnType<typeof protocolIds>;

export interface PeerView {
  readonly peerId: string;
  readonly address: string;
  readonly direction: 'inbound' | 'outbound';
  readonly height: number | null;
  readonly cumulativeWork: string | null;
  readonly score: number;
  readonly network: string | null;
}

/** Where catching up from peers stands (for /status and the node's progress bar). */
export interface SyncProgress {
  readonly syncing: boolean;
  /** The height the running sync aims at (null when not syncing). */
  readonly targetHeight: number | null;
  /** This node's tip height. */
  readonly height: number;
  /** Blocks imported per second since the sync began. */
  readonly blocksPerSecond: number;
  /** Seconds left at that rate (null when not syncing or nothing imported yet). */
  readonly etaSeconds: number | null;
}

/**
 * How new blocks travel: as compact blocks rebuilt from the mempool (the protocol), or whole
 * (a baseline that `npm run sim` measures against; every node of a network must use the same).
 */
export const BLOCK_RELAYS = ['compact', 'full'] as const;
export type BlockRelay = (typeof BLOCK_RELAYS)[number];

/**
 * How a relayed block that was new to this node arrived: rebuilt from the pool alone, rebuilt
 * after asking the relaying peer for transfers, fetched whole after all, or sent whole (full relay).
 */
export type RelayedBlockOutcome = 'pool' | 'fetched_transfers' | 'fetched_block' | 'full';

/** Gossip counts, for the node's metrics (what the network simulator reads). */
export interface RelayMetrics {
  relayedBlock(outcome: RelayedBlockOutcome): void;
  /** A gossiped message (first copy: gossipsub drops duplicates before validation) of `bytes`. */
  gossipReceived(topic: 'tx' | 'block', bytes: number): void;
}

/** Penalties given to peers, for the node's metrics (the composition root passes one in). */
export interface PeerMetrics {
  /** A peer lost score; `banned` when that took it to the ban threshold. */
  penalized(banned: boolean): void;
}

/** What the API needs of the network: this node's identity, its peers, and a dial. */
export interface PeerDirectory {
  readonly peerId: string;
  multiaddrs(): string[];
  peers(): PeerView[];
  dial(address: string): Promise<void>;
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
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly penalty: number;
}
