/**
 * The chain's public face: what processing a block tells its caller, and what it reports to
 * listeners (the mempool returns transactions of disconnected blocks; the network relays).
 */
import type { Block } from '../protocol/block.js';
import type { OurCoinError } from '../errors.js';

export type ProcessStatus =
  /** Stored and now part of the best chain (the tip may have moved by a reorg). */
  | 'connected'
  /** Stored on a side branch with no more work than the best chain. */
  | 'side'
  /** Parent unknown: kept in the orphan pool until it arrives. */
  | 'orphan'
  /** Already known (stored, or waiting as an orphan). */
  | 'duplicate'
  /** Rejected; `error` says why, and whether the hash is now remembered as invalid. */
  | 'rejected';

export interface ProcessResult {
  readonly status: ProcessStatus;
  readonly hash: Uint8Array;
  readonly error?: OurCoinError;
  /** Blocks that left / joined the main chain while processing this one, in order. */
  readonly disconnected: readonly Block[];
  readonly connected: readonly Block[];
}

export interface TipChange {
  readonly disconnected: readonly Block[];
  readonly connected: readonly Block[];
}

export type TipListener = (change: TipChange) => void;

/** Errors of the operator's chain commands (invalidateBlock / reconsiderBlock). */
export const ChainErrorCode = {
  unknownBlock: 'CHAIN_UNKNOWN_BLOCK',
  genesis: 'CHAIN_GENESIS',
  /** The invalid mark `Chain.invalidateBlock` leaves: the operator's call, no rule broken. */
  manuallyInvalidated: 'BLOCK_MANUALLY_INVALIDATED',
} as const;
