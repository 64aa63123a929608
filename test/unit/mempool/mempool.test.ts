/**
 * Mempool: admission rules and codes, batching, nonce chains, replace-by-fee and its budgets,
 * eviction by count and bytes, templates, chain events (and the nonce window after a reorg),
 * persistence; and the import fast path agreeing with the full check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blstBls } from '../../../src/crypto/blst.js';
import { INFINITY_SIGNATURE } from '../../../src/crypto/interface.js';
import { MEMPOOL_ENTRY_BYTES, SIGNATURE_POINT_BYTES } from '../../../src/mempool/interface.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { connectMempoolToChain } from '../../../src/node/wiring.js';
import type { BlsVerifier } from '../../../src/chain/bls/interface.js';
import { BlsMultiThreadVerifier } from '../../../src/chain/bls/multithread.js';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { buildTemplate } from '../../../src/miner/template.js';
import { solveBlock } from '../../../src/miner/solve.js';
import { assembleBlock } from '../../../src/protocol/assemble.js';
import { COIN } from '../../../src/protocol/amount.js';
import { BLOCK_VERSION, blockHash } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { transferTxid } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { TEST_NOW, openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const miner = testKey(4);
const genesis = genesisBlock(regtest);

let t: TestChain;
let pool: Mempool;
let detach: (() => void) | undefined;
let verifier: BlsVerifier;
let tip: Block;
let funding: Block[];
afterEach(async () => {
  detach?.();
  await verifier?.close();
  t?.cleanup();
});

/** A chain where alice and bob each mined one block (50 OUR each), and a pool on it. */
function setup(limits = {}, v: BlsVerifier = new BlsSingleThreadVerifier()): void {
  t = openTestChain();
  const b1 = buildBlock(genesis, { miner: alice.address });
  const b2 = buildBlock(b1, { miner: bob.address });
  for (const b of [b1, b2]) expect(t.chain.processBlock(b).status).toBe('connected');
  tip = b2;
  funding = [b1, b2];
  verifier = v;
  pool = new Mempool({ chain: t.chain, verifier, store: t.store.mempoolStore(), limits });
  detach = connectMempoolToChain(t.chain, pool);
}

async function submitOne(stx: SignedTransfer): Promise<string | undefined> {
  const [r] = await pool.submit([stx]);
  return r!.accepted ? undefined : r!.error.code;
}

function mineTemplate(max?: number): Block {
  const { block } = buildTemplate({
    chain: t.chain,
    mempool: pool,
    bls: blstBls,
    minerAddress: miner.address,
    now: TEST_NOW,
    maxTransfers: max,
  });
  const solved = solveBlock(block)!;
  const r = t.chain.processBlock(solved);
  expect(r.error?.message).toBeUndefined();
  tip = solved;
  return solved;
}

