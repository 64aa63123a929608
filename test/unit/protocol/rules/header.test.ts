/**
 * Header rules (src/protocol/rules/header.ts): context-free and contextual checks, median
 * time past and retargeting; and a sanity check of the test keys the rule tests share.
 */
import { describe, expect, it } from 'vitest';
import { addressHashOf } from '../../../../src/protocol/address.js';
import { withNonce } from '../../../../src/protocol/assemble.js';
import { BLOCK_VERSION, blockHash } from '../../../../src/protocol/block.js';
import type { BlockHeader } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../../src/protocol/genesis.js';
import { ZERO_HASH } from '../../../../src/protocol/hash.js';
import { devnet, regtest } from '../../../../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget } from '../../../../src/protocol/pow.js';
import {
  MEDIAN_TIME_SPAN,
  checkHeaderContextFree,
  checkHeaderContextual,
  expectedBits,
  medianTimePast,
} from '../../../../src/protocol/rules/header.js';
import type { HeaderContext } from '../../../../src/protocol/rules/header.js';
import { solveBlock } from '../../../../src/miner/solve.js';
import { alice, blockOf, bob, carol, expectRule, minerKey } from '../../../helpers/rules.js';

/** A synthetic header: the contextual rules never look at hashes or commitments. */
function header(height: number, timestamp: number, bits: number, extra: Partial<BlockHeader> = {}): BlockHeader {
  return {
    version: BLOCK_VERSION,
    height,
    prevHash: ZERO_HASH,
    txRoot: ZERO_HASH,
    signatureHash: ZERO_HASH,
    timestamp,
    bits,
    nonce: 0n,
    ...extra,
  };
}

/** Headers at heights 0..n-1 with the given timestamps and bits. */
function headersOf(timestamps: readonly number[], bits: number | ((height: number) => number)): BlockHeader[] {
  return timestamps.map((t, h) => header(h, t, typeof bits === 'number' ? bits : bits(h)));
}

/** `n` headers `gap` seconds apart starting at `start`. */
function evenHeaders(
  n: number,
  gap: number,
  bits: number | ((height: number) => number),
  start = devnet.genesis.timestamp,
): BlockHeader[] {
  return headersOf(
    Array.from({ length: n }, (_, i) => start + i * gap),
    bits,
  );
}

/** The branch ending at the last header: ancestor(h) = headers[h]. */
function contextOf(headers: readonly BlockHeader[]): HeaderContext {
  const parent = headers.at(-1)!;
  expect(parent.height).toBe(headers.length - 1);
  return {
    parent,
    ancestor(height: number): BlockHeader {
      if (!Number.isInteger(height) || height < 0 || height > parent.height)
        throw new RangeError(`no ancestor at height ${height}`);
      return headers[height]!;
    },
  };
}

// ---------------------------------------------------------------- header: context-free

