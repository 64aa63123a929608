/**
 * The JSON the API answers with, as TypeScript types: one declaration shared by the routes,
 * the wallet's node client and the browser explorer. Types only, browser-safe.
 */
import type { BlockJson } from '../protocol/block.js';
import type { CoinbaseJson, TransferJson } from '../protocol/transaction.js';

export interface StatusJson {
  network: string;
  chainId: number;
  height: number;
  tipHash: string;
  cumulativeWork: string;
  bits: string;
  target: string;
  difficulty: number;
  peers: number;
  mempool: number;
  orphans: number;
  mining: boolean;
  hashRate: number;
  minerAddress: string | null;
  p2p: { peerId: string; multiaddrs: readonly string[] } | null;
  /** How long callbacks waited for the node's main thread over the last window (null: not measured). */
  eventLoop: { windowSeconds: number; p50Ms: number; p99Ms: number; maxMs: number } | null;
  /** Catching up from peers: whether it runs, towards which height, how fast, how long left. */
  sync: SyncJson;
}

export interface SyncJson {
  syncing: boolean;
  targetHeight: number | null;
  height: number;
  blocksPerSecond: number;
  etaSeconds: number | null;
}

export interface BlockSummary {
  hash: string;
  height: number;
  prevHash: string;
  timestamp: number;
  transfers: number;
  size: number;
  aggregateSignature: string;
}

export interface BlockPage {
  tipHeight: number;
  blocks: BlockSummary[];
  next: number | null;
}

export interface BlockDetail extends BlockJson {
  height: number;
  confirmations: number;
  onMainChain: boolean;
  cumulativeWork: string;
  stats: BlockStats;
}

/** What a block moved and earned, in base units (decimal strings). */
export interface BlockStats {
  /** Sum of its transfers' fees. */
  totalFees: string;
  /** The coinbase split: the subsidy part (new coins) and the rest (fees the miner claimed). */
  reward: string;
  feesClaimed: string;
  /** Sum of its transfers' amounts. */
  valueMoved: string;
  /** 96 bytes a transfer minus the one aggregate: what per-transfer signatures would have added. */
  signatureBytesSaved: number;
}

export interface SubmitAccepted {
  txid: string;
  replaced?: string;
}

export interface BatchItemResult {
  index: number;
  accepted: boolean;
  txid: string | null;
  replaced?: string;
  error?: { code: string; message: string };
}

export interface TransactionInfo {
  status: 'pending' | 'confirmed';
  transaction: TransferJson | CoinbaseJson;
  blockHash: string | null;
  height: number | null;
  confirmations: number;
  position: number | null;
  /** Unix seconds this node first saw it (null: before its last restart, or forgotten). */
  firstSeen: number | null;
}

export type Direction = 'in' | 'out' | 'self';

export interface AddressInfo {
  address: string;
  balance: string;
  pendingBalance: string;
  nonce: number;
  nextNonce: number;
}

export interface HistoryItem extends TransactionInfo {
  txid: string;
  direction: Direction;
}

export interface History {
  address: string;
  pending: number;
  transactions: HistoryItem[];
}

/** GET /addresses/:address/balance-history. */
export interface BalanceHistory {
  address: string;
  balance: string;
  received: string;
  sent: string;
  transactions: number;
  complete: boolean;
  /** Oldest first. */
  points: BalancePoint[];
}

export interface BalancePoint {
  height: number;
  timestamp: number;
  txid: string;
  /** Signed decimal string of base units. */
  delta: string;
  balance: string;
}

export interface MempoolJson {
  count: number;
  transactions: TransferJson[];
}

/** GET /mempool/summary. */
export interface MempoolSummary {
  count: number;
  bytes: number;
  totalFees: string;
  feeRateUnit: string;
  /** Lowest bucket first; `to` null for the last. */
  histogram: { from: number; to: number | null; count: number; bytes: number; fees: string }[];
}

/** GET /search. */
export interface SearchResults {
  query: string;
  results: SearchResult[];
  truncated: boolean;
}

export interface SearchResult {
  kind: 'block' | 'transaction' | 'address';
  /** Block hash, txid (0x-hex) or address. */
  id: string;
  height: number | null;
}

export interface TipEvent {
  height: number;
  hash: string;
  transfers: number;
  timestamp: number;
}

/** One `transfer` event of GET /events (see src/api/routes/events.ts). */
export interface TransferEventJson {
  type: 'accepted' | 'replaced' | 'dropped' | 'confirmed' | 'unconfirmed';
  txid: string;
  sender: string;
  recipient: string;
  amount: string;
  fee: string;
  nonce: number;
  firstSeen: number;
  /** confirmed: its block; unconfirmed: the block it left. */
  height: number | null;
  blockHash: string | null;
  /** dropped: evicted, conflict or invalidated. */
  reason: 'evicted' | 'conflict' | 'invalidated' | null;
  /** replaced: the replacement's txid. */
  replacedBy: string | null;
  /** unconfirmed: whether it is pending again. */
  pending: boolean | null;
}

export interface SubmitBlockResult {
  hash: string;
  status: 'connected' | 'side' | 'orphan' | 'duplicate';
  height: number;
  tipHash: string;
}

/** What POST /mine made: the new blocks' hashes, oldest first, and the new tip height. */
export interface MineResult {
  hashes: string[];
  height: number;
}

/** What an operator route did to the main chain. */
export interface ChainChangeJson {
  height: number;
  tipHash: string;
  disconnected: string[];
  connected: string[];
  cleared?: number;
  failures?: { hash: string; code: string; message: string }[];
}

/** GET /api/v1/fees: what a transfer should pay to be mined within 1, 3 or 6 blocks (policy). */
export interface FeeTargetJson {
  /** Within this many blocks. */
  blocks: number;
  /** Base units, decimal string. */
  fee: string;
  /** The same in OUR, e.g. "0.00001". */
  feeOur: string;
}

export interface FeesJson {
  fast: FeeTargetJson;
  normal: FeeTargetJson;
  slow: FeeTargetJson;
  /** The node's minimum fee (base units): nothing below it is admitted. */
  minimumFee: string;
  /** Transfers one block holds. */
  blockCapacity: number;
  /** Pending transfers, and the blocks they would fill. */
  mempool: { count: number; blocks: number };
  /** Recent main-chain blocks read, and how many of them were full. */
  recentBlocks: { count: number; full: number };
}

/** GET /transactions/:txid/proof: a confirmed transaction's Merkle inclusion proof. */
export interface TxProof {
  txid: string;
  blockHash: string;
  height: number;
  confirmations: number;
  txRoot: string;
  index: number;
  leafCount: number;
  siblings: string[];
  /** The encoding of docs/protocol.md 5.5, 0x-hex. */
  proof: string;
}
