/**
 * What every route module gets: narrow ports onto the chain, the mempool and the miner (built
 * by the composition root, src/node/fullNode.ts), and the peer list source. Never the node.
 */
import type { BlockSink, ChainAdmin, ChainReader } from '../chain/interface.js';
import type { AdmissionGate, TransferFeed, TransferPool } from '../mempool/interface.js';
import type { MiningControl } from '../miner/interface.js';
import type { NetworkParams } from '../protocol/networks.js';
import type { SyncJson } from './json.js';
import type { ChargeRequest } from './rateLimit.js';

/** The services the API serves, as ports. */
export interface ApiPorts {
  readonly network: NetworkParams;
  readonly chain: ChainReader & BlockSink;
  /** The operator's commands (admin routes, loopback clients only). */
  readonly admin: ChainAdmin;
  readonly pool: TransferPool;
  /** Transfer events and first-seen times (the event stream, the transaction JSON). */
  readonly transfers: TransferFeed;
  /** Whether a client may submit transfers now, asked before the body is read. */
  readonly admission: AdmissionGate;
  readonly mining: MiningControl;
  /** How long callbacks waited for the main thread lately (absent: not measured). */
  readonly eventLoopDelay?: () => EventLoopDelay;
  /** Where catching up from peers stands (absent: no network, never syncing). */
  readonly syncProgress?: () => SyncJson;
  /** The node's Prometheus metrics for GET /metrics (absent: metrics off, 404). */
  readonly metrics?: MetricsEndpoint;
}

/** GET /metrics: a scrape in the Prometheus text format, and who may ask for one. */
export interface MetricsEndpoint {
  readonly contentType: string;
  scrape(): Promise<string>;
  /** Answer any client that reaches the API; otherwise loopback clients only (403 for others). */
  readonly public: boolean;
}

/** Event-loop delay over the last measuring window, in milliseconds. */
export interface EventLoopDelay {
  readonly windowSeconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ApiContext extends ApiPorts {
  /** Connected peers, as JSON-ready objects (empty without networking). */
  readonly peers: () => unknown[];
  /** Connects to a peer by multiaddr (absent when networking is off). */
  readonly connect?: (multiaddr: string) => Promise<void>;
  /** This node's peer-to-peer identity, or null when networking is off. */
  readonly p2p: () => P2PInfo | null;
  /** Charges a request's client for work beyond the 1 every request costs (see rateLimit.ts). */
  readonly chargeRequest: ChargeRequest;
}

export interface P2PInfo {
  readonly peerId: string;
  readonly multiaddrs: readonly string[];
}