describe('mempool admission', () => {
  it('accepts a valid transfer and tracks the sender chain', async () => {
    setup();
    const s = transfer(alice, bob.address, 5n * COIN, 0);
    expect(await submitOne(s)).toBeUndefined();
    expect(pool.size).toBe(1);
    expect(pool.get(transferTxid(s.tx))?.signature).toEqual(s.signature);
    expect(pool.nextNonce(alice.address)).toBe(1);
  });

  it('refuses each broken rule with its code', async () => {
    setup({ minFee: 500n, maxNonceGap: 4 });
    const ok = transfer(alice, bob.address, 1n * COIN, 0);
    expect(await submitOne(ok)).toBeUndefined();
    expect(await submitOne(ok)).toBe('MEMPOOL_DUPLICATE');
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 1, 499n))).toBe('MEMPOOL_FEE_TOO_LOW');
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 5))).toBe('MEMPOOL_NONCE_TOO_HIGH');
    expect(await submitOne(transfer(alice, bob.address, 60n * COIN, 1))).toBe('MEMPOOL_INSUFFICIENT_BALANCE');
    // The balance check counts the pending transfer too: 49 + 1 + fees > 50.
    expect(await submitOne(transfer(alice, bob.address, 49n * COIN, 1))).toBe('MEMPOOL_INSUFFICIENT_BALANCE');
    expect(await submitOne(transfer(alice, bob.address, 0n, 1))).toBe('TX_BAD_AMOUNT');
    expect(await submitOne(transfer(alice, bob.address, 1n, 1, 1000n, devnet))).toBe('TX_BAD_CHAIN_ID');
    const wrongSig = {
      tx: transfer(alice, bob.address, 2n, 1).tx,
      signature: transfer(alice, bob.address, 3n, 1).signature,
    };
    expect(await submitOne(wrongSig)).toBe('TX_BAD_SIGNATURE');
    expect(await submitOne({ tx: transfer(alice, bob.address, 2n, 1).tx, signature: INFINITY_SIGNATURE })).toBe(
      'TX_BAD_SIGNATURE',
    );
    const infinityKey = new Uint8Array(48);
    infinityKey[0] = 0xc0;
    const badKey = { tx: { ...ok.tx, senderPublicKey: infinityKey, nonce: 1 }, signature: ok.signature };
    expect(await submitOne(badKey)).toBe('TX_BAD_PUBLIC_KEY');
    expect(pool.size).toBe(1);
    // After it is mined, the same transfer is "already confirmed", a lower nonce "too low".
    mineTemplate();
    expect(await submitOne(ok)).toBe('MEMPOOL_ALREADY_CONFIRMED');
    expect(await submitOne(transfer(alice, carol.address, 7n, 0))).toBe('MEMPOOL_NONCE_TOO_LOW');
  });

  it.each([
    ['inline', () => new BlsSingleThreadVerifier()],
    ['worker threads', () => new BlsMultiThreadVerifier({ threads: 2, maxJobSets: 8, minJobSets: 4 })],
  ])('refuses only the bad signatures of a batch (%s)', async (_name, make) => {
    setup({}, make());
    const batch: SignedTransfer[] = [];
    for (let n = 0; n < 20; n++)
      batch.push(transfer(n % 2 === 0 ? alice : bob, carol.address, 1000n + BigInt(n), Math.floor(n / 2)));
    // Break two signatures: swap in another transfer's signature.
    batch[5] = { tx: batch[5]!.tx, signature: batch[6]!.signature };
    batch[12] = { tx: batch[12]!.tx, signature: batch[0]!.signature };
    const results = await pool.submit(batch);
    const refused = results.flatMap((r, i) => (r.accepted ? [] : [[i, r.error.code]]));
    // Index 5 is bob's nonce 2: with it refused, bob's later nonces wait in the chain.
    expect(refused).toEqual([
      [5, 'TX_BAD_SIGNATURE'],
      [12, 'TX_BAD_SIGNATURE'],
    ]);
    expect(pool.size).toBe(18);
    // Every transfer's signature was checked by the verifier, none twice.
    expect(verifier.stats().setsVerified).toBe(20);
  });
});

