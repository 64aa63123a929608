/**
 * The block subsidy schedule (src/protocol/rules/subsidy.ts).
 */
import { describe, expect, it } from 'vitest';
import { COIN, MAX_MONEY } from '../../../../src/protocol/amount.js';
import { devnet, regtest } from '../../../../src/protocol/networks.js';
import { blockSubsidy } from '../../../../src/protocol/rules/subsidy.js';

describe('blockSubsidy', () => {
  it('halves every regtest halvingInterval (150) blocks', () => {
    expect(regtest.halvingInterval).toBe(150);
    expect(blockSubsidy(0, regtest)).toBe(50n * COIN);
    expect(blockSubsidy(149, regtest)).toBe(50n * COIN);
    expect(blockSubsidy(150, regtest)).toBe(25n * COIN);
    expect(blockSubsidy(299, regtest)).toBe(25n * COIN);
    expect(blockSubsidy(300, regtest)).toBe(1_250_000_000n);
    expect(blockSubsidy(450, regtest)).toBe(625_000_000n);
    expect(blockSubsidy(150 * 10, regtest)).toBe((50n * COIN) >> 10n);
    expect(blockSubsidy(150 * 40, regtest)).toBe(0n);
    expect(blockSubsidy(209_999, devnet)).toBe(50n * COIN);
    expect(blockSubsidy(210_000, devnet)).toBe(25n * COIN);
  });

  it('is 0 after 64 halvings, even for a subsidy that a plain shift would not exhaust', () => {
    const big = { ...regtest, initialSubsidy: 1n << 80n };
    expect(blockSubsidy(150 * 63, big)).toBe(1n << 17n);
    expect(blockSubsidy(150 * 64 - 1, big)).toBe(1n << 17n);
    expect(blockSubsidy(150 * 64, big)).toBe(0n);
    expect(blockSubsidy(150 * 1000, big)).toBe(0n);
    expect(blockSubsidy(150 * 64, regtest)).toBe(0n);
    expect(blockSubsidy(0xffff_ffff, regtest)).toBe(0n);
  });

  it('never issues more than MAX_MONEY on either network', () => {
    for (const network of [devnet, regtest]) {
      let total = 0n;
      for (let halving = 0; halving < 64; halving++)
        total += blockSubsidy(halving * network.halvingInterval, network) * BigInt(network.halvingInterval);
      expect(total).toBeLessThanOrEqual(MAX_MONEY);
    }
  });
});
