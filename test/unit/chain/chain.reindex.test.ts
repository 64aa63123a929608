/**
 * Chain.openAsync after a reindex (`resetChainState`): the stored blocks are connected again
 * from genesis with their aggregates verified on the verification service's worker threads,
 * never on this thread, and a stored block whose aggregate is bad is marked invalid.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BlsMultiThreadVerifier } from '../../../src/chain/bls/multithread.js';
import { Chain } from '../../../src/chain/chain.js';
import type { AsyncOpenOptions, ConnectProgress } from '../../../src/chain/chain.js';
import { blstBls } from '../../../src/crypto/blst.js';
import type { Bls } from '../../../src/crypto/interface.js';
import { COIN } from '../../../src/protocol/amount.js';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { decodeCompact, workForTarget } from '../../../src/protocol/pow.js';
import { BlockStatus } from '../../../src/store/interface.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { openTestChain, TEST_NOW } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** blst, except that every point check and pairing on this thread is counted and refused. */
function mainThreadBls(): { bls: Bls; calls: () => number } {
  let calls = 0;
  const refuse = (): never => {
    calls++;
    throw new Error('BLS point check or pairing on the main thread');
  };
  const bls: Bls = {
    ...blstBls,
    validatePublicKey: refuse,
    validateSignature: refuse,
    verify: refuse,
    aggregateVerify: refuse,
  };
  return { bls, calls: () => calls };
}

function setup(): { t: TestChain; verifier: BlsMultiThreadVerifier } {
  const t = openTestChain();
  const verifier = new BlsMultiThreadVerifier({ threads: 2 });
  cleanups.push(
    () => t.cleanup(),
    () => verifier.close(),
  );
  return { t, verifier };
}

/** Genesis, a block paying alice, then `n` blocks: every other one with two transfers from alice. */
function chainWithTransfers(n: number): { blocks: Block[]; withTransfers: number } {
  const blocks = [buildBlock(genesisBlock(regtest), { miner: alice.address })];
  let nonce = 0;
  let withTransfers = 0;
  for (let i = 0; i < n; i++) {
    const txs =
      i % 2 === 0
        ? [transfer(alice, bob.address, COIN, nonce++), transfer(alice, carol.address, 2n * COIN, nonce++)]
        : [];
    if (txs.length > 0) withTransfers++;
    blocks.push(buildBlock(blocks.at(-1)!, { txs }));
  }
  return { blocks, withTransfers };
}

/** Drops the chain state as `--reindex` does, then opens the chain again on the same store. */
function reindex(
  t: TestChain,
  verifier: BlsMultiThreadVerifier,
  bls: Bls,
  more: Partial<AsyncOpenOptions> = {},
): Promise<Chain> {
  t.store.resetChainState();
  return Chain.openAsync({ network: regtest, store: t.store, bls, now: () => TEST_NOW, verifier, ...more });
}

function storeOnly(t: TestChain, block: Block): void {
  const parent = t.store.getRecord(block.header.prevHash)!;
  const work = parent.cumulativeWork + workForTarget(decodeCompact(block.header.bits));
  t.store.putBlock(blockHash(block.header), block, encodeBlock(block), work, BlockStatus.stored);
}

describe('Chain.openAsync after a reindex', () => {
  it('connects every stored block again with the aggregates verified on the workers', async () => {
    const { t, verifier } = setup();
    const { blocks, withTransfers } = chainWithTransfers(9);
    for (const b of blocks) expect(t.chain.processBlock(b).status).toBe('connected');
    const before = {
      tip: toHex(t.chain.tip.hash),
      alice: t.chain.getAccount(alice.address),
      bob: t.chain.getAccount(bob.address),
      carol: t.chain.getAccount(carol.address),
    };
    expect(before.bob.balance).toBe(5n * COIN);

    const main = mainThreadBls();
    const progress: ConnectProgress[] = [];
    const chain = await reindex(t, verifier, main.bls, {
      verifyAhead: 4,
      progressEveryMs: 0,
      onProgress: (p) => progress.push(p),
    });

    expect({
      tip: toHex(chain.tip.hash),
      alice: chain.getAccount(alice.address),
      bob: chain.getAccount(bob.address),
      carol: chain.getAccount(carol.address),
    }).toEqual(before);
    for (const b of blocks) expect(chain.getRecord(blockHash(b.header))?.status).toBe(BlockStatus.valid);
    expect(withTransfers).toBe(5);
    expect(verifier.stats()).toMatchObject({ jobs: withTransfers, setsVerified: withTransfers });
    expect(main.calls()).toBe(0);
    expect(chain.lastSignaturePath).toBe('prechecked'); // the last block has transfers
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ done: true, height: blocks.length, targetHeight: blocks.length });
    expect(last.blocks).toBe(blocks.length);
    expect(progress.filter((p) => !p.done).map((p) => p.height)).toEqual(blocks.map((_, i) => i + 1));
  });

  it('marks a stored block with a bad aggregate invalid, with its descendants; the tip stays at its parent', async () => {
    const { t, verifier } = setup();
    const { blocks } = chainWithTransfers(2);
    for (const b of blocks) expect(t.chain.processBlock(b).status).toBe('connected');
    const parent = blocks.at(-1)!;
    const spends = [transfer(alice, bob.address, COIN, 2), transfer(alice, carol.address, COIN, 3)];
    // A valid signature, but not the sum of the block's: only a pairing can tell.
    const forged = buildBlock(parent, { txs: spends, aggregateSignature: spends[0]!.signature });
    const child = buildBlock(forged);
    storeOnly(t, forged);
    storeOnly(t, child);

    const main = mainThreadBls();
    const chain = await reindex(t, verifier, main.bls);

    expect(toHex(chain.tip.hash)).toBe(toHex(blockHash(parent.header)));
    expect(chain.getInvalid(blockHash(forged.header))?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(chain.getRecord(blockHash(child.header))?.status).toBe(BlockStatus.invalid);
    expect(main.calls()).toBe(0);
    // The forged block's transfers were never applied.
    expect(chain.getAccount(alice.address).nonce).toBe(2);
  });

  it('stops with the verifier’s transient error when it gives no verdict, keeping what it connected', async () => {
    const { t, verifier } = setup();
    const { blocks } = chainWithTransfers(3);
    for (const b of blocks) expect(t.chain.processBlock(b).status).toBe('connected');
    await verifier.close();
    await expect(reindex(t, verifier, blstBls)).rejects.toMatchObject({ code: 'WORKER_CLOSED', kind: 'transient' });
    // The block paying alice has no transfers: it connected before the first one that needed a verdict.
    expect(t.store.tip()?.height).toBe(1);
    for (const b of blocks.slice(1)) expect(t.store.getRecord(blockHash(b.header))?.status).toBe(BlockStatus.stored);
  });
});
