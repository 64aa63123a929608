/**
 * What the node needs from a proof-of-work searcher: start a job (replacing any current
 * one), hear about a solution or an exhausted nonce space, read the hash rate.
 */
import type { CodeOf } from '../errors.js';
import type { Block } from '../protocol/block.js';

/** Errors of mining on request (the API's /mine, the CLI). */
export const MinerErrorCode = {
  cannotMine: 'NODE_CANNOT_MINE',
  regtestOnly: 'NODE_REGTEST_ONLY',
  mineFailed: 'NODE_MINE_FAILED',
  /**
   * The next block would need a timestamp past the future limit: blocks stamped far ahead
   * pushed the chain's median time there. Mining works again once the clock catches up.
   */
  timeAhead: 'NODE_MINE_TIME_AHEAD',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    miner: CodeOf<typeof MinerErrorCode>;
  }
}
export interface MiningJob {
  readonly jobId: number;
  /** The 120-byte header with any nonce; the searcher varies the last 8 bytes. */
  readonly header: Uint8Array;
  readonly target: bigint;
}

export interface PowSearcher {
  /** The hashing backend, for the node's banner: `hashtree` (native) or `noble` (pure JS). */
  readonly hasher: string;
  mine(job: MiningJob): void;
  stop(): void;
  /** Hashes per second over the last few seconds. */
  hashRate(): number;
  onFound(listener: (jobId: number, nonce: bigint) => void): void;
  onExhausted(listener: (jobId: number) => void): void;
  /** A searcher thread failed: the search has stopped. */
  onError(listener: (err: Error) => void): void;
  close(): Promise<void>;
}

/** What the API and the CLI see of mining: its state, and mining on demand on regtest. */
export interface MiningControl {
  readonly isMining: boolean;
  /** Where mined coins go; undefined when the node has no miner address. */
  readonly minerAddress: Uint8Array | undefined;
  /** Hashes per second over the last few seconds (0 when not mining). */
  hashRate(): number;
  /**
   * Regtest only: mines `count` blocks at once to `address`, like bitcoind's
   * generatetoaddress; each goes through the chain like any other block.
   */
  mineBlocks(count: number, address: Uint8Array): Block[];
}
