/**
 * Fee estimation (policy, not consensus; docs/protocol.md 13.6). Every transfer is 97 bytes, so
 * a fee is also a fee rate and a block holds a fixed number of transfers (its capacity). A
 * miner takes the best fees first, so what it costs to get into one of the next k blocks is
 * read from two sources, and the estimate is the larger:
 *
 *   - the queue: the pending fees, best first; a transfer outbids the one at position k * capacity
 *     (if the pool holds that many), else the minimum fee gets it in;
 *   - the recent blocks: the lowest fee of each of the last blocks that were (nearly) full, the
 *     price that cleared it (the minimum fee for a block with room). Of those prices the estimate
 *     for the next block takes the upper quartile, for 3 blocks the median, for 6 the lower quartile.
 *
 * Pure: the caller (the API's /fees route) hands it plain numbers read through its ports.
 */

/** The targets, in blocks: like Core's estimatesmartfee conf_target, and mempool.space's tiers. */
export const FEE_TARGETS = { fast: 1, normal: 3, slow: 6 } as const;
export type FeePriority = keyof typeof FEE_TARGETS;

/** How many recent blocks are read. */
export const FEE_HISTORY_BLOCKS = 6;
/** A block holding at least this share of its capacity counts as full (its lowest fee cleared it). */
export const FULL_BLOCK_PERCENT = 95;

export interface FeeEstimateInput {
  /** The fees of the pending transfers, in any order. */
  readonly pendingFees: readonly bigint[];
  /** The fees of the transfers of each recent main-chain block (up to FEE_HISTORY_BLOCKS). */
  readonly recentBlocks: readonly (readonly bigint[])[];
  /** Transfers one block can hold. */
  readonly capacity: number;
  /** The pool's minimum fee: no estimate is below it. */
  readonly minFee: bigint;
}

export interface FeeEstimate {
  /** The fee per target, in base units; fast >= normal >= slow >= minFee. */
  readonly fees: Readonly<Record<FeePriority, bigint>>;
  /** Blocks the pending transfers would fill, at capacity. */
  readonly pendingBlocks: number;
  /** How many of the recent blocks were full. */
  readonly fullBlocks: number;
}

/** The share of the way through an ascending list (0 the lowest, 1 the highest), nearest rank. */
function quantile(sorted: readonly bigint[], share: number): bigint | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

const HISTORY_SHARE: Record<FeePriority, number> = { fast: 0.75, normal: 0.5, slow: 0.25 };

export function estimateFees(input: FeeEstimateInput): FeeEstimate {
  const { minFee } = input;
  const capacity = Math.max(1, Math.floor(input.capacity));
  const pending = [...input.pendingFees].sort((a, b) => (a === b ? 0 : a > b ? -1 : 1));
  const full = Math.ceil((capacity * FULL_BLOCK_PERCENT) / 100);
  const clearing = input.recentBlocks
    .map((fees) => (fees.length >= full ? fees.reduce((low, f) => (f < low ? f : low)) : minFee))
    .sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
  const max = (...xs: (bigint | undefined)[]): bigint =>
    xs.reduce<bigint>((m, x) => (x !== undefined && x > m ? x : m), minFee);
  const fees = {} as Record<FeePriority, bigint>;
  for (const [priority, blocks] of Object.entries(FEE_TARGETS) as [FeePriority, number][]) {
    const outbid = pending[blocks * capacity - 1];
    fees[priority] = max(outbid === undefined ? undefined : outbid + 1n, quantile(clearing, HISTORY_SHARE[priority]));
  }
  return {
    fees,
    pendingBlocks: Math.ceil(pending.length / capacity),
    fullBlocks: input.recentBlocks.filter((fees) => fees.length >= full).length,
  };
}
