/**
 * Chain.importBlock on the real verification service: a block's aggregate is checked on the
 * service's worker threads ahead of the connect, at 'block' priority, so a flood of transfers
 * waiting for verification delays other transfers, never a block.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlsMultiThreadVerifier } from '../../../src/chain/bls/multithread.js';
import { Chain } from '../../../src/chain/chain.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { connectMempoolToChain } from '../../../src/node/wiring.js';
import { HEADER_LENGTH, blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { COINBASE_LENGTH } from '../../../src/protocol/transaction.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { SqliteStore } from '../../../src/store/sqliteStore.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { TEST_NOW } from '../../helpers/chain.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open(opts: { workerDecodeMinTransfers?: number } = {}): {
  chain: Chain;
  pool: Mempool;
  verifier: BlsMultiThreadVerifier;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ourcoin-import-'));
  const store = new SqliteStore(join(dir, 'chain.sqlite'), regtest);
  // One thread: the order in which jobs run is the order of the service's queues.
  const verifier = new BlsMultiThreadVerifier({ threads: 1 });
  const chain = Chain.open({ network: regtest, store, bls: blstBls, now: () => TEST_NOW, verifier, ...opts });
  const pool = new Mempool({ chain, verifier });
  const detach = connectMempoolToChain(chain, pool);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
    () => verifier.close(),
    detach,
  );
  return { chain, pool, verifier };
}

describe('Chain.importBlock', () => {
  it('connects a block checked on the service, with the same verdicts as processBlock', async () => {
    const { chain, verifier } = open();
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect((await chain.importBlock(b1)).status).toBe('connected'); // no transfers: no pairing
    const spends = Array.from({ length: 20 }, (_, n) => transfer(alice, bob.address, 1n, n));
    const good = buildBlock(b1, { txs: spends });
    const forged = buildBlock(b1, { txs: spends, aggregateSignature: spends[0]!.signature, miner: carol.address });
    const refused = await chain.importBlock(forged);
    expect([refused.status, refused.error?.code]).toEqual(['rejected', 'BLOCK_BAD_AGGREGATE_SIGNATURE']);
    // Refused on its verdict before it was stored or connected, and remembered as invalid.
    expect(chain.getRecord(refused.hash)).toBeUndefined();
    expect(chain.getInvalid(refused.hash)?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(chain.tip.hash).toEqual(blockHash(b1.header));
    expect((await chain.importBlock(good)).status).toBe('connected');
    expect(chain.lastSignaturePath).toBe('prechecked');
    expect(verifier.stats().jobs).toBe(2);
  });

  it('refuses a block on a failed verdict computed ahead before the state rules (protocol 7.6)', async () => {
    const { chain } = open();
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect(chain.processBlock(b1).status).toBe('connected');
    // Breaks two rules: carol holds nothing (7.4) and the aggregate is wrong (7.5).
    const spends = [transfer(carol, bob.address, 1n, 0), transfer(carol, bob.address, 1n, 1)];
    const twice = buildBlock(b1, { txs: spends, aggregateSignature: spends[0]!.signature });
    expect((await chain.importBlock(twice)).error?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    // Without a verdict ahead, the state rule is met first when the block connects.
    const { chain: inThread } = open();
    expect(inThread.processBlock(b1).status).toBe('connected');
    expect(inThread.processBlock(twice).error?.code).toBe('TX_INSUFFICIENT_BALANCE');
  });

  it('takes the fast path for a block whose transfers the service verified on admission', async () => {
    const { chain, pool, verifier } = open();
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect(chain.processBlock(b1).status).toBe('connected');
    const spends = Array.from({ length: 30 }, (_, n) => transfer(alice, bob.address, 1n, n));
    expect((await pool.submit(spends)).every((r) => r.accepted)).toBe(true);
    expect(pool.entries().every((e) => e.signaturePoint?.length === 192)).toBe(true);
    const jobs = verifier.stats().jobs;
    // A forged aggregate is refused on the fast path (the sum of the known signatures differs).
    const forged = buildBlock(b1, { txs: spends, miner: carol.address, aggregateSignature: spends[1]!.signature });
    expect((await chain.importBlock(forged)).error?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    const block = buildBlock(b1, { txs: spends });
    expect((await chain.importBlock(block)).status).toBe('connected');
    // Summed from the verified points on this thread: no pairing, no job for the service.
    expect(chain.lastSignaturePath).toBe('fast');
    expect(verifier.stats().jobs).toBe(jobs);
  });

  it('keeps no verdict on a mutated copy: the real block still connects after it', async () => {
    const { chain, verifier } = open();
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect(chain.processBlock(b1).status).toBe('connected');
    const good = buildBlock(b1, { txs: Array.from({ length: 10 }, (_, n) => transfer(alice, bob.address, 1n, n)) });
    // Same header, another body: its signature set is wrong, and its hash is the real block's.
    const copy: Block = {
      ...good,
      transactions: [{ ...good.transactions[0]!, amount: 2n }, ...good.transactions.slice(1)],
    };
    const refused = await chain.importBlock(copy);
    expect([refused.error?.code, refused.error?.kind]).toEqual(['BLOCK_BAD_TX_ROOT', 'mutated']);
    expect(verifier.stats().jobs).toBe(0); // refused by the commitment, before any pairing
    expect((await chain.importBlock(good)).status).toBe('connected');
  });

  it('checks a block before the transfers of a flood that came first', async () => {
    const { chain, pool } = open();
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect(chain.processBlock(b1).status).toBe('connected');
    const block = buildBlock(b1, { txs: Array.from({ length: 50 }, (_, n) => transfer(alice, bob.address, 1n, n)) });

    // The flood: distinct transfers with a wrong signature, in batches, all waiting for the
    // service before the block arrives.
    const wrong = transfer(carol, bob.address, 1n, 0).signature;
    const order: string[] = [];
    const flood = Array.from({ length: 12 }, (_, b) =>
      pool
        .submit(
          Array.from({ length: 64 }, (_, i) => ({
            tx: transfer(carol, bob.address, BigInt(1 + b * 64 + i), 0).tx,
            signature: wrong,
          })),
        )
        .then(() => order.push('transfers')),
    );
    await new Promise((r) => setTimeout(r, 50)); // past the service's batching window
    const imported = chain.importBlock(block, 'block').then((r) => {
      order.push('block');
      return r;
    });
    const result = await imported;
    await Promise.all(flood);

    expect(result.status).toBe('connected');
    // Batches of the flood were still waiting when the block was done.
    expect(order.length - 1 - order.indexOf('block')).toBeGreaterThanOrEqual(8);
  });
});

describe('Chain.importBlock of a large block still encoded', () => {
  // 8 here instead of 1,024, so the blocks stay quick to sign.
  const large = { workerDecodeMinTransfers: 8 };

  function funded(): { chain: Chain; pool: Mempool; verifier: BlsMultiThreadVerifier; b1: Block } {
    const opened = open(large);
    const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
    expect(opened.chain.processBlock(b1).status).toBe('connected');
    return { ...opened, b1 };
  }

  it('refuses a wrong aggregate judged on a worker, marks it, and answers a repeat from the mark', async () => {
    const { chain, verifier, b1 } = funded();
    const spends = Array.from({ length: 20 }, (_, n) => transfer(alice, bob.address, 1n, n));
    const forged = buildBlock(b1, { txs: spends, aggregateSignature: spends[0]!.signature });
    const refused = await chain.importBlock(encodeBlock(forged));
    expect([refused.status, refused.error?.code]).toEqual(['rejected', 'BLOCK_BAD_AGGREGATE_SIGNATURE']);
    expect(chain.getRecord(refused.hash)).toBeUndefined();
    expect(chain.getInvalid(refused.hash)?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(verifier.stats().jobs).toBe(1);
    // The same block again: refused from its header's mark, with no second job.
    expect((await chain.importBlock(encodeBlock(forged))).error?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(verifier.stats().jobs).toBe(1);
  });

  it('refuses a mutated body without marking the header, which its real body then connects with', async () => {
    const { chain, verifier, b1 } = funded();
    const good = buildBlock(b1, { txs: Array.from({ length: 10 }, (_, n) => transfer(alice, bob.address, 1n, n)) });
    const mutated = encodeBlock(good);
    const at = HEADER_LENGTH + COINBASE_LENGTH + 4 + 60; // a byte of the first transfer's recipient
    mutated[at] = mutated[at]! ^ 1;
    const refused = await chain.importBlock(mutated);
    expect([refused.error?.code, refused.error?.kind]).toEqual(['BLOCK_BAD_TX_ROOT', 'mutated']);
    expect(chain.getInvalid(refused.hash)).toBeUndefined();
    const imported = await chain.importBlock(encodeBlock(good));
    expect(imported.status).toBe('connected');
    expect(chain.lastSignaturePath).toBe('prechecked');
    expect(verifier.stats().jobs).toBe(2);
  });

  it('keeps the fast path for a block whose transfers are all verified already', async () => {
    const { chain, pool, verifier, b1 } = funded();
    const spends = Array.from({ length: 12 }, (_, n) => transfer(alice, bob.address, 1n, n));
    expect((await pool.submit(spends)).every((r) => r.accepted)).toBe(true);
    const jobs = verifier.stats().jobs;
    expect((await chain.importBlock(encodeBlock(buildBlock(b1, { txs: spends })))).status).toBe('connected');
    expect(chain.lastSignaturePath).toBe('fast');
    expect(verifier.stats().jobs).toBe(jobs);
  });
});
