/**
 * What the chain needs from storage. One implementation today (SQLite, `sqliteStore.ts`);
 * the chain code depends only on this interface.
 *
 * Blocks are stored once their header and context-free body checks pass and their parent
 * is known; `status` then says how far validation got. Account state, undo data and the
 * indexes always describe the main chain ending at `tip()`.
 */
import type { Block, BlockHeader } from '../protocol/block.js';
import type { AccountChange, AccountReader } from '../protocol/rules/state.js';
import type { CodeOf, ErrorCode } from '../errors.js';

/** Errors of the block store: the node's own storage, never a client's fault. */
export const StoreErrorCode = {
  locked: 'STORE_LOCKED',
  wrongNetwork: 'STORE_WRONG_NETWORK',
  badSchema: 'STORE_BAD_SCHEMA',
  /** Written by a node of an older protocol version (its blocks are not valid under this one). */
  oldProtocol: 'STORE_OLD_PROTOCOL',
  empty: 'STORE_EMPTY',
  genesis: 'STORE_GENESIS',
  noUndo: 'STORE_NO_UNDO',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    store: CodeOf<typeof StoreErrorCode>;
  }
}

export const BlockStatus = {
  /** Stored; header and context-free checks passed, never connected. */
  stored: 0,
  /** Fully validated (connected at least once). */
  valid: 1,
  /** Broke a consensus rule, or descends from a block that did. */
  invalid: 2,
} as const;
export type BlockStatusValue = (typeof BlockStatus)[keyof typeof BlockStatus];

export interface BlockRecord {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  readonly height: number;
  readonly cumulativeWork: bigint;
  readonly status: BlockStatusValue;
  /** Arrival order, the tie-break between chains of equal work (first seen wins). */
  readonly seq: number;
}

export interface InvalidMark {
  /** The code of the rule the block broke (stored as text: only codes the node wrote). */
  readonly code: ErrorCode;
  readonly message: string;
}

export interface TxLocation {
  readonly blockHash: Uint8Array;
  readonly height: number;
  /** 0 is the coinbase, 1.. the transfers in block order. */
  readonly position: number;
}

export interface AddressTxEntry extends TxLocation {
  readonly txid: Uint8Array;
}

/** What a prefix search looks up: stored blocks by hash, main-chain txids, addresses with state. */
export type KeyKind = 'block' | 'transaction' | 'address';

export interface ChainStore extends AccountReader {
  /** Network name and genesis hash; a store opened for another network is refused. */
  readonly networkName: string;

  getRecord(hash: Uint8Array): BlockRecord | undefined;
  getBlock(hash: Uint8Array): Block | undefined;
  getBlockBytes(hash: Uint8Array): Uint8Array | undefined;
  putBlock(
    hash: Uint8Array,
    block: Block,
    bytes: Uint8Array,
    cumulativeWork: bigint,
    status: BlockStatusValue,
  ): BlockRecord;

  /**
   * Deletes a stored block that is off the main chain and has no stored child (a side
   * branch's leaf, pruned to keep side branches within their budget); false when it is not one.
   */
  deleteSideLeaf(hash: Uint8Array): boolean;

  getInvalid(hash: Uint8Array): InvalidMark | undefined;
  /** Marks `hash` (and every stored descendant) invalid. */
  markInvalid(hash: Uint8Array, mark: InvalidMark): void;
  /**
   * Forgets the invalid marks of `hash`, its stored descendants and its invalid ancestors
   * (their blocks go back to `stored`, to be validated again); returns how many were cleared.
   */
  clearInvalid(hash: Uint8Array): number;

  /** Stored, not-invalid block with the most work (ties: lowest seq). */
  bestCandidate(): BlockRecord | undefined;

  tip(): BlockRecord | undefined;
  mainHashAt(height: number): Uint8Array | undefined;

  /** In ONE transaction: apply changes, save undo, index txs, extend the main chain, move the tip. */
  connectBlock(hash: Uint8Array, block: Block, txids: readonly Uint8Array[], changes: readonly AccountChange[]): void;
  /** In ONE transaction: the exact inverse of connectBlock for the current tip. */
  disconnectTip(): void;

  getTxLocation(txid: Uint8Array): TxLocation | undefined;
  /** Newest first. */
  getAddressTxs(address: Uint8Array, limit: number, offset: number): AddressTxEntry[];

  /**
   * Up to `limit` keys of `kind` between `lo` and `hi` inclusive, in byte order: a prefix
   * search is this range (the prefix padded with zero bits, then with one bits) over the
   * key's primary-key index, so it costs one index seek and `limit` steps.
   */
  keysInRange(kind: KeyKind, lo: Uint8Array, hi: Uint8Array, limit: number): Uint8Array[];

  /**
   * Reindex, in ONE transaction: drops the main chain, account state, undo data, indexes
   * and invalid marks, and sets every stored block back to `stored`, so that reopening the
   * chain validates the stored blocks again from genesis.
   */
  resetChainState(): void;

  close(): void;
}

/**
 * Where the mempool keeps its transactions across restarts. Writes are grouped: `put` and
 * `remove` queue, and everything queued in one turn of the event loop is committed in ONE
 * transaction (a commit per transfer cost more main-thread time than the rest of admission).
 */
export interface MempoolStore {
  loadAll(): { txid: Uint8Array; data: Uint8Array }[];
  put(txid: Uint8Array, signedTransfer: Uint8Array): void;
  remove(txids: readonly Uint8Array[]): void;
  /** Resolves once every write queued so far is committed (rejects if the commit failed). */
  written(): Promise<void>;
}
