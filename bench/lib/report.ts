/**
 * What each benchmark part returns, and the shared context the parts hand to each other
 * (a later part reuses an earlier part's fixtures when they exist, and builds its own when not).
 */
import type { Block } from '../../src/protocol/block.js';
import type { SeqQuery } from './sqlitePlan.js';
import type { Stat } from './stats.js';

export interface Target {
  readonly id: string;
  readonly description: string;
  readonly target: string;
  readonly measured: string;
  /** null: not measured (the part failed or ran out of time). */
  readonly met: boolean | null;
}

export interface Chart {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

export interface PartResult {
  readonly data: Record<string, unknown>;
  /** The part's section of RESULTS.md (without its heading). */
  readonly markdown: string;
  readonly targets: readonly Target[];
  readonly charts: readonly Chart[];
  /** One-line headline figures for the README. */
  readonly headlines: readonly string[];
}

export interface SyncFixture {
  /** Every block after genesis, encoded, in order. */
  readonly blocks: readonly Uint8Array[];
  readonly decoded: readonly Block[];
  /** Blocks with transfers, and their transfers' (public key, message) pairs. */
  readonly transferBlocks: number;
  readonly transfers: number;
  /** Data directory holding the whole chain (chain.sqlite), and one holding its first blocks only. */
  readonly bigDir: string;
  readonly smallDir: string;
  readonly smallHeight: number;
  /** ms to import the whole chain in-process (Chain.processBlock, full signature path). */
  readonly importMs: number;
  /** ms per block of that import, in height order (heights 3 to 2 + stagedBlocks and the last stagedBlocks imported stage by stage). */
  readonly importPerBlockMs: readonly number[];
  readonly stagedBlocks: number;
  /** Stage times (ms per block) of the blocks imported stage by stage, early and late in the chain. */
  readonly stagedEarly: Readonly<Record<string, Stat>>;
  readonly stagedLate: Readonly<Record<string, Stat>>;
  /** How the store's `MAX(seq) + 1` subquery for new blocks runs on the whole chain. */
  readonly blocksSeqQuery?: SeqQuery;
}

export interface BenchContext {
  /** Blocks of part 1, by transfer count (part 5 measures their sizes). */
  verificationBlocks?: Map<number, Block>;
  syncFixture?: SyncFixture;
  /** Set by the sync part: peak RSS of the syncing node and its data directory. */
  syncMemory?: {
    peakMb: number;
    rssMb: number;
    datadir: string;
    timeline: { seconds: number; rssMb: number }[];
  };
  /** Set by the admission part: accepted transfers a second, one a request and in batches (the dust storm offers 10x). */
  admission?: { singlePerSecond: number; batchPerSecond: number };
  /** Temporary directories to remove at the end. */
  readonly cleanup: string[];
}