describe('junk from outside', () => {
  it('refuses the same junk batch again with the same codes, without a second verification', async () => {
    const service = new BlsMultiThreadVerifier({ threads: 1 });
    setup({}, service);
    // Distinct transfers (amounts differ), each carrying one and the same wrong signature.
    const wrong = transfer(bob, carol.address, 1n, 0).signature;
    const junk = Array.from({ length: 40 }, (_, i) => ({
      tx: transfer(alice, carol.address, 1000n + BigInt(i), 0).tx,
      signature: wrong,
    }));
    const codes = async (): Promise<(string | undefined)[]> =>
      (await pool.submit(junk)).map((r) => (r.accepted ? undefined : r.error.code));
    expect(await codes()).toEqual(junk.map(() => 'TX_BAD_SIGNATURE'));
    const afterFirst = service.stats();
    expect(afterFirst.setsVerified).toBe(40);
    expect(await codes()).toEqual(junk.map(() => 'TX_BAD_SIGNATURE'));
    const afterSecond = service.stats();
    // The verdict cache answered: no new job, no set verified again.
    expect(afterSecond.jobs).toBe(afterFirst.jobs);
    expect(afterSecond.setsVerified).toBe(40);
    expect(afterSecond.cacheHits - afterFirst.cacheHits).toBe(40);
    expect(pool.size).toBe(0);
  });

  it("refuses a source's transfers past its bound MEMPOOL_BUSY (kind busy), and admits them once it has room", async () => {
    const service = new BlsMultiThreadVerifier({ threads: 1, maxQueuedPerSource: 2 });
    setup({}, service);
    const batch = [0, 1, 2, 3].map((nonce) => transfer(alice, carol.address, 1000n, nonce));
    const first = await pool.submit(batch, { source: '192.0.2.7' });
    expect(first.map((r) => (r.accepted ? 'accepted' : `${r.error.code} ${r.error.kind}`))).toEqual([
      'accepted',
      'accepted',
      'MEMPOOL_BUSY busy',
      'MEMPOOL_BUSY busy',
    ]);
    expect(pool.size).toBe(2);
    // Nothing about the refused ones was remembered: sent again, they are admitted.
    const again = await pool.submit(batch.slice(2), { source: '192.0.2.7' });
    expect(again.every((r) => r.accepted)).toBe(true);
    expect(pool.size).toBe(4);
  });
});

describe('nonce chains, replacement, eviction', () => {
  it('lets nonce n+1 wait for n, and only mines contiguous chains', async () => {
    setup();
    const n1 = transfer(alice, bob.address, 1n * COIN, 1);
    expect(await submitOne(n1)).toBeUndefined();
    expect(pool.selectForBlock(100)).toHaveLength(0);
    expect(pool.nextNonce(alice.address)).toBe(0);
    const n0 = transfer(alice, bob.address, 1n * COIN, 0);
    expect(await submitOne(n0)).toBeUndefined();
    expect(pool.selectForBlock(100).map((e) => e.tx.nonce)).toEqual([0, 1]);
    expect(pool.nextNonce(alice.address)).toBe(2);
  });

  it('orders a template by fee across senders, keeping each sender in nonce order', async () => {
    setup();
    await pool.submit([
      transfer(alice, carol.address, 1n, 0, 1000n),
      transfer(alice, carol.address, 1n, 1, 9000n),
      transfer(bob, carol.address, 1n, 0, 5000n),
      transfer(bob, carol.address, 1n, 1, 2000n),
    ]);
    const picked = pool.selectForBlock(10).map((e) => [e.tx.fee, e.tx.nonce]);
    // Greedy by the best ready head: bob's 5000, then bob's 2000 beats alice's 1000 (her 9000
    // waits behind it: no child-pays-for-parent), then alice's 1000 and 9000.
    expect(picked).toEqual([
      [5000n, 0],
      [2000n, 1],
      [1000n, 0],
      [9000n, 1],
    ]);
    expect(pool.selectForBlock(2)).toHaveLength(2);
  });

  it('replaces a pending transfer only for a higher fee', async () => {
    setup();
    const first = transfer(alice, bob.address, 1n * COIN, 0, 2000n);
    expect(await submitOne(first)).toBeUndefined();
    expect(await submitOne(transfer(alice, carol.address, 1n * COIN, 0, 2000n))).toBe(
      'MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
    );
    const better = transfer(alice, carol.address, 1n * COIN, 0, 3000n);
    const [r] = await pool.submit([better]);
    expect(r!.accepted && toHex(r!.replaced!)).toBe(toHex(transferTxid(first.tx)));
    expect(pool.size).toBe(1);
    expect(pool.get(transferTxid(first.tx))).toBeUndefined();
  });

  it('evicts the lowest-fee chain end when full, and refuses what pays no more', async () => {
    setup({ maxTransactions: 3 });
    await pool.submit([
      transfer(alice, carol.address, 1n, 0, 1000n),
      transfer(alice, carol.address, 1n, 1, 9000n),
      transfer(bob, carol.address, 1n, 0, 2000n),
    ]);
    expect(pool.size).toBe(3);
    // Chain ends: alice's nonce 1 (9000) and bob's nonce 0 (2000), which bob's own nonce 1
    // may not evict (it would lose its predecessor).
    expect(await submitOne(transfer(bob, carol.address, 1n, 1, 1500n))).toBe('MEMPOOL_FULL');
    const rich = transfer(testKey(4), carol.address, 1n, 0, 50_000n);
    expect(await submitOne(rich)).toBe('MEMPOOL_INSUFFICIENT_BALANCE');
    expect(await submitOne(transfer(bob, carol.address, 1n, 1, 2500n))).toBe('MEMPOOL_FULL');
    // alice's nonce 2 at 3000 pays more than bob's 2000 chain end: bob's goes.
    const c = transfer(alice, carol.address, 1n, 2, 3000n);
    expect(await submitOne(c)).toBeUndefined();
    expect(pool.size).toBe(3);
    expect(pool.pendingFrom(bob.address)).toHaveLength(0);
    expect(pool.pendingFrom(alice.address).map((e) => e.tx.nonce)).toEqual([0, 1, 2]);
  });
});

