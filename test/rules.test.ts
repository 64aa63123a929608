/**
 * Consensus rules, one by one, as pure functions (no store, no chain): for every rule a
 * passing case and each way to break it, asserting the exact error code and kind.
 *
 * - header.ts: context-free (version, bits, proof of work) and contextual (height, retarget,
 *   median time past, future limit) checks, plus the retarget arithmetic itself.
 * - body.ts: commitments (kind `mutated`), size, coinbase fields, transfer fields, duplicates.
 * - state.ts / subsidy.ts: nonces, balances, coinbase limit, purity.
 * - signature.ts: the one aggregate signature per block, with blst and (a few cases) noble.
 */
import { describe, expect, it } from 'vitest';
import { blstBls } from '../src/crypto/blst.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../src/crypto/interface.js';
import type { Bls } from '../src/crypto/interface.js';
import { nobleBls } from '../src/crypto/noble.js';
import { addressHashOf } from '../src/protocol/address.js';
import { COIN, MAX_MONEY } from '../src/protocol/amount.js';
import { assembleBlock, withNonce } from '../src/protocol/assemble.js';
import { BLOCK_OVERHEAD, BLOCK_VERSION, blockHash, blockSize, blockTxids } from '../src/protocol/block.js';
import type { Block, BlockHeader } from '../src/protocol/block.js';
import { bytesEqual, toHex } from '../src/protocol/bytes.js';
import { OurCoinError } from '../src/errors.js';
import type { ErrorKind } from '../src/errors.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { ZERO_HASH } from '../src/protocol/hash.js';
import { devnet, regtest } from '../src/protocol/networks.js';
import type { NetworkParams } from '../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget } from '../src/protocol/pow.js';
import { checkBlockBody, checkTransferFields } from '../src/protocol/rules/body.js';
import type { RuleCodeValue } from '../src/protocol/rules/codes.js';
import {
  MEDIAN_TIME_SPAN,
  checkHeaderContextFree,
  checkHeaderContextual,
  expectedBits,
  medianTimePast,
} from '../src/protocol/rules/header.js';
import type { HeaderContext } from '../src/protocol/rules/header.js';
import { verifyBlockSignature } from '../src/protocol/rules/signature.js';
import { EMPTY_ACCOUNT, applyBlockState } from '../src/protocol/rules/state.js';
import type { Account, AccountReader } from '../src/protocol/rules/state.js';
import { blockSubsidy } from '../src/protocol/rules/subsidy.js';
import { aggregateSignature, signTransfer } from '../src/protocol/signing.js';
import { coinbaseTxid, transferTxid } from '../src/protocol/transaction.js';
import type { Coinbase, SignedTransfer, Transfer } from '../src/protocol/transaction.js';
import { solveBlock } from '../src/miner/solve.js';
import { testKey, transfer } from './helpers/builder.js';
import { g1CompressedWithX } from './helpers/curvePoints.js';
import type { TestKey } from './helpers/builder.js';

// ---------------------------------------------------------------- helpers

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const minerKey = testKey(4);

/** Runs `fn`, which must throw an OurCoinError, and returns it. */
function catchError(fn: () => unknown): OurCoinError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OurCoinError) return err;
    throw err;
  }
  throw new Error('expected an OurCoinError, but nothing was thrown');
}

/** Asserts `fn` fails with exactly `code` and `kind`. */
function expectRule(fn: () => unknown, code: RuleCodeValue, kind: ErrorKind = 'consensus'): OurCoinError {
  const err = catchError(fn);
  expect({ code: err.code, kind: err.kind }, err.message).toEqual({ code, kind });
  return err;
}

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
    nonce: 0,
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

/** An unsigned transfer (body and state rules never look at signatures). */
function tx(
  from: TestKey,
  to: Uint8Array,
  amount: bigint,
  nonce: number,
  fee = 1000n,
  network: NetworkParams = regtest,
): Transfer {
  return { chainId: network.chainId, senderPublicKey: from.publicKey, recipient: to, amount, fee, nonce };
}

interface BlockOptions {
  readonly height?: number;
  readonly network?: NetworkParams;
  readonly coinbase?: Partial<Coinbase>;
  readonly aggregate?: Uint8Array;
}

