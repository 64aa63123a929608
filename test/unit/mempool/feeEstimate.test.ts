/**
 * The fee estimator (src/mempool/feeEstimate.ts): the queue of pending fees against a block's
 * capacity, and the prices that cleared recent full blocks; never below the minimum fee.
 */
import { describe, expect, it } from 'vitest';
import { estimateFees } from '../../../src/mempool/feeEstimate.js';

const minFee = 1000n;
const range = (n: number, fee: (i: number) => bigint): bigint[] => Array.from({ length: n }, (_, i) => fee(i));

describe('estimateFees', () => {
  it('an empty pool and blocks with room: the minimum fee for every target', () => {
    const e = estimateFees({ pendingFees: [], recentBlocks: [[5000n], []], capacity: 10, minFee });
    expect(e.fees).toEqual({ fast: minFee, normal: minFee, slow: minFee });
    expect(e).toMatchObject({ pendingBlocks: 0, fullBlocks: 0 });
  });

  it('a queue longer than a block: outbid the transfer at the edge of the target', () => {
    // 25 pending transfers paying 1000..25000 in shuffled order; 10 fit in a block.
    const pendingFees = range(25, (i) => BigInt(((i * 7) % 25) + 1) * 1000n);
    const e = estimateFees({ pendingFees, recentBlocks: [], capacity: 10, minFee });
    // Best first: the 10th is 16000, so the next block needs 16001; 3 blocks hold all 25.
    expect(e.fees).toEqual({ fast: 16001n, normal: minFee, slow: minFee });
    expect(e.pendingBlocks).toBe(3);
  });

  it('recent full blocks: their lowest fees set a floor, higher for a nearer target', () => {
    const full = (low: bigint): bigint[] => [low, ...range(9, () => low * 10n)];
    const recentBlocks = [full(8000n), full(2000n), full(4000n), full(6000n), range(3, () => 90_000n), []];
    const e = estimateFees({ pendingFees: [], recentBlocks, capacity: 10, minFee });
    // Clearing prices ascending: 1000 1000 2000 4000 6000 8000 (blocks with room clear at the minimum).
    expect(e.fees).toEqual({ fast: 6000n, normal: 2000n, slow: 1000n });
    expect(e.fullBlocks).toBe(4);
  });

  it('takes the larger of queue and history, and keeps fast >= normal >= slow', () => {
    const pendingFees = range(40, (i) => BigInt(40 - i) * 100n + 1000n);
    const recentBlocks = range(6, () => 3000n).map((low) => range(10, () => low));
    const e = estimateFees({ pendingFees, recentBlocks, capacity: 10, minFee });
    expect(e.fees.fast).toBe(4101n); // the 10th best pays 4100: the queue wins over the 3000 floor
    expect(e.fees.normal).toBe(3000n); // the 30th pays 2100: the floor wins
    expect(e.fees.fast >= e.fees.normal && e.fees.normal >= e.fees.slow).toBe(true);
  });
});
