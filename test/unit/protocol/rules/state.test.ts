/**
 * State rules (src/protocol/rules/state.ts): applying a block to accounts.
 */
import { describe, expect, it } from 'vitest';
import { COIN } from '../../../../src/protocol/amount.js';
import type { Block } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { regtest } from '../../../../src/protocol/networks.js';
import type { RuleCodeValue } from '../../../../src/protocol/rules/codes.js';
import { EMPTY_ACCOUNT, applyBlockState } from '../../../../src/protocol/rules/state.js';
import type { Account, AccountReader } from '../../../../src/protocol/rules/state.js';
import { blockSubsidy } from '../../../../src/protocol/rules/subsidy.js';
import { alice, blockOf, bob, carol, expectRule, minerKey, tx } from '../../../helpers/rules.js';

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