/** A block whose header commitments match its body (PoW not solved: body/state/signature rules ignore it). */
function blockOf(transactions: readonly Transfer[], opts: BlockOptions = {}): Block {
  const network = opts.network ?? regtest;
  const height = opts.height ?? 1;
  const fees = transactions.reduce((n, t) => n + t.fee, 0n);
  // Subsidy + fees by default, kept within MAX_MONEY so huge test fees still reach the transfer checks.
  const claim = blockSubsidy(height, network) + fees;
  return assembleBlock({
    version: BLOCK_VERSION,
    height,
    prevHash: ZERO_HASH,
    timestamp: network.genesis.timestamp + height,
    bits: network.genesisBits,
    nonce: 0,
    coinbase: {
      chainId: network.chainId,
      height,
      recipient: minerKey.address,
      amount: claim > MAX_MONEY ? MAX_MONEY : claim,
      ...opts.coinbase,
    },
    transactions,
    aggregateSignature: opts.aggregate ?? INFINITY_SIGNATURE,
  });
}

/** A block of signed transfers whose aggregate is the sum of their signatures (or `aggregate`). */
function signedBlock(signed: readonly SignedTransfer[], aggregate?: Uint8Array): Block {
  return blockOf(
    signed.map((s) => s.tx),
    {
      aggregate:
        aggregate ??
        aggregateSignature(
          signed.map((s) => s.signature),
          blstBls,
        ),
    },
  );
}

function transferTxidsOf(block: Block): Uint8Array[] {
  return blockTxids(block).slice(1);
}

/** In-memory account state keyed by hex address. */
class MemoryAccounts implements AccountReader {
  readonly map = new Map<string, Account>();
  reads = 0;

  constructor(entries: ReadonlyArray<readonly [Uint8Array, Account]> = []) {
    for (const [address, account] of entries) this.map.set(toHex(address), account);
  }

  getAccount(address: Uint8Array): Account {
    expect(address.length).toBe(20);
    this.reads++;
    return this.map.get(toHex(address)) ?? EMPTY_ACCOUNT;
  }

  snapshot(): [string, Account][] {
    return [...this.map.entries()].map(([k, v]) => [k, { ...v }]);
  }
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

