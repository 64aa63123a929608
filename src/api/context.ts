/**
 * What every route module gets: the node it serves and the peer list source.
 */
import type { OurCoinNode } from '../node/node.js';

export interface ApiContext {
  readonly node: OurCoinNode;
  /** Connected peers, as JSON-ready objects (empty without networking). */
  readonly peers: () => unknown[];
  /** Connects to a peer by multiaddr (absent when networking is off). */
  readonly connect?: (multiaddr: string) => Promise<void>;
  /** This node's peer-to-peer identity, or null when networking is off. */
  readonly p2p: () => P2PInfo | null;
}

export interface P2PInfo {
  readonly peerId: string;
  readonly multiaddrs: readonly string[];
}
