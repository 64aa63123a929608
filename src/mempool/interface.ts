/**
 * The mempool's public face: admission results, entries, limits and error codes.
 *
 * The mempool holds signed transfers that are valid against the tip (their individual
 * signatures verified), ordered for mining by fee, in per-sender nonce chains.
 */
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import type { CodeOf, ErrorCode, ErrorKind, OurCoinError } from '../errors.js';

export const MempoolErrorCode = {
  feeTooLow: 'MEMPOOL_FEE_TOO_LOW',
  duplicate: 'MEMPOOL_DUPLICATE',
  alreadyConfirmed: 'MEMPOOL_ALREADY_CONFIRMED',
  nonceTooLow: 'MEMPOOL_NONCE_TOO_LOW',
  nonceTooHigh: 'MEMPOOL_NONCE_TOO_HIGH',
  replacementFeeTooLow: 'MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
  /** The sender, or the source that relays it, used its replacements until the next block. */
  tooManyReplacements: 'MEMPOOL_TOO_MANY_REPLACEMENTS',
  insufficientBalance: 'MEMPOOL_INSUFFICIENT_BALANCE',
  full: 'MEMPOOL_FULL',
  /** The signature service has too many of this source's transfers (or of all) waiting. */
  busy: 'MEMPOOL_BUSY',
  badSignature: 'TX_BAD_SIGNATURE',
  badPublicKey: 'TX_BAD_PUBLIC_KEY',
} as const;

/**
 * What each refusal means (see ErrorKind in src/errors.ts): a bad key or signature is the
 * sender's fault (`crypto`, penalised when a peer relays it); a clash with the chain or the
 * pool is normal for honest relays (`conflict`); the fee floor, the nonce window and the
 * replacement rule are this node's policy (`policy`), which another node may set differently;
 * a full pool may have room later (`transient`); a busy one was not looked at (`busy`).
 */
export const MEMPOOL_VERDICTS: Readonly<Record<CodeOf<typeof MempoolErrorCode>, ErrorKind>> = {
  MEMPOOL_FEE_TOO_LOW: 'policy',
  MEMPOOL_DUPLICATE: 'conflict',
  MEMPOOL_ALREADY_CONFIRMED: 'conflict',
  MEMPOOL_NONCE_TOO_LOW: 'conflict',
  MEMPOOL_NONCE_TOO_HIGH: 'policy',
  MEMPOOL_REPLACEMENT_FEE_TOO_LOW: 'policy',
  MEMPOOL_TOO_MANY_REPLACEMENTS: 'policy',
  MEMPOOL_INSUFFICIENT_BALANCE: 'conflict',
  MEMPOOL_FULL: 'transient',
  MEMPOOL_BUSY: 'busy',
  TX_BAD_SIGNATURE: 'crypto',
  TX_BAD_PUBLIC_KEY: 'crypto',
};

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    mempool: CodeOf<typeof MempoolErrorCode>;
  }
}

export interface MempoolLimits {
  /** Most transactions held at once; past it the lowest-fee ones are evicted. */
  readonly maxTransactions: number;
  /** Most memory the entries may take, as `entryBytes` estimates it; past it the lowest-fee ones are evicted. */
  readonly maxBytes: number;
  /** Lowest fee (base units) a transaction must pay to be admitted. */
  readonly minFee: bigint;
  /** How far ahead of the sender's next nonce a transaction may wait for its predecessors. */
  readonly maxNonceGap: number;
  /** Replacements admitted per sender between two blocks (a storm of bumps is refused past it). */
  readonly maxReplacementsPerSender: number;
  /** Replacements admitted per source (a client IP, a peer) between two blocks, over all senders. */
  readonly maxReplacementsPerSource: number;
}

/**
 * What one entry costs in memory: measured on Node 20 with 12,800 entries held (the entry, its
 * transfer, keys, txid and signature, the two index maps and their hex keys): about 1,600 bytes,
 * and 400 more when the entry keeps its signature as the 192-byte point its verifier checked.
 */
export const MEMPOOL_ENTRY_BYTES = 1_600;
export const SIGNATURE_POINT_BYTES = 400;

/**
 * The default budget: 100 MB, which is about 50,000 entries with their points (the count limit),
 * so neither limit lets the other be exceeded by much.
 */
export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  maxTransactions: 50_000,
  maxBytes: 100_000_000,
  minFee: 1000n,
  maxNonceGap: 64,
  maxReplacementsPerSender: 10,
  maxReplacementsPerSource: 100,
};

/** A replacement pays at least this share of the pending fee more (or the minimum fee, when larger). */
export const REPLACEMENT_INCREMENT_PERCENT = 10n;

/**
 * The lowest fee a replacement of a pending transfer paying `pendingFee` may pay (BIP 125 rule 4
 * in spirit): the old fee plus the larger of 10% of it and the minimum fee, so each bump pays
 * for the relay it causes and a storm of one-unit bumps is refused after the first transfer.
 */
export function minReplacementFee(pendingFee: bigint, minFee: bigint): bigint {
  const share = (pendingFee * REPLACEMENT_INCREMENT_PERCENT) / 100n;
  return pendingFee + (share > minFee ? share : minFee);
}

/** The estimated memory of one entry (see MEMPOOL_ENTRY_BYTES). */
export function entryBytes(entry: { readonly signaturePoint?: Uint8Array }): number {
  return MEMPOOL_ENTRY_BYTES + (entry.signaturePoint ? SIGNATURE_POINT_BYTES : 0);
}