  it('BLOCK_BAD_VERSION: any version but 1, checked before bits', () => {
    for (const version of [0, 2, 0xffff_ffff]) {
      expectRule(() => checkHeaderContextFree({ ...regGenesis.header, version }, regtest), 'BLOCK_BAD_VERSION');
    }
    expectRule(
      () => checkHeaderContextFree({ ...regGenesis.header, version: 2, bits: 0 }, regtest),
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
    let nonce = 0;
    while (hashMeetsTarget(blockHash(withNonce(block, nonce).header), target)) nonce++;
    expect(nonce).toBeLessThan(64);
    const bad = withNonce(block, nonce).header;
    expectRule(() => checkHeaderContextFree(bad, regtest), 'BLOCK_BAD_POW');
    // A devnet genesis with another nonce almost never meets devnet's target; pick one that doesn't.
    const g = genesisBlock(devnet);
    let n = g.header.nonce + 1;
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

// ---------------------------------------------------------------- body

describe('checkBlockBody', () => {
  const three = [
    tx(alice, bob.address, 5n * COIN, 0),
    tx(alice, carol.address, 1n, 1, 0n),
    tx(bob, alice.address, 7n, 0, 3n),
  ];

  it('accepts a block with transfers and returns its txids, coinbase first', () => {
    const block = blockOf(three);
    const txids = checkBlockBody(block, regtest);
    expect(txids.map(toHex)).toEqual([
      toHex(coinbaseTxid(block.coinbase)),
      ...three.map((t) => toHex(transferTxid(t))),
    ]);
    expect(checkBlockBody(blockOf([]), regtest).map(toHex)).toEqual([toHex(coinbaseTxid(blockOf([]).coinbase))]);
    // Fields at their limits.
    expect(() => checkBlockBody(blockOf([tx(alice, bob.address, MAX_MONEY, 0, 0n)]), regtest)).not.toThrow();
    expect(() => checkBlockBody(blockOf([tx(alice, bob.address, 1n, 0, MAX_MONEY - 1n)]), regtest)).not.toThrow();
    expect(() => checkBlockBody(blockOf([], { coinbase: { amount: MAX_MONEY } }), regtest)).not.toThrow();
    // Devnet too.
    expect(() =>
      checkBlockBody(blockOf([tx(alice, bob.address, 1n, 0, 1n, devnet)], { network: devnet }), devnet),
    ).not.toThrow();
  });

  it('BLOCK_BAD_TX_ROOT (mutated): the transactions differ from what the header commits to', () => {
    const block = blockOf(three);
    const swapped = { ...block, transactions: [three[0]!, tx(carol, bob.address, 9n, 0), three[2]!] };
    expectRule(() => checkBlockBody(swapped, regtest), 'BLOCK_BAD_TX_ROOT', 'mutated');
    const amount = { ...block, transactions: [three[0]!, { ...three[1]!, amount: 2n }, three[2]!] };
    expectRule(() => checkBlockBody(amount, regtest), 'BLOCK_BAD_TX_ROOT', 'mutated');
    const reordered = { ...block, transactions: [three[1]!, three[0]!, three[2]!] };
    expectRule(() => checkBlockBody(reordered, regtest), 'BLOCK_BAD_TX_ROOT', 'mutated');
    const dropped = { ...block, transactions: three.slice(0, 2) };
    expectRule(() => checkBlockBody(dropped, regtest), 'BLOCK_BAD_TX_ROOT', 'mutated');
    const coinbase = { ...block, coinbase: { ...block.coinbase, amount: block.coinbase.amount + 1n } };
    expectRule(() => checkBlockBody(coinbase, regtest), 'BLOCK_BAD_TX_ROOT', 'mutated');
    // Checked first: a block with every other fault still reports the commitment.
    const everything = {
      ...swapped,
      aggregateSignature: new Uint8Array(SIGNATURE_LENGTH).fill(1),
      coinbase: { ...block.coinbase, chainId: 0 },
    };
    expectRule(() => checkBlockBody(everything, { ...regtest, maxBlockBytes: 1 }), 'BLOCK_BAD_TX_ROOT', 'mutated');
  });

  it('BLOCK_BAD_SIGNATURE_HASH (mutated): the aggregate signature was replaced', () => {
    const signed = [transfer(alice, bob.address, 5n, 0), transfer(bob, carol.address, 6n, 0)];
    const block = signedBlock(signed);
    expect(() => checkBlockBody(block, regtest)).not.toThrow();
    const replaced = { ...block, aggregateSignature: signed[0]!.signature };
    expectRule(() => checkBlockBody(replaced, regtest), 'BLOCK_BAD_SIGNATURE_HASH', 'mutated');
    const infinity = { ...block, aggregateSignature: INFINITY_SIGNATURE };
    expectRule(() => checkBlockBody(infinity, regtest), 'BLOCK_BAD_SIGNATURE_HASH', 'mutated');
    const empty = blockOf([]);
    const emptyReplaced = { ...empty, aggregateSignature: signed[1]!.signature };
    expectRule(
      () => checkBlockBody(emptyReplaced, { ...regtest, maxBlockBytes: 1 }),
      'BLOCK_BAD_SIGNATURE_HASH',
      'mutated',
    );
  });

  it('BLOCK_TOO_LARGE: above the network limit, the limit itself passes', () => {
    const block = blockOf(three);
    const size = blockSize(block);
    expect(size).toBe(BLOCK_OVERHEAD + 3 * 97);
    expect(() => checkBlockBody(block, { ...regtest, maxBlockBytes: size })).not.toThrow();
    expectRule(() => checkBlockBody(block, { ...regtest, maxBlockBytes: size - 1 }), 'BLOCK_TOO_LARGE');
    expectRule(() => checkBlockBody(blockOf([]), { ...regtest, maxBlockBytes: BLOCK_OVERHEAD - 1 }), 'BLOCK_TOO_LARGE');
  });

  it('COINBASE_BAD_CHAIN_ID: a coinbase for another network', () => {
    expectRule(
      () => checkBlockBody(blockOf([], { coinbase: { chainId: devnet.chainId } }), regtest),
      'COINBASE_BAD_CHAIN_ID',
    );
    expectRule(() => checkBlockBody(blockOf([], { coinbase: { chainId: 0 } }), regtest), 'COINBASE_BAD_CHAIN_ID');
    expectRule(() => checkBlockBody(blockOf([]), devnet), 'COINBASE_BAD_CHAIN_ID');
  });

  it('COINBASE_BAD_HEIGHT: coinbase height differs from the header height', () => {
    expectRule(
      () => checkBlockBody(blockOf([], { height: 5, coinbase: { height: 4 } }), regtest),
      'COINBASE_BAD_HEIGHT',
    );
    expectRule(
      () => checkBlockBody(blockOf([], { height: 5, coinbase: { height: 6 } }), regtest),
      'COINBASE_BAD_HEIGHT',
    );
    expectRule(
      () => checkBlockBody(blockOf([], { height: 1, coinbase: { height: 0 } }), regtest),
      'COINBASE_BAD_HEIGHT',
    );
  });

  it('COINBASE_TOO_LARGE: a coinbase above MAX_MONEY is refused without state', () => {
    expectRule(
      () => checkBlockBody(blockOf([], { coinbase: { amount: MAX_MONEY + 1n } }), regtest),
      'COINBASE_TOO_LARGE',
    );
  });

  it('TX_BAD_CHAIN_ID: a transfer for another network', () => {
    const block = blockOf([three[0]!, tx(bob, alice.address, 1n, 0, 0n, devnet)]);
    expectRule(() => checkBlockBody(block, regtest), 'TX_BAD_CHAIN_ID');
    expectRule(() => checkTransferFields({ ...three[0]!, chainId: 0 }, regtest), 'TX_BAD_CHAIN_ID');
  });

  it('TX_BAD_AMOUNT: zero, above MAX_MONEY, or amount + fee above MAX_MONEY', () => {
    const bad: Transfer[] = [
      tx(alice, bob.address, 0n, 0),
      tx(alice, bob.address, 0n, 0, 0n),
      tx(alice, bob.address, MAX_MONEY + 1n, 0, 0n),
      tx(alice, bob.address, MAX_MONEY, 0, 1n),
      tx(alice, bob.address, 1n, 0, MAX_MONEY),
      tx(alice, bob.address, MAX_MONEY / 2n + 1n, 0, MAX_MONEY / 2n),
    ];
    for (const t of bad) {
      expectRule(() => checkBlockBody(blockOf([three[0]!, t]), regtest), 'TX_BAD_AMOUNT');
      expectRule(() => checkTransferFields(t, regtest), 'TX_BAD_AMOUNT');
    }
    expect(() => checkTransferFields(tx(alice, bob.address, 1n, 0, 0n), regtest)).not.toThrow();
    expect(() => checkTransferFields(tx(alice, bob.address, MAX_MONEY / 2n, 0, MAX_MONEY / 2n), regtest)).not.toThrow();
  });

  it('TX_BAD_FEE: a fee above MAX_MONEY', () => {
    const t = tx(alice, bob.address, 1n, 0, MAX_MONEY + 1n);
    expectRule(() => checkBlockBody(blockOf([t]), regtest), 'TX_BAD_FEE');
    expectRule(() => checkTransferFields(t, regtest), 'TX_BAD_FEE');
    expectRule(() => checkTransferFields({ ...t, fee: 2n ** 64n - 1n }, regtest), 'TX_BAD_FEE');
  });

  it('TX_DUPLICATE: the same transfer twice, adjacent or not', () => {
    expectRule(() => checkBlockBody(blockOf([three[0]!, three[0]!]), regtest), 'TX_DUPLICATE');
    expectRule(() => checkBlockBody(blockOf([...three, three[1]!]), regtest), 'TX_DUPLICATE');
    // Equal fields but another nonce is another transaction.
    expect(() => checkBlockBody(blockOf([three[0]!, { ...three[0]!, nonce: 1 }]), regtest)).not.toThrow();
  });
});

// ---------------------------------------------------------------- state

describe('applyBlockState', () => {
  const fee = 1000n;
  const subsidy1 = blockSubsidy(1, regtest);

  it('debits the sender, credits the recipient and the miner, returns the before values', () => {
    const state = new MemoryAccounts([
      [alice.address, { balance: 100n * COIN, nonce: 3 }],
      [minerKey.address, { balance: 5n, nonce: 9 }],
    ]);
    const block = blockOf([tx(alice, bob.address, 10n * COIN, 3, fee)]);
    const before = state.snapshot();
    const { changes, fees } = applyBlockState(block, state, regtest);
    expect(fees).toBe(fee);
    expect(changes.map((c) => ({ address: toHex(c.address), before: c.before, after: c.after }))).toEqual([
      {
        address: toHex(alice.address),
        before: { balance: 100n * COIN, nonce: 3 },
        after: { balance: 90n * COIN - fee, nonce: 4 },
      },
      { address: toHex(bob.address), before: EMPTY_ACCOUNT, after: { balance: 10n * COIN, nonce: 0 } },
      {
        address: toHex(minerKey.address),
        before: { balance: 5n, nonce: 9 },
        after: { balance: 5n + subsidy1 + fee, nonce: 9 },
      },
    ]);
    // Pure: the reader is untouched even on success.
    expect(state.snapshot()).toEqual(before);
  });

  it('an empty block only pays the miner', () => {
    const { changes, fees } = applyBlockState(blockOf([]), new MemoryAccounts(), regtest);
    expect(fees).toBe(0n);
    expect(changes).toHaveLength(1);
    expect(toHex(changes[0]!.address)).toBe(toHex(minerKey.address));
    expect(changes[0]!.after).toEqual({ balance: subsidy1, nonce: 0 });
  });

  it('a self-transfer costs only the fee and bumps the nonce', () => {
    const state = new MemoryAccounts([[alice.address, { balance: 50n, nonce: 0 }]]);
    const { changes } = applyBlockState(blockOf([tx(alice, alice.address, 40n, 0, 10n)]), state, regtest);
    expect(changes[0]!.after).toEqual({ balance: 40n, nonce: 1 });
    expect(changes).toHaveLength(2);
  });

  it('applies several transfers from one sender in nonce order', () => {
    const state = new MemoryAccounts([[alice.address, { balance: 1000n * COIN, nonce: 0 }]]);
    const ok = blockOf([tx(alice, bob.address, 1n, 0), tx(alice, carol.address, 2n, 1), tx(alice, bob.address, 3n, 2)]);
    const { changes, fees } = applyBlockState(ok, state, regtest);
    expect(fees).toBe(3n * fee);
    const byAddress = new Map(changes.map((c) => [toHex(c.address), c]));
    expect(byAddress.get(toHex(alice.address))!.after).toEqual({ balance: 1000n * COIN - 6n - 3n * fee, nonce: 3 });
    expect(byAddress.get(toHex(bob.address))!.after.balance).toBe(4n);
    expect(byAddress.get(toHex(carol.address))!.after.balance).toBe(2n);
    expect(changes.map((c) => toHex(c.address))).toEqual([alice, bob, carol, minerKey].map((k) => toHex(k.address)));

    const gap = blockOf([tx(alice, bob.address, 1n, 0), tx(alice, bob.address, 2n, 2)]);
    expectRule(() => applyBlockState(gap, state, regtest), 'TX_BAD_NONCE');
    const oneFirst = blockOf([tx(alice, bob.address, 1n, 1), tx(alice, bob.address, 2n, 0)]);
    expectRule(() => applyBlockState(oneFirst, state, regtest), 'TX_BAD_NONCE');
    const repeated = blockOf([tx(alice, bob.address, 1n, 0), tx(alice, carol.address, 1n, 0)]);
    expectRule(() => applyBlockState(repeated, state, regtest), 'TX_BAD_NONCE');
  });

  it('TX_BAD_NONCE: the nonce must equal the account nonce', () => {
    const state = new MemoryAccounts([[alice.address, { balance: COIN, nonce: 5 }]]);
    expect(() => applyBlockState(blockOf([tx(alice, bob.address, 1n, 5)]), state, regtest)).not.toThrow();
    for (const nonce of [0, 4, 6]) {
      expectRule(() => applyBlockState(blockOf([tx(alice, bob.address, 1n, nonce)]), state, regtest), 'TX_BAD_NONCE');
    }
    // A fresh account starts at 0.
    expectRule(
      () =>
        applyBlockState(
          blockOf([tx(bob, alice.address, 1n, 1)]),
          new MemoryAccounts([[bob.address, { balance: COIN, nonce: 0 }]]),
          regtest,
        ),
      'TX_BAD_NONCE',
    );
  });

  it('funds received earlier in a block can be spent later in it', () => {
    const state = new MemoryAccounts([[alice.address, { balance: 10n * COIN, nonce: 0 }]]);
    const block = blockOf([
      tx(alice, bob.address, 5n * COIN, 0),
      tx(bob, carol.address, 5n * COIN - fee, 0),
      tx(carol, alice.address, 5n * COIN - 2n * fee, 0),
    ]);
    const { changes } = applyBlockState(block, state, regtest);
    const after = new Map(changes.map((c) => [toHex(c.address), c.after]));
    expect(after.get(toHex(bob.address))).toEqual({ balance: 0n, nonce: 1 });
    expect(after.get(toHex(carol.address))).toEqual({ balance: 0n, nonce: 1 });
    expect(after.get(toHex(alice.address))).toEqual({ balance: 10n * COIN - 3n * fee, nonce: 1 });
    // The same transfers in the other order fail: bob has nothing yet.
    const reversed = blockOf([tx(bob, carol.address, 5n * COIN - fee, 0), tx(alice, bob.address, 5n * COIN, 0)]);
    expectRule(() => applyBlockState(reversed, state, regtest), 'TX_INSUFFICIENT_BALANCE');
  });

  it('TX_INSUFFICIENT_BALANCE: balance exactly amount + fee passes, one less fails', () => {
    const amount = 12_345n;
    const exact = new MemoryAccounts([[alice.address, { balance: amount + fee, nonce: 0 }]]);
    const { changes } = applyBlockState(blockOf([tx(alice, bob.address, amount, 0, fee)]), exact, regtest);
    expect(changes[0]!.after).toEqual({ balance: 0n, nonce: 1 });
    const short = new MemoryAccounts([[alice.address, { balance: amount + fee - 1n, nonce: 0 }]]);
    expectRule(
      () => applyBlockState(blockOf([tx(alice, bob.address, amount, 0, fee)]), short, regtest),
      'TX_INSUFFICIENT_BALANCE',
    );
    // The fee counts: enough for the amount alone is not enough.
    const noFee = new MemoryAccounts([[alice.address, { balance: amount, nonce: 0 }]]);
    expectRule(
      () => applyBlockState(blockOf([tx(alice, bob.address, amount, 0, fee)]), noFee, regtest),
      'TX_INSUFFICIENT_BALANCE',
    );
    // An unknown sender has nothing.
    expectRule(
      () => applyBlockState(blockOf([tx(carol, bob.address, 1n, 0, 0n)]), new MemoryAccounts(), regtest),
      'TX_INSUFFICIENT_BALANCE',
    );
    // A second transfer that overdraws what the first left.
    const two = new MemoryAccounts([[alice.address, { balance: 2n * (amount + fee) - 1n, nonce: 0 }]]);
    expectRule(
      () =>
        applyBlockState(
          blockOf([tx(alice, bob.address, amount, 0, fee), tx(alice, bob.address, amount, 1, fee)]),
          two,
          regtest,
        ),
      'TX_INSUFFICIENT_BALANCE',
    );
  });

  it('COINBASE_TOO_LARGE: at most subsidy + fees; exactly that or less passes', () => {
    const state = new MemoryAccounts([[alice.address, { balance: COIN, nonce: 0 }]]);
    const txs = [tx(alice, bob.address, 1n, 0, 700n), tx(alice, bob.address, 1n, 1, 300n)];
    const allowed = subsidy1 + 1000n;
    const exact = applyBlockState(blockOf(txs, { coinbase: { amount: allowed } }), state, regtest);
    expect(exact.changes.at(-1)!.after.balance).toBe(allowed);
    expectRule(
      () => applyBlockState(blockOf(txs, { coinbase: { amount: allowed + 1n } }), state, regtest),
      'COINBASE_TOO_LARGE',
    );
    const less = applyBlockState(blockOf(txs, { coinbase: { amount: 17n } }), state, regtest);
    expect(less.changes.at(-1)!.after.balance).toBe(17n);
    expect(less.fees).toBe(1000n);
    expect(() => applyBlockState(blockOf([], { coinbase: { amount: 0n } }), state, regtest)).not.toThrow();
    expectRule(
      () => applyBlockState(blockOf([], { coinbase: { amount: subsidy1 + 1n } }), state, regtest),
      'COINBASE_TOO_LARGE',
    );
    // The subsidy of the block's own height: after the first halving it is 25 OUR.
    expect(() =>
      applyBlockState(blockOf([], { height: 150, coinbase: { amount: 25n * COIN } }), state, regtest),
    ).not.toThrow();
    expectRule(
      () => applyBlockState(blockOf([], { height: 150, coinbase: { amount: 25n * COIN + 1n } }), state, regtest),
      'COINBASE_TOO_LARGE',
    );
  });

  it('the coinbase cannot be spent in its own block', () => {
    const state = new MemoryAccounts();
    const block = blockOf([tx(minerKey, alice.address, 1n, 0, 0n)]);
    expect(block.coinbase.amount).toBe(subsidy1);
    expectRule(() => applyBlockState(block, state, regtest), 'TX_INSUFFICIENT_BALANCE');
  });

  it('leaves the reader untouched on failure', () => {
    const state = new MemoryAccounts([
      [alice.address, { balance: 10n * COIN, nonce: 0 }],
      [bob.address, { balance: 3n, nonce: 2 }],
    ]);
    const before = state.snapshot();
    const failures: Array<[Block, RuleCodeValue]> = [
      [blockOf([tx(alice, bob.address, COIN, 0), tx(alice, carol.address, COIN, 2)]), 'TX_BAD_NONCE'],
      [blockOf([tx(alice, bob.address, COIN, 0), tx(bob, carol.address, 2n * COIN, 2)]), 'TX_INSUFFICIENT_BALANCE'],
      [blockOf([tx(alice, bob.address, COIN, 0)], { coinbase: { amount: subsidy1 + 1001n } }), 'COINBASE_TOO_LARGE'],
    ];
    for (const [block, code] of failures) {
      expectRule(() => applyBlockState(block, state, regtest), code);
      expect(state.snapshot()).toEqual(before);
    }
    expect(state.reads).toBeGreaterThan(0);
  });
});

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

// ---------------------------------------------------------------- signature

describe('verifyBlockSignature', () => {
  const a0 = transfer(alice, bob.address, 5n, 0);
  const a1 = transfer(alice, carol.address, 6n, 1);
  const b0 = transfer(bob, carol.address, 7n, 0);
  const c0 = transfer(carol, alice.address, 8n, 0);
  const signed = [a0, a1, b0];
  const block = signedBlock(signed);
  const verify = (b: Block, bls: Bls = blstBls): void => verifyBlockSignature(b, transferTxidsOf(b), bls);
  const withAggregate = (b: Block, aggregate: Uint8Array): Block => blockOf(b.transactions, { aggregate });

  it('accepts a block whose aggregate covers exactly its transfers (one sender twice is fine)', () => {
    expect(() => checkBlockBody(block, regtest)).not.toThrow();
    expect(() => verify(block)).not.toThrow();
    expect(() => verify(signedBlock([c0]))).not.toThrow();
    // Aggregation is a sum: the order of the signatures does not matter.
    expect(() =>
      verify(signedBlock(signed, aggregateSignature([b0.signature, a0.signature, a1.signature], blstBls))),
    ).not.toThrow();
  });

  it('zero transfers: the infinity aggregate passes, anything else is BLOCK_BAD_EMPTY_SIGNATURE', () => {
    const empty = blockOf([]);
    expect(() => verify(empty)).not.toThrow();
    const nonCanonicalInfinity = new Uint8Array(SIGNATURE_LENGTH);
    nonCanonicalInfinity[0] = 0xe0;
    const infinityWithBit = INFINITY_SIGNATURE.slice();
    infinityWithBit[95] = 1;
    for (const aggregate of [
      a0.signature,
      block.aggregateSignature,
      nonCanonicalInfinity,
      infinityWithBit,
      new Uint8Array(SIGNATURE_LENGTH),
    ]) {
      expectRule(() => verify(blockOf([], { aggregate })), 'BLOCK_BAD_EMPTY_SIGNATURE');
    }
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a forged aggregate of other signatures', () => {
    const other = transfer(alice, bob.address, 5n, 7);
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([other.signature, a1.signature, b0.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([c0.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    // A valid signature of one transfer alone is not the aggregate of three.
    expectRule(() => verify(withAggregate(block, a0.signature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    // Not a curve point at all.
    expectRule(
      () => verify(withAggregate(block, new Uint8Array(SIGNATURE_LENGTH).fill(0xaa))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: an aggregate covering one transfer fewer or one more', () => {
    expectRule(
      () => verify(withAggregate(block, aggregateSignature([a0.signature, a1.signature], blstBls))),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expectRule(
      () =>
        verify(
          withAggregate(
            block,
            aggregateSignature(
              [...signed, c0].map((s) => s.signature),
              blstBls,
            ),
          ),
        ),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: the infinity aggregate with transfers', () => {
    expectRule(() => verify(withAggregate(block, INFINITY_SIGNATURE)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
  });

  it('TX_BAD_PUBLIC_KEY: the G1 infinity point, a point off the curve, a point outside the subgroup', () => {
    const infinityKey = new Uint8Array(PUBLIC_KEY_LENGTH);
    infinityKey[0] = 0xc0;
    const offCurve = g1CompressedWithX(false);
    const offSubgroup = g1CompressedWithX(true);
    for (const pk of [infinityKey, offCurve, offSubgroup]) {
      const forged = { ...c0.tx, senderPublicKey: pk };
      // The aggregate is irrelevant: the key is refused first.
      expectRule(() => verify(blockOf([forged], { aggregate: c0.signature })), 'TX_BAD_PUBLIC_KEY');
      expectRule(() => verify(blockOf([a0.tx, forged], { aggregate: INFINITY_SIGNATURE })), 'TX_BAD_PUBLIC_KEY');
    }
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a signature made over another chain id', () => {
    const devTx = transfer(alice, bob.address, 5n, 0, 1000n, devnet);
    const regTx = { ...devTx.tx, chainId: regtest.chainId };
    const b = blockOf([regTx], { aggregate: devTx.signature });
    expect(() => checkBlockBody(b, regtest)).not.toThrow();
    expectRule(() => verify(b), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    // The devnet transfer with its own signature is fine on its own terms.
    expect(() =>
      verifyBlockSignature(
        blockOf([devTx.tx], { network: devnet, aggregate: devTx.signature }),
        [transferTxid(devTx.tx)],
        blstBls,
      ),
    ).not.toThrow();
  });

  it('BLOCK_BAD_AGGREGATE_SIGNATURE: a transfer moved to another block with the old aggregate', () => {
    const blockA = signedBlock([a0, b0]);
    const blockB = signedBlock([b0, c0]); // b0 also appears in B, correctly re-aggregated
    expect(() => verify(blockA)).not.toThrow();
    expect(() => verify(blockB)).not.toThrow();
    expectRule(() => verify(withAggregate(blockB, blockA.aggregateSignature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
    expectRule(() => verify(withAggregate(blockA, blockB.aggregateSignature)), 'BLOCK_BAD_AGGREGATE_SIGNATURE');
  });

  it('uses the txids it is given: a wrong txid list fails', () => {
    const txids = transferTxidsOf(block);
    // Pairs alice's key with bob's transfer and vice versa. (Swapping a0 and a1 would not fail:
    // both are alice's, so the set of (key, message) pairs, and thus the sum, is unchanged.)
    expectRule(
      () => verifyBlockSignature(block, [txids[2]!, txids[1]!, txids[0]!], blstBls),
      'BLOCK_BAD_AGGREGATE_SIGNATURE',
    );
    expect(() => verifyBlockSignature(block, [txids[1]!, txids[0]!, txids[2]!], blstBls)).not.toThrow();
  });

  it('gives the same verdicts with the noble backend (small blocks)', () => {
    const small = signedBlock([a0, b0]);
    const single = signedBlock([c0]);
    const infinityKey = new Uint8Array(PUBLIC_KEY_LENGTH);
    infinityKey[0] = 0xc0;
    const cases: Array<[string, Block, RuleCodeValue | 'ok']> = [
      ['valid 2', small, 'ok'],
      ['valid 1', single, 'ok'],
      ['empty', blockOf([]), 'ok'],
      ['empty with a signature', blockOf([], { aggregate: c0.signature }), 'BLOCK_BAD_EMPTY_SIGNATURE'],
      ['aggregate of another block', withAggregate(small, single.aggregateSignature), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      ['one signature fewer', withAggregate(small, a0.signature), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      [
        'one signature more',
        withAggregate(small, aggregateSignature([a0.signature, b0.signature, c0.signature], blstBls)),
        'BLOCK_BAD_AGGREGATE_SIGNATURE',
      ],
      ['infinity aggregate', withAggregate(small, INFINITY_SIGNATURE), 'BLOCK_BAD_AGGREGATE_SIGNATURE'],
      [
        'infinity key',
        blockOf([{ ...c0.tx, senderPublicKey: infinityKey }], { aggregate: c0.signature }),
        'TX_BAD_PUBLIC_KEY',
      ],
      [
        'key off the curve',
        blockOf([{ ...c0.tx, senderPublicKey: g1CompressedWithX(false) }], { aggregate: c0.signature }),
        'TX_BAD_PUBLIC_KEY',
      ],
    ];
    const verdict = (b: Block, bls: Bls): string => {
      try {
        verify(b, bls);
        return 'ok';
      } catch (err) {
        if (err instanceof OurCoinError) return `${err.code}/${err.kind}`;
        throw err;
      }
    };
    for (const [name, b, expected] of cases) {
      const want = expected === 'ok' ? 'ok' : `${expected}/consensus`;
      expect(verdict(b, blstBls), `blst: ${name}`).toBe(want);
      expect(verdict(b, nobleBls), `noble: ${name}`).toBe(want);
    }
    // noble signs the same bytes as blst (deterministic BLS).
    const nobleSigned = signTransfer(a0.tx, alice.secretKey, nobleBls);
    expect(bytesEqual(nobleSigned.signature, a0.signature)).toBe(true);
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