describe('replacement policy', () => {
  it('refuses a storm of one-unit bumps after the first transfer, before checking their signatures', async () => {
    setup();
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 0, 1000n))).toBeUndefined();
    const refusals = new Set<string>();
    for (let bump = 1n; bump < 300n; bump++) {
      const [r] = await pool.submit([transfer(alice, bob.address, 1n * COIN, 0, 1000n + bump)], {
        source: '192.0.2.7',
      });
      refusals.add(r!.accepted ? 'accepted' : `${r!.error.code}: ${r!.error.message}`);
    }
    // Every bump was short of 1000 + max(10%, the 1000 minimum fee), and the message says so.
    expect([...refusals]).toEqual([
      'MEMPOOL_REPLACEMENT_FEE_TOO_LOW: a transfer with nonce 0 is pending with fee 1000; a replacement must pay at least 2000',
    ]);
    // Refused on this thread: only the first transfer's signature was ever verified.
    expect(verifier.stats().setsVerified).toBe(1);
    expect(pool.pendingFrom(alice.address).map((e) => e.tx.fee)).toEqual([1000n]);
  });

  it('asks the old fee plus the larger of 10% of it and the minimum fee', async () => {
    setup();
    const codeOf = async (fee: bigint): Promise<string | undefined> =>
      submitOne(transfer(alice, carol.address, 1n * COIN, 0, fee));
    expect(await codeOf(20_000n)).toBeUndefined();
    expect(await codeOf(21_999n)).toBe('MEMPOOL_REPLACEMENT_FEE_TOO_LOW');
    expect(await codeOf(22_000n)).toBeUndefined();
    expect(await codeOf(2_000n)).toBe('MEMPOOL_REPLACEMENT_FEE_TOO_LOW');
    // Below 10,000 the minimum fee is the larger increment.
    expect(await submitOne(transfer(bob, carol.address, 1n * COIN, 0, 5_000n))).toBeUndefined();
    expect(await submitOne(transfer(bob, carol.address, 1n * COIN, 0, 5_999n))).toBe('MEMPOOL_REPLACEMENT_FEE_TOO_LOW');
    expect(await submitOne(transfer(bob, carol.address, 1n * COIN, 0, 6_000n))).toBeUndefined();
  });

  it('admits a batch of 1,000 replacements only up to the sender budget, which a new block renews', async () => {
    setup();
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 0, 1000n))).toBeUndefined();
    // Each pays 1000 more than the one before: enough while the fees stay at or below 10,000.
    const batch = Array.from({ length: 1000 }, (_, i) =>
      transfer(alice, bob.address, 1n * COIN, 0, 2000n + 1000n * BigInt(i)),
    );
    const results = await pool.submit(batch, { source: '192.0.2.7' });
    const codes = results.map((r) => (r.accepted ? 'accepted' : r.error.code));
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('accepted'));
    expect(new Set(codes.slice(10))).toEqual(new Set(['MEMPOOL_TOO_MANY_REPLACEMENTS']));
    expect(pool.pendingFrom(alice.address).map((e) => e.tx.fee)).toEqual([11_000n]);
    // One at a time now: refused before its signature is checked.
    const before = verifier.stats().setsVerified;
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 0, 50_000n))).toBe('MEMPOOL_TOO_MANY_REPLACEMENTS');
    expect(verifier.stats().setsVerified).toBe(before);
    // Another sender's budget is its own.
    expect(await submitOne(transfer(bob, carol.address, 1n, 0, 1000n))).toBeUndefined();
    expect(await submitOne(transfer(bob, carol.address, 1n, 0, 2000n))).toBeUndefined();
    // A block (without alice's transfer) renews the budget.
    const next = buildBlock(tip, { miner: carol.address });
    expect(t.chain.processBlock(next).status).toBe('connected');
    expect(await submitOne(transfer(alice, bob.address, 1n * COIN, 0, 50_000n))).toBeUndefined();
  });

  it('bounds the replacements one source (a peer, a client) gets admitted over all senders', async () => {
    setup({ maxReplacementsPerSource: 3 });
    await pool.submit([transfer(alice, carol.address, 1n, 0, 1000n), transfer(bob, carol.address, 1n, 0, 1000n)]);
    const bump = async (who: typeof alice, fee: bigint, source: string): Promise<string> => {
      const [r] = await pool.submit([transfer(who, carol.address, 1n, 0, fee)], { source });
      return r!.accepted ? 'accepted' : `${r!.error.code}: ${r!.error.message}`;
    };
    expect(await bump(alice, 2000n, 'peer-a')).toBe('accepted');
    expect(await bump(bob, 2000n, 'peer-a')).toBe('accepted');
    expect(await bump(alice, 3000n, 'peer-a')).toBe('accepted');
    expect(await bump(bob, 3000n, 'peer-a')).toBe(
      'MEMPOOL_TOO_MANY_REPLACEMENTS: 3 replacements from this source were admitted since the last block, the most allowed; send it after the next block',
    );
    expect(await bump(bob, 3000n, 'peer-b')).toBe('accepted');
  });
});

