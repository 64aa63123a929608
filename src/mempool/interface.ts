/**
 * The mempool's public face: admission results, entries, limits and error codes.
 *
 * The mempool holds signed transfers that are valid against the tip (their individual
 * signatures verified), ordered for mining by fee, in per-sender nonce chains.
 */
import type { OurCoinError } from '../errors.js';
import type { Transfer } from '../protocol/transaction.js';

export const MempoolErrorCode = {
  feeTooLow: 'MEMPOOL_FEE_TOO_LOW',
  duplicate: 'MEMPOOL_DUPLICATE',
  alreadyConfirmed: 'MEMPOOL_ALREADY_CONFIRMED',
  nonceTooLow: 'MEMPOOL_NONCE_TOO_LOW',
  nonceTooHigh: 'MEMPOOL_NONCE_TOO_HIGH',
  replacementFeeTooLow: 'MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
  insufficientBalance: 'MEMPOOL_INSUFFICIENT_BALANCE',
  full: 'MEMPOOL_FULL',
  badSignature: 'TX_BAD_SIGNATURE',
  badPublicKey: 'TX_BAD_PUBLIC_KEY',
} as const;

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
  readonly sender: Uint8Array;
  /** Arrival order (tie-break for equal fees: first come, first mined). */
  readonly seq: number;
}

export type AdmissionResult =
  | { readonly accepted: true; readonly txid: Uint8Array; readonly replaced?: Uint8Array }
  | { readonly accepted: false; readonly txid: Uint8Array; readonly error: OurCoinError };

/** Checks many (public key, message, signature) triples at once; one verdict per item. */
export interface SignatureBatchVerifier {
  verify(items: readonly { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]): Promise<boolean[]>;
  close(): Promise<void>;
}
