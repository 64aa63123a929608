/**
 * Block body rules (src/protocol/rules/body.ts): one test per rule code.
 */
import { describe, expect, it } from 'vitest';
import { INFINITY_SIGNATURE, SIGNATURE_LENGTH } from '../../../../src/crypto/interface.js';
import { COIN, MAX_MONEY } from '../../../../src/protocol/amount.js';
import { BLOCK_OVERHEAD, blockSize } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { devnet, regtest } from '../../../../src/protocol/networks.js';
import { checkBlockBody, checkTransferFields } from '../../../../src/protocol/rules/body.js';
import { coinbaseTxid, transferTxid } from '../../../../src/protocol/transaction.js';
import type { Transfer } from '../../../../src/protocol/transaction.js';
import { transfer } from '../../../helpers/builder.js';
import { alice, blockOf, bob, carol, expectRule, signedBlock, tx } from '../../../helpers/rules.js';

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

  it('TX_BAD_FEE: a fee above MAX_MONEY, with a valid amount (the fee row of 7.3 comes before amount + fee)', () => {
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