describe('checkHeaderContextFree', () => {
  const regGenesis = genesisBlock(regtest);

  it('accepts both genesis headers and a solved regtest block', () => {
    expect(() => checkHeaderContextFree(regGenesis.header, regtest)).not.toThrow();
    expect(() => checkHeaderContextFree(genesisBlock(devnet).header, devnet)).not.toThrow();
    const solved = solveBlock(blockOf([], { coinbase: { amount: 1n } }))!;
    expect(() => checkHeaderContextFree(solved.header, regtest)).not.toThrow();
    // The precomputed hash, when given, is the one checked.
    expect(() => checkHeaderContextFree(solved.header, regtest, blockHash(solved.header))).not.toThrow();
  });

  it('BLOCK_BAD_VERSION: any version but 2, checked before bits', () => {
    for (const version of [0, 1, 3, 0xffff_ffff]) {
      expectRule(() => checkHeaderContextFree({ ...regGenesis.header, version }, regtest), 'BLOCK_BAD_VERSION');
    }
    expectRule(
      () => checkHeaderContextFree({ ...regGenesis.header, version: 1, bits: 0 }, regtest),
      'BLOCK_BAD_VERSION',
    );
  });

  it('POW_BAD_BITS: non-canonical, negative, zero or overflowing encodings', () => {
    const cases: Array<[number, string]> = [
      [0x03000001, 'target 1, canonical form is 0x01010000'],
      [0x1f000597, 'leading zero mantissa byte, canonical form is 0x1e059700'],
      [0x1e8597a7, 'sign bit set'],
      [0x1e000000, 'zero mantissa'],
      [0x00000000, 'zero'],
      [0xff7fffff, 'overflows 256 bits'],
    ];
    for (const [bits, why] of cases) {
      const err = expectRule(
        () => checkHeaderContextFree(header(1, regtest.genesis.timestamp, bits), regtest),
        'POW_BAD_BITS',
      );
      expect(err.message, why).toMatch(/bits/);
    }
    expect(encodeCompact(decodeCompact(0x1e059700))).toBe(0x1e059700);
  });

  it('POW_BAD_BITS: a target above the network limit (devnet header with regtest bits)', () => {
    expect(decodeCompact(regtest.genesisBits)).toBeGreaterThan(devnet.powLimit);
    expectRule(
      () => checkHeaderContextFree({ ...genesisBlock(devnet).header, bits: regtest.genesisBits }, devnet),
      'POW_BAD_BITS',
    );
    // Regtest's own limit is 2^255 - 1: 2^255 (0x21008000) is one too many.
    expect(decodeCompact(0x21008000)).toBe(regtest.powLimit + 1n);
    expectRule(() => checkHeaderContextFree(header(1, regtest.genesis.timestamp, 0x21008000), regtest), 'POW_BAD_BITS');
  });

  it('BLOCK_BAD_POW: a regtest nonce whose hash is above the target', () => {
    const target = decodeCompact(regtest.genesisBits);
    const block = blockOf([], { coinbase: { amount: 7n } });
    let nonce = 0n;
    while (hashMeetsTarget(blockHash(withNonce(block, nonce).header), target)) nonce++;
    expect(nonce).toBeLessThan(64n);
    const bad = withNonce(block, nonce).header;
    expectRule(() => checkHeaderContextFree(bad, regtest), 'BLOCK_BAD_POW');
    // A devnet genesis with another nonce almost never meets devnet's target; pick one that doesn't.
    const g = genesisBlock(devnet);
    let n = g.header.nonce + 1n;
    while (hashMeetsTarget(blockHash({ ...g.header, nonce: n }), decodeCompact(devnet.genesisBits))) n++;
    expectRule(() => checkHeaderContextFree({ ...g.header, nonce: n }, devnet), 'BLOCK_BAD_POW');
    // The supplied hash is trusted: an all-0xff hash fails even for a solved header.
    expectRule(
      () => checkHeaderContextFree(regGenesis.header, regtest, new Uint8Array(32).fill(0xff)),
      'BLOCK_BAD_POW',
    );
  });
});

// ---------------------------------------------------------------- header: contextual

describe('medianTimePast', () => {
  it('spans 11 blocks', () => {
    expect(MEDIAN_TIME_SPAN).toBe(11);
  });

  it('uses whatever ancestors exist when there are fewer than 11', () => {
    expect(medianTimePast(contextOf(headersOf([500], 0)))).toBe(500);
    expect(medianTimePast(contextOf(headersOf([100, 50], 0)))).toBe(100); // upper median of an even count
    expect(medianTimePast(contextOf(headersOf([10, 40, 20], 0)))).toBe(20);
    expect(medianTimePast(contextOf(headersOf([10, 40, 20, 30], 0)))).toBe(30);
    expect(medianTimePast(contextOf(headersOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0)))).toBe(6);
  });

  it('looks only at the last 11 timestamps, sorted', () => {
    const old = Array.from({ length: 9 }, () => 9_000_000);
    const last11 = [104, 101, 110, 100, 108, 102, 109, 103, 107, 105, 106];
    expect(medianTimePast(contextOf(headersOf([...old, ...last11], 0)))).toBe(105);
    expect(medianTimePast(contextOf(headersOf([1, ...last11], 0)))).toBe(105);
  });
});