describe('the byte budget', () => {
  it('evicts the lowest-fee chain ends past its byte budget, and refuses what pays no more', async () => {
    setup({ maxBytes: 3 * MEMPOOL_ENTRY_BYTES });
    await pool.submit([
      transfer(alice, carol.address, 1n, 0, 5000n),
      transfer(bob, carol.address, 1n, 0, 2000n),
      transfer(bob, carol.address, 1n, 1, 3000n),
    ]);
    expect(pool.size).toBe(3);
    expect(pool.bytes).toBe(3 * MEMPOOL_ENTRY_BYTES);
    expect(await submitOne(transfer(carol, alice.address, 1n, 0, 1000n))).toBe('MEMPOOL_INSUFFICIENT_BALANCE');
    // Bob's chain end (3000) is the cheapest that can go; 2500 does not pay more than it.
    expect(await submitOne(transfer(alice, carol.address, 1n, 1, 2500n))).toBe('MEMPOOL_FULL');
    expect(await submitOne(transfer(alice, carol.address, 1n, 1, 4000n))).toBeUndefined();
    expect(pool.bytes).toBe(3 * MEMPOOL_ENTRY_BYTES);
    expect(pool.pendingFrom(bob.address).map((e) => e.tx.nonce)).toEqual([0]);
  });

  it('counts the signature points a verifier hands back', async () => {
    // Room for three bare entries is room for two with their points.
    setup({ maxBytes: 3 * MEMPOOL_ENTRY_BYTES }, new BlsMultiThreadVerifier({ threads: 1 }));
    await pool.submit([transfer(alice, carol.address, 1n, 0, 2000n), transfer(bob, carol.address, 1n, 0, 3000n)]);
    expect(pool.bytes).toBe(2 * (MEMPOOL_ENTRY_BYTES + SIGNATURE_POINT_BYTES));
    expect(await submitOne(transfer(alice, carol.address, 1n, 1, 4000n))).toBeUndefined();
    expect(pool.size).toBe(2);
    expect(pool.get(transferTxid(transfer(alice, carol.address, 1n, 0, 2000n).tx))).toBeDefined();
    expect(pool.pendingFrom(bob.address)).toHaveLength(0);
    expect(pool.bytes).toBeLessThanOrEqual(3 * MEMPOOL_ENTRY_BYTES);
  });
});

