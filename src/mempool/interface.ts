/**
 * The mempool's public face: admission results, entries, limits and error codes.
 *
 * The mempool holds signed transfers that are valid against the tip (their individual
 * signatures verified), ordered for mining by fee, in per-sender nonce chains.
 */
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import type { CodeOf, ErrorKind, OurCoinError } from '../errors.js';

export const MempoolErrorCode = {
  feeTooLow: 'MEMPOOL_FEE_TOO_LOW',
  duplicate: 'MEMPOOL_DUPLICATE',
  alreadyConfirmed: 'MEMPOOL_ALREADY_CONFIRMED',
  nonceTooLow: 'MEMPOOL_NONCE_TOO_LOW',
  nonceTooHigh: 'MEMPOOL_NONCE_TOO_HIGH',
  replacementFeeTooLow: 'MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
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
  /** Lowest fee (base units) a transaction must pay to be admitted. */
  readonly minFee: bigint;
  /** How far ahead of the sender's next nonce a transaction may wait for its predecessors. */
  readonly maxNonceGap: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = { maxTransactions: 50_000, minFee: 1000n, maxNonceGap: 64 };

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
}