describe('checkHeaderContextual', () => {
  const bits = regtest.genesisBits;
  const base = regtest.genesis.timestamp;
  // 15 blocks 10 s apart: parent at height 14, the last 11 are heights 4..14, median = height 9.
  const chain = evenHeaders(15, 10, bits, base);
  const ctx = contextOf(chain);
  const mtp = base + 90;
  const next = (extra: Partial<BlockHeader> = {}): BlockHeader => header(15, base + 150, bits, extra);
  const now = base + 150;

  it('accepts the next header', () => {
    expect(medianTimePast(ctx)).toBe(mtp);
    expect(() => checkHeaderContextual(next(), ctx, regtest, now)).not.toThrow();
    expect(() => checkHeaderContextual(next({ timestamp: mtp + 1 }), ctx, regtest, now)).not.toThrow();
  });

  it('BLOCK_BAD_HEIGHT: anything but parent + 1, checked first', () => {
    for (const height of [0, 14, 16, 1000]) {
      expectRule(() => checkHeaderContextual(next({ height }), ctx, regtest, now), 'BLOCK_BAD_HEIGHT');
    }
    expectRule(
      () => checkHeaderContextual(next({ height: 16, bits: 0x1d00ffff, timestamp: 0 }), ctx, regtest, now),
      'BLOCK_BAD_HEIGHT',
    );
  });

  it('BLOCK_BAD_TARGET: bits other than expectedBits, checked before time', () => {
    expect(expectedBits(ctx, regtest)).toBe(bits);
    for (const b of [0x207ffffe, 0x1d00ffff, encodeCompact(decodeCompact(bits) / 2n)]) {
      expectRule(() => checkHeaderContextual(next({ bits: b }), ctx, regtest, now), 'BLOCK_BAD_TARGET');
    }
    expectRule(
      () => checkHeaderContextual(next({ bits: 0x1d00ffff, timestamp: 0 }), ctx, regtest, now),
      'BLOCK_BAD_TARGET',
    );
  });

  it('BLOCK_TIME_TOO_OLD: timestamp equal to or below the median of the last 11', () => {
    for (const timestamp of [mtp, mtp - 1, 0]) {
      expectRule(() => checkHeaderContextual(next({ timestamp }), ctx, regtest, now), 'BLOCK_TIME_TOO_OLD');
    }
  });

  it('compares with the median, not with the parent: a timestamp before the parent can pass', () => {
    const times = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 10_000];
    const c = contextOf(headersOf(times, bits));
    expect(medianTimePast(c)).toBe(150);
    expect(() => checkHeaderContextual(header(11, 151, bits), c, regtest, 10_000)).not.toThrow();
    expectRule(() => checkHeaderContextual(header(11, 150, bits), c, regtest, 10_000), 'BLOCK_TIME_TOO_OLD');
    // With only the genesis as parent, the median is its timestamp.
    const g = contextOf([header(0, 1000, bits)]);
    expect(() => checkHeaderContextual(header(1, 1001, bits), g, regtest, 1001)).not.toThrow();
    expectRule(() => checkHeaderContextual(header(1, 1000, bits), g, regtest, 1001), 'BLOCK_TIME_TOO_OLD');
  });

  it('BLOCK_TIME_TOO_NEW (transient): more than maxFutureBlockTime ahead of the pinned clock', () => {
    const clock = base + 1000;
    expect(() =>
      checkHeaderContextual(next({ timestamp: clock + regtest.maxFutureBlockTime }), ctx, regtest, clock),
    ).not.toThrow();
    expectRule(
      () => checkHeaderContextual(next({ timestamp: clock + regtest.maxFutureBlockTime + 1 }), ctx, regtest, clock),
      'BLOCK_TIME_TOO_NEW',
      'transient',
    );
    // The same timestamp passes once the clock has moved on.
    expect(() =>
      checkHeaderContextual(next({ timestamp: clock + regtest.maxFutureBlockTime + 1 }), ctx, regtest, clock + 1),
    ).not.toThrow();
    // Devnet's window is 120 s.
    const d = evenHeaders(5, 10, devnet.genesisBits);
    const dctx = contextOf(d);
    const dnow = d.at(-1)!.timestamp;
    expect(() => checkHeaderContextual(header(5, dnow + 120, devnet.genesisBits), dctx, devnet, dnow)).not.toThrow();
    expectRule(
      () => checkHeaderContextual(header(5, dnow + 121, devnet.genesisBits), dctx, devnet, dnow),
      'BLOCK_TIME_TOO_NEW',
      'transient',
    );
  });
});

