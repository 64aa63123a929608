/**
 * The chain's public face: what processing a block tells its caller, and what it reports to
 * listeners (the mempool returns transactions of disconnected blocks; the network relays).
 */
import type { OurCoinError } from '../errors.js';
import type { Block, BlockHeader } from '../protocol/block.js';
import type { NetworkParams } from '../protocol/networks.js';
import type { HeaderContext } from '../protocol/rules/header.js';
import type { Account } from '../protocol/rules/state.js';
import type { AddressTxEntry, BlockRecord, InvalidMark, KeyKind, TxLocation } from '../store/interface.js';

// The records the chain's readers see (the edges never import the store).
export type { AddressTxEntry, BlockRecord, InvalidMark, KeyKind, TxLocation };
import type { SignatureVerdict } from './verifyBlockSignatures.js';
import type { CodeOf } from '../errors.js';

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
  /**
   * For an orphan: its source went past its share of the orphan pool, which dropped that
   * source's oldest orphans (the network holds it against a peer).
   */
  readonly overShare?: boolean;
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
  /**
   * A block sent unasked (gossip, the API) on a branch with less work than the tip: its body is
   * not stored (Bitcoin Core's rule for unrequested blocks). Policy, not a broken rule: the
   * branch may still come by sync, whose blocks are requested after their headers were checked.
   */
  forkTooLight: 'CHAIN_FORK_TOO_LIGHT',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    chain: CodeOf<typeof ChainErrorCode>;
  }
}

/**
 * What the edges (API, network) and the miner read from the chain: the tip, blocks and their
 * records, the main chain, the indexes and account state. Read-only; `Chain` implements it.
 */
export interface ChainReader {
  readonly network: NetworkParams;
  readonly tip: BlockRecord;
  /** Blocks waiting in the orphan pool for their parent. */
  readonly orphanCount: number;
  getRecord(hash: Uint8Array): BlockRecord | undefined;
  getBlock(hash: Uint8Array): Block | undefined;
  /** The block's canonical encoding, exactly as stored. */
  getBlockBytes(hash: Uint8Array): Uint8Array | undefined;
  /** The main chain's block hash at `height`, if the chain is that high. */
  mainHashAt(height: number): Uint8Array | undefined;
  isOnMainChain(record: BlockRecord): boolean;
  /** A block's branch as the header rules see it (the miner builds on the tip's). */
  headerContext(parent: BlockRecord): HeaderContext;
  /** Why a block is remembered as invalid (the rule it broke, or the operator's mark). */
  getInvalid(hash: Uint8Array): InvalidMark | undefined;
  getTxLocation(txid: Uint8Array): TxLocation | undefined;
  /** Newest first. */
  getAddressTxs(address: Uint8Array, limit: number, offset: number): AddressTxEntry[];
  getAccount(address: Uint8Array): Account;
  /** Up to `limit` block hashes, main-chain txids or addresses in [lo, hi], in byte order (prefix search). */
  keysInRange(kind: KeyKind, lo: Uint8Array, hi: Uint8Array, limit: number): Uint8Array[];
  onTipChange(listener: TipListener): () => void;
}

/**
 * Main-chain headers from height `from` up, at most `max`, to the tip (none when `from` is past
 * it): what the p2p `headers` answer and GET /api/v1/headers serve. Runs synchronously, so the
 * main chain cannot move during the walk.
 */
export function mainChainHeaders(chain: ChainReader, from: number, max: number): BlockHeader[] {
  const headers: BlockHeader[] = [];
  const tipHeight = chain.tip.height;
  for (let h = from; h <= tipHeight && headers.length < max; h++)
    headers.push(chain.getRecord(chain.mainHashAt(h)!)!.header);
  return headers;
}

export interface ImportOptions {
  /**
   * Who sent the block (`peer:<id>`, `api:<ip>`): its orphans count against that source's
   * share of the orphan pool.
   */
  readonly source?: string;
}

/** Where blocks from outside (peers, the API, the miner) enter the chain. */
export interface BlockSink {
  /**
   * A block sent unasked (gossip, the API): its aggregate signature, when connecting it needs
   * a pairing, is checked first on the verification service's worker threads (block import
   * before sync); a block on a branch lighter than the tip is refused (CHAIN_FORK_TOO_LIGHT).
   */
  importBlock(input: Block | Uint8Array, priority?: 'block' | 'sync', opts?: ImportOptions): Promise<ProcessResult>;
  /** The signature rule's verdict from the service, or undefined when connecting needs none. */
  verifySignatureAhead(block: Block, priority: 'block' | 'sync'): Promise<SignatureVerdict | undefined>;
  /**
   * A block this node asked for or made (sync after its headers were checked, the miner).
   * `signature` is the block signature rule's verdict if it was computed ahead (on a worker).
   */
  processBlock(input: Block | Uint8Array, signature?: SignatureVerdict): ProcessResult;
}

/**
 * How block import went, for the node's metrics (the composition root passes one in).
 * `fast`: no pairing was needed (every transfer's signature known, no transfers, or valid
 * once); `full`: the aggregate was checked by a pairing (on a worker, or here).
 */
export interface ChainMetrics {
  blockImported(path: 'fast' | 'full', seconds: number): void;
}

/** The operator's commands (Bitcoin Core's invalidateblock / reconsiderblock). */
export interface ChainAdmin {
  invalidateBlock(hash: Uint8Array): TipChange;
  reconsiderBlock(hash: Uint8Array): TipChange & { cleared: number; failures: ReadonlyMap<string, OurCoinError> };
}