export interface MempoolEntry {
  readonly txid: Uint8Array;
  readonly tx: Transfer;
  /** The sender's individual signature, verified on admission; it never goes into a block. */
  readonly signature: Uint8Array;
  /** The same signature as the uncompressed point its verifier checked (192 bytes), when known. */
  readonly signaturePoint?: Uint8Array;
  readonly sender: Uint8Array;
  /** Arrival order (tie-break for equal fees: first come, first mined). */
  readonly seq: number;
}

export type AdmissionResult =
  | { readonly accepted: true; readonly txid: Uint8Array; readonly replaced?: Uint8Array }
  | { readonly accepted: false; readonly txid: Uint8Array; readonly error: OurCoinError };

/**
 * Asked before a submission's body is read: whether `source` (a client IP) has less than its
 * share of transfers outstanding, so a client that already has its share waiting is refused
 * MEMPOOL_BUSY without the node parsing what it sent. The BLS verification service is one.
 */
export interface AdmissionGate {
  admits(source: string): boolean;
}

/** What `submit` decided, for the node's metrics (the composition root passes one in). */
export interface MempoolMetrics {
  admitted(count: number): void;
  refused(code: ErrorCode): void;
}

export interface SubmitOptions {
  /** Who sent the batch: a client's IP (API), a peer id (gossip). */
  readonly source?: string;
}

/**
 * What the edges (API, network) and the miner use of the pool of pending transfers: submit,
 * look up, list, and hear about changes. `Mempool` implements it.
 */
export interface TransferPool {
  readonly size: number;
  /**
   * Admits a batch; one result per input, in order. Signatures are verified off the main
   * thread, fairly across `source`s (a client IP, a peer id), each within a bound: beyond it a
   * transfer is refused MEMPOOL_BUSY. Without a source the transfers are the node's own.
   */
  submit(batch: readonly SignedTransfer[], opts?: SubmitOptions): Promise<AdmissionResult[]>;
  get(txid: Uint8Array): MempoolEntry | undefined;
  entries(): MempoolEntry[];
  /** Pending transfers from `sender` (20-byte address hash), by nonce. */
  pendingFrom(sender: Uint8Array): MempoolEntry[];
  /** The sender's next nonce counting its contiguous pending transfers. */
  nextNonce(sender: Uint8Array): number;
  /** The individual signature of a transfer pending or mined recently, verified on admission. */
  verifiedSignature(txid: Uint8Array): Uint8Array | undefined;
  /** Transfers for a block template, best fees first, each sender's in nonce order. */
  selectForBlock(maxCount: number): MempoolEntry[];
  /** Called after every change of content (admission, removal). */
  onChange(listener: () => void): () => void;
  /** Called with the transfers each `submit` admitted (e.g. to relay them to peers). */
  onAccepted(listener: (entries: MempoolEntry[]) => void): () => void;
  /** Called, once per operation, with what happened to pending transfers (the explorer's live pages). */
  onPoolEvents(listener: PoolEventListener): () => void;
}

/**
 * Why a pending transfer left the pool other than by being mined: `evicted` (a full pool made
 * room for a better fee), `conflict` (a block used its nonce for another transfer),
 * `invalidated` (the sender's balance or nonce window no longer admits it, after a block or a reorg).
 */
export type DropReason = 'evicted' | 'conflict' | 'invalidated';

/** What happened to one pending transfer. Mined transfers are the chain's news, not the pool's. */
export type PoolEvent =
  | { readonly type: 'accepted'; readonly entry: MempoolEntry }
  | { readonly type: 'replaced'; readonly entry: MempoolEntry; readonly by: Uint8Array }
  | { readonly type: 'dropped'; readonly entry: MempoolEntry; readonly reason: DropReason };

export type PoolEventListener = (events: readonly PoolEvent[]) => void;

/** What happened to a transfer, as the explorer's live pages hear it (pool events plus the chain's). */
export type TransferEventType = 'accepted' | 'replaced' | 'dropped' | 'confirmed' | 'unconfirmed';

export interface TransferEvent {
  readonly type: TransferEventType;
  readonly txid: Uint8Array;
  readonly tx: Transfer;
  /** The sender's 20-byte address hash. */
  readonly sender: Uint8Array;
  /** Unix seconds this node first saw it (see TransferFeed.firstSeen). */
  readonly firstSeen: number;
  /** confirmed: the block holding it; unconfirmed: the block it left (a reorg). */
  readonly block?: { readonly hash: Uint8Array; readonly height: number };
  readonly reason?: DropReason;
  /** replaced: the txid of the transfer that took its place. */
  readonly replacedBy?: Uint8Array;
  /** unconfirmed: whether it is back in the mempool (its signature was still known). */
  readonly pending?: boolean;
}

export type TransferEventListener = (events: readonly TransferEvent[]) => void;

/**
 * Transfers as they come and go: pending ones from the pool, confirmed and unconfirmed ones
 * from the chain's tip changes, and when this node first saw each. The API's event stream and
 * transaction JSON read it; `TransferActivity` (activity.ts) implements it.
 */
export interface TransferFeed {
  /** Unix seconds this node first saw `txid` (pending, or in a block), if it still remembers. */
  firstSeen(txid: Uint8Array): number | undefined;
  onTransferEvents(listener: TransferEventListener): () => void;
}