// ---------------------------------------------------------------- retarget

describe('expectedBits / retarget', () => {
  const interval = devnet.retargetInterval;
  const g = devnet.genesisBits;
  const t = decodeCompact(g);
  const expectedSpan = BigInt((interval - 1) * devnet.targetBlockTime);

  it('uses devnet parameters: every 20 blocks, 10 s apart, a span of 19 gaps', () => {
    expect(interval).toBe(20);
    expect(devnet.targetBlockTime).toBe(10);
    expect(expectedSpan).toBe(190n);
  });

  it('between retarget heights the bits are the parent bits', () => {
    const other = encodeCompact(t * 3n);
    const headers = evenHeaders(45, 1000, (h) => (h < 20 ? other : g)); // wildly slow: would retarget if it could
    for (let parentHeight = 0; parentHeight < 44; parentHeight++) {
      const next = parentHeight + 1;
      if (next % interval === 0) continue;
      const ctx = contextOf(headers.slice(0, parentHeight + 1));
      expect(expectedBits(ctx, devnet), `height ${next}`).toBe(headers[parentHeight]!.bits);
    }
  });

  it('blocks exactly on time keep the target (up to compact rounding)', () => {
    const ctx = contextOf(evenHeaders(20, 10, g));
    const bits = expectedBits(ctx, devnet);
    expect(bits).toBe(encodeCompact((decodeCompact(g) * 190n) / 190n));
    expect(bits).toBe(g);
    const other = encodeCompact(t / 3n);
    expect(expectedBits(contextOf(evenHeaders(20, 10, other)), devnet)).toBe(
      encodeCompact((decodeCompact(other) * 190n) / 190n),
    );
  });

  it('blocks twice as fast halve the target (harder)', () => {
    const bits = expectedBits(contextOf(evenHeaders(20, 5, g)), devnet);
    expect(bits).toBe(encodeCompact((t * 95n) / 190n));
    const next = decodeCompact(bits);
    expect(next).toBeLessThanOrEqual(t / 2n);
    expect(next).toBeGreaterThan(t / 2n - t / 2n ** 15n);
    // Twice as slow doubles it.
    expect(decodeCompact(expectedBits(contextOf(evenHeaders(20, 20, g)), devnet))).toBe(t * 2n);
  });

  it('clamps at 4x easier: blocks 100x slower give exactly 4x the target', () => {
    const slow = expectedBits(contextOf(evenHeaders(20, 1000, g)), devnet);
    expect(decodeCompact(slow)).toBe(t * 4n);
    expect(slow).toBe(encodeCompact(t * 4n));
    expect(expectedBits(contextOf(evenHeaders(20, 40, g)), devnet)).toBe(slow); // exactly 4x slower: the bound itself
    expect(decodeCompact(expectedBits(contextOf(evenHeaders(20, 30, g)), devnet))).toBe(t * 3n); // inside the bound
  });

  it('clamps at 4x harder: blocks 100x faster (or time going backwards) give the bound', () => {
    // The lower bound is expected/4 in integer arithmetic: floor(190 / 4) = 47.
    const bound = encodeCompact((t * (expectedSpan / 4n)) / expectedSpan);
    const same = evenHeaders(20, 0, g); // every timestamp equal: span 0
    expect(expectedBits(contextOf(same), devnet)).toBe(bound);
    const backwards = evenHeaders(20, -10, g, devnet.genesis.timestamp + 1000);
    expect(expectedBits(contextOf(backwards), devnet)).toBe(bound);
    const span47 = headersOf([...Array.from({ length: 19 }, () => 1000), 1047], g);
    expect(expectedBits(contextOf(span47), devnet)).toBe(bound);
    const next = decodeCompact(bound);
    expect(next).toBeLessThanOrEqual(t / 4n);
    expect(next).toBeGreaterThanOrEqual((t * 47n) / 190n - t / 2n ** 15n);
  });

  it('caps an easier target at powLimit', () => {
    const nearLimit = encodeCompact(devnet.powLimit / 2n);
    const bits = expectedBits(contextOf(evenHeaders(20, 1000, nearLimit)), devnet);
    expect(bits).toBe(encodeCompact(devnet.powLimit));
    expect(decodeCompact(bits)).toBeLessThanOrEqual(devnet.powLimit);
    expect(() => checkHeaderContextFree(header(20, 0, bits), devnet, ZERO_HASH)).not.toThrow();
  });

  it('measures only the last interval (heights 20..39 for height 40)', () => {
    const times = [
      ...Array.from({ length: 20 }, (_, i) => 1_000_000 + i * 5000), // a very slow first period
      ...Array.from({ length: 20 }, (_, i) => 2_000_000 + i * 10), // then exactly on time
    ];
    const headers = headersOf(times, g);
    expect(expectedBits(contextOf(headers), devnet)).toBe(g);
  });

  it('is enforced by checkHeaderContextual at a retarget height', () => {
    const headers = evenHeaders(20, 5, g);
    const ctx = contextOf(headers);
    const bits = expectedBits(ctx, devnet);
    expect(bits).not.toBe(g);
    const ts = headers.at(-1)!.timestamp + 5;
    expect(() => checkHeaderContextual(header(20, ts, bits), ctx, devnet, ts)).not.toThrow();
    expectRule(() => checkHeaderContextual(header(20, ts, g), ctx, devnet, ts), 'BLOCK_BAD_TARGET');
    // ...and the parent's bits are required between retargets.
    const mid = contextOf(evenHeaders(7, 10, g));
    const ts2 = mid.parent.timestamp + 10;
    expectRule(() => checkHeaderContextual(header(7, ts2, bits), mid, devnet, ts2), 'BLOCK_BAD_TARGET');
  });

  it('regtest (interval 0) always requires genesisBits', () => {
    expect(regtest.retargetInterval).toBe(0);
    const other = encodeCompact(decodeCompact(regtest.genesisBits) / 16n);
    for (const n of [1, 2, 20, 21, 40]) {
      for (const gap of [0, 1, 1000]) {
        expect(expectedBits(contextOf(evenHeaders(n, gap, other, regtest.genesis.timestamp)), regtest)).toBe(
          regtest.genesisBits,
        );
      }
    }
  });
});

// Sanity for the fixtures themselves: keys and addresses are what the rules derive.

describe('fixtures', () => {
  it('test keys are distinct and their addresses are the hash of their public keys', () => {
    const keys = [alice, bob, carol, minerKey];
    expect(new Set(keys.map((k) => toHex(k.address))).size).toBe(keys.length);
    for (const k of keys) expect(toHex(addressHashOf(k.publicKey))).toBe(toHex(k.address));
  });
});
