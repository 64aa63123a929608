/**
 * Issue 2's acceptance test: 50 blocks carrying 1,000 transfers from 20 senders, each
 * block with exactly one 96-byte aggregate signature, validated from a fresh store, then
 * reorganised onto a heavier branch and back, with balances equal to a plain replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { blockSubsidy } from '../../../src/protocol/rules/subsidy.js';
import { buildBlock, testKey } from '../../helpers/builder.js';
import { openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';
import { prng, randomTransfers, replay } from '../../helpers/replay.js';
import type { Ledger } from '../../helpers/replay.js';

const senders = Array.from({ length: 20 }, (_, i) => testKey(100 + i));
const genesis = genesisBlock(regtest);

/** Blocks on top of `base` (the chain so far, genesis first), each with the next `perBlock[i]` transfers. */
function grow(
  base: readonly Block[],
  perBlock: readonly number[],
  seed: number,
  minerIndex: (h: number) => number,
): Block[] {
  const rand = prng(seed);
  const ledger: Ledger = replay(base);
  const chain = [...base];
  for (const n of perBlock) {
    const parent = chain.at(-1)!;
    const txs = randomTransfers(senders, ledger, n, rand);
    const height = parent.header.height + 1;
    const miner = senders[minerIndex(height)]!;
    const block = buildBlock(parent, { txs, miner: miner.address });
    // Keep the model in step with the coinbase too.
    const m = ledger.get(toHex(miner.address)) ?? { balance: 0n, nonce: 0 };
    ledger.set(toHex(miner.address), { balance: m.balance + block.coinbase.amount, nonce: m.nonce });
    chain.push(block);
  }
  return chain.slice(base.length);
}

function expectStateEquals(t: TestChain, blocks: readonly Block[]): void {
  const expected = replay(blocks);
  expect(expected.size).toBeGreaterThanOrEqual(20);
  for (const [addr, acct] of expected) {
    const actual = t.chain.getAccount(Uint8Array.from(Buffer.from(addr.slice(2), 'hex')));
    expect({ addr, ...actual }).toEqual({ addr, ...acct });
  }
}

let t: TestChain;
afterEach(() => t?.cleanup());

describe('a 50-block chain with 1,000 transfers from 20 senders', () => {
  it('validates from a fresh store, reorgs onto a heavier branch and back, and matches a plain replay', () => {
    // Heights 1-20 fund each sender with one coinbase; 21-50 carry 1,000 transfers.
    const funding = grow([genesis], Array<number>(20).fill(0), 1, (h) => h - 1);
    const perBlock = Array.from({ length: 30 }, (_, i) => (i < 10 ? 34 : 33));
    expect(perBlock.reduce((a, b) => a + b, 0)).toBe(1000);
    const main = [genesis, ...funding, ...grow([genesis, ...funding], perBlock, 2, (h) => h % 20)];
    expect(main).toHaveLength(51);
    expect(main.reduce((n, b) => n + b.transactions.length, 0)).toBe(1000);
    const allSenders = new Set(main.flatMap((b) => b.transactions.map((tx) => toHex(tx.senderPublicKey))));
    expect(allSenders.size).toBe(20);
    for (const b of main.slice(1)) {
      expect(b.aggregateSignature).toHaveLength(SIGNATURE_LENGTH);
      expect(b.coinbase.amount).toBe(
        blockSubsidy(b.header.height, regtest) + b.transactions.reduce((n, tx) => n + tx.fee, 0n),
      );
    }

    t = openTestChain();
    for (const b of main.slice(1)) expect(t.chain.processBlock(encodeBlock(b)).status).toBe('connected');
    expect(t.chain.tip.height).toBe(50);
    expectStateEquals(t, main);

    // A heavier branch forks at height 35 with different transfers and miners: 16 blocks (36-51).
    const fork = main.slice(0, 36);
    const branch = grow(fork, Array<number>(16).fill(25), 3, (h) => (h * 7) % 20);
    let sawReorg = false;
    for (const b of branch) {
      const r = t.chain.processBlock(b);
      expect(r.error, r.error?.message).toBeUndefined();
      if (r.disconnected.length > 0) {
        sawReorg = true;
        expect(r.disconnected).toHaveLength(15);
        expect(r.connected).toHaveLength(16);
      }
    }
    expect(sawReorg).toBe(true);
    expect(t.chain.tip.height).toBe(51);
    expect(toHex(t.chain.tip.hash)).toBe(toHex(blockHash(branch.at(-1)!.header)));
    expectStateEquals(t, [...fork, ...branch]);

    // The first chain grows past it again: back to main, by two more blocks.
    const more = grow(main, [20, 20], 4, (h) => h % 20);
    for (const b of more) t.chain.processBlock(b);
    expect(t.chain.tip.height).toBe(52);
    expect(toHex(t.chain.tip.hash)).toBe(toHex(blockHash(more.at(-1)!.header)));
    expectStateEquals(t, [...main, ...more]);

    // And the state survives a restart.
    t = t.reopen();
    expect(t.chain.tip.height).toBe(52);
    expectStateEquals(t, [...main, ...more]);
  });
});