describe('blocks and the mempool', () => {
  it('mines a template with one aggregate made from the stored signatures, via the fast path', async () => {
    setup();
    await pool.submit([
      transfer(alice, carol.address, 3n * COIN, 0),
      transfer(bob, carol.address, 4n * COIN, 0),
      transfer(alice, carol.address, 1n * COIN, 1),
    ]);
    const block = mineTemplate();
    expect(block.transactions).toHaveLength(3);
    expect(block.aggregateSignature).toHaveLength(96);
    expect(t.chain.lastSignaturePath).toBe('fast');
    expect(pool.size).toBe(0);
    expect(t.chain.getAccount(carol.address).balance).toBe(8n * COIN);
    expect(t.chain.getAccount(miner.address).balance).toBe(50n * COIN + 3000n);
  });

  it('uses the full check for a block whose transfers it has not seen', () => {
    setup();
    const b = buildBlock(tip, { txs: [transfer(alice, carol.address, 1n, 0)] });
    expect(t.chain.processBlock(b).status).toBe('connected');
    expect(t.chain.lastSignaturePath).toBe('full');
  });

  it('accepts and rejects exactly the same blocks on the fast and the full path', async () => {
    setup();
    const txs = [
      transfer(alice, carol.address, 3n, 0),
      transfer(bob, carol.address, 4n, 0),
      transfer(alice, carol.address, 5n, 1),
    ];
    await pool.submit(txs);
    const other = transfer(bob, carol.address, 99n, 0);
    const parts = (sig: Uint8Array, list = txs) =>
      solveBlock(
        assembleBlock({
          version: BLOCK_VERSION,
          height: 3,
          prevHash: blockHash(tip.header),
          timestamp: tip.header.timestamp + 1,
          bits: tip.header.bits,
          nonce: 0n,
          coinbase: { chainId: regtest.chainId, height: 3, recipient: miner.address, amount: 50n * COIN },
          transactions: list.map((s) => s.tx),
          aggregateSignature: sig,
        }),
      )!;
    const agg = (list: SignedTransfer[]) => blstBls.aggregateSignatures(list.map((s) => s.signature));
    // Forged first: every one must be refused identically, then the valid one accepted by both.
    const candidates: [string, Block][] = [
      ['one signature fewer', parts(agg(txs.slice(0, 2)))],
      ['one signature more', parts(agg([...txs, other]))],
      ['another transfer signature', parts(agg([txs[0]!, txs[1]!, other]))],
      ['infinity', parts(INFINITY_SIGNATURE)],
      ['not a point', parts(new Uint8Array(96).fill(7))],
      ['valid', parts(agg(txs))],
    ];
    const verdicts: [string, string, string | undefined][] = [];
    for (const [name, block] of candidates) {
      // A second chain on the same blocks but with no mempool: always the full check.
      const plain = openTestChain(regtest);
      for (const b of funding) plain.chain.processBlock(b);
      const full = plain.chain.processBlock(block);
      const fast = t.chain.processBlock(block);
      expect([name, fast.status, fast.error?.code]).toEqual([name, full.status, full.error?.code]);
      verdicts.push([name, fast.status, fast.error?.code]);
      if (name === 'valid') expect(t.chain.lastSignaturePath).toBe('fast');
      plain.cleanup();
    }
    expect(verdicts.map(([, status]) => status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'connected',
    ]);
  });

  it('returns transfers of a disconnected block to the pool, and removes them on connect', async () => {
    setup();
    const s = transfer(alice, carol.address, 2n * COIN, 0);
    await pool.submit([s]);
    const parent = tip;
    mineTemplate();
    expect(pool.size).toBe(0);
    // A heavier branch without the transfer: it comes back.
    const x1 = buildBlock(parent, { miner: carol.address });
    const x2 = buildBlock(x1, { miner: carol.address });
    t.chain.processBlock(x1);
    expect(t.chain.processBlock(x2).disconnected).toHaveLength(1);
    expect(pool.get(transferTxid(s.tx))).toBeDefined();
    // And a block of that branch that includes it takes it out again.
    const x3 = buildBlock(x2, { txs: [s] });
    expect(t.chain.processBlock(x3).status).toBe('connected');
    expect(pool.size).toBe(0);
  });

  it('drops pending transfers that a block made invalid (same nonce used, balance spent)', async () => {
    setup();
    await pool.submit([transfer(alice, carol.address, 2n * COIN, 0), transfer(alice, carol.address, 2n * COIN, 1)]);
    // Someone else's block spends alice's nonce 0 on a different transfer of 49 OUR.
    const b = buildBlock(tip, { txs: [transfer(alice, bob.address, 49n * COIN, 0)] });
    expect(t.chain.processBlock(b).status).toBe('connected');
    expect(pool.size).toBe(0);
  });

  it('drops, as policy, a far-ahead transfer a reorg moved out of the nonce window, and does not restore it', async () => {
    setup({ maxNonceGap: 4 });
    const parent = tip;
    // alice's nonces 0 and 1 are mined; 2 to 6 wait (6 is the window's end: 2 + 4).
    await pool.submit([transfer(alice, carol.address, 1n, 0), transfer(alice, carol.address, 1n, 1)]);
    const mined = mineTemplate();
    const waiting = [2, 3, 4, 5, 6].map((nonce) => transfer(alice, carol.address, 1n, nonce));
    expect((await pool.submit(waiting)).every((r) => r.accepted)).toBe(true);
    // A heavier branch without nonces 0 and 1: they come back, and the window is 0 to 4 again.
    const x1 = buildBlock(parent, { miner: carol.address });
    t.chain.processBlock(x1);
    expect(t.chain.processBlock(buildBlock(x1, { miner: carol.address })).disconnected).toHaveLength(1);
    expect(pool.pendingFrom(alice.address).map((e) => e.tx.nonce)).toEqual([0, 1, 2, 3, 4]);
    // The first branch wins again: nonces 0 and 1 are mined once more, nonces 5 and 6 stay gone.
    const m2 = buildBlock(mined, { miner: carol.address });
    t.chain.processBlock(m2);
    expect(t.chain.processBlock(buildBlock(m2, { miner: carol.address })).status).toBe('connected');
    expect(pool.pendingFrom(alice.address).map((e) => e.tx.nonce)).toEqual([2, 3, 4]);
    // Sent again (by its sender or a peer), it is admitted: it is within the window now.
    expect((await pool.submit(waiting.slice(3))).every((r) => r.accepted)).toBe(true);
  });

  it('survives a restart', async () => {
    setup();
    const txs = [
      transfer(alice, carol.address, 2n, 0),
      transfer(alice, carol.address, 3n, 1),
      transfer(bob, carol.address, 4n, 0),
    ];
    await pool.submit(txs);
    detach?.();
    t = t.reopen();
    pool = new Mempool({ chain: t.chain, verifier, store: t.store.mempoolStore() });
    detach = connectMempoolToChain(t.chain, pool);
    expect(await pool.loadPersisted()).toBe(3);
    expect(
      pool
        .entries()
        .map((e) => toHex(e.txid))
        .sort(),
    ).toEqual(txs.map((s) => toHex(transferTxid(s.tx))).sort());
  });
});
