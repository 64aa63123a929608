/**
 * Chain: acceptance, orphans, side branches, fork choice by work, reorgs (moving a
 * transaction, invalidating a double spend), invalid-block memory, restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HEADER_LENGTH, blockHash, blockTxids, encodeBlock } from '../../../src/protocol/block.js';
import { COINBASE_LENGTH } from '../../../src/protocol/transaction.js';
import { blstBls } from '../../../src/crypto/blst.js';
import type { Block } from '../../../src/protocol/block.js';
import { bytesEqual, toHex } from '../../../src/protocol/bytes.js';
import { COIN } from '../../../src/protocol/amount.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { assembleBlock } from '../../../src/protocol/assemble.js';
import { transferTxid } from '../../../src/protocol/transaction.js';
import { solveBlock } from '../../../src/miner/solve.js';
import { BlockStatus } from '../../../src/store/interface.js';
import { decodeCompact, workForTarget } from '../../../src/protocol/pow.js';
import type { TipChange } from '../../../src/chain/interface.js';
import { BlsMultiThreadVerifier } from '../../../src/chain/bls/multithread.js';
import { blockSignatureSet, signatureSetVerdict } from '../../../src/protocol/rules/signature.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const genesis = genesisBlock(regtest);
const hashOf = (b: Block): string => toHex(blockHash(b.header));

let t: TestChain;
afterEach(() => t?.cleanup());

/** Mines `n` empty blocks paying `miner` on top of `parent`. */
function extend(parent: Block, n: number, miner = alice.address): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) out.push(buildBlock(out.at(-1) ?? parent, { miner }));
  return out;
}

function processAll(blocks: Block[]): void {
  for (const b of blocks) {
    const r = t.chain.processBlock(b);
    expect(r.error, r.error?.message).toBeUndefined();
  }
}

describe('chain', () => {
  it('starts at genesis and connects blocks, paying the miner', () => {
    t = openTestChain();
    expect(t.chain.tip.height).toBe(0);
    expect(toHex(t.chain.tip.hash)).toBe(hashOf(genesis));
    const blocks = extend(genesis, 3);
    for (const b of blocks) expect(t.chain.processBlock(encodeBlock(b)).status).toBe('connected');
    expect(t.chain.tip.height).toBe(3);
    expect(t.chain.getAccount(alice.address).balance).toBe(150n * COIN);
    const work = workForTarget(decodeCompact(regtest.genesisBits));
    expect(t.chain.tip.cumulativeWork).toBe(4n * work);
  });

  it('reports duplicates, keeps orphans until their parent arrives', () => {
    t = openTestChain();
    const [b1, b2, b3] = extend(genesis, 3) as [Block, Block, Block];
    expect(t.chain.processBlock(b3).status).toBe('orphan');
    expect(t.chain.processBlock(b2).status).toBe('orphan');
    expect(t.chain.processBlock(b3).status).toBe('duplicate');
    expect(t.chain.orphanCount).toBe(2);
    const r = t.chain.processBlock(b1);
    expect(r.status).toBe('connected');
    expect(r.connected.map(hashOf)).toEqual([b1, b2, b3].map(hashOf));
    expect(t.chain.tip.height).toBe(3);
    expect(t.chain.orphanCount).toBe(0);
    expect(t.chain.processBlock(b1).status).toBe('duplicate');
  });

  it('answers duplicate for a known hash with an altered body, and keeps its block (protocol 7.6)', () => {
    t = openTestChain();
    const [b1] = extend(genesis, 1) as [Block];
    processAll([b1]);
    const [b2] = extend(b1, 1) as [Block];
    processAll([b2]);
    const altered = { ...b2, transactions: [transfer(alice, bob.address, 1n, 0).tx] };
    const r = t.chain.processBlock(encodeBlock(altered));
    expect(r.status).toBe('duplicate');
    expect(r.error).toBeUndefined();
    expect(t.store.getInvalid(blockHash(b2.header))).toBeUndefined();
    expect(toHex(t.chain.getBlock(blockHash(b2.header))!.header.txRoot)).toBe(toHex(b2.header.txRoot));
    expect(t.chain.getBlock(blockHash(b2.header))!.transactions).toEqual([]);
  });

  it('refuses a transfer nonce >= 2^53 as an encoding error and does not remember the hash (protocol 4.1)', () => {
    t = openTestChain();
    const [b1] = extend(genesis, 1) as [Block];
    processAll([b1]);
    const spend = transfer(alice, bob.address, 1n, 0);
    const b2 = buildBlock(b1, { txs: [spend] });
    const bytes = encodeBlock(b2).slice();
    // The first transfer's nonce field: header, coinbase, count, then offset 89 in the transfer.
    const at = HEADER_LENGTH + COINBASE_LENGTH + 4 + 89;
    new DataView(bytes.buffer).setBigUint64(at, 2n ** 53n);
    const r = t.chain.processBlock(bytes);
    expect(r.status).toBe('rejected');
    expect(r.error).toMatchObject({ code: 'ENCODING_OUT_OF_RANGE', kind: 'encoding' });
    expect(t.store.getInvalid(blockHash(b2.header))).toBeUndefined();
    // The same header with its real body still connects.
    expect(t.chain.processBlock(encodeBlock(b2)).status).toBe('connected');
  });

  it('keeps the first-seen chain on equal work and switches to the one with more work', () => {
    t = openTestChain();
    const [a1] = extend(genesis, 1) as [Block];
    const [b1, b2] = extend(genesis, 2, bob.address) as [Block, Block];
    processAll([a1]);
    expect(t.chain.processBlock(b1).status).toBe('side');
    expect(hashOf(genesis)).not.toBe(toHex(t.chain.tip.hash));
    expect(toHex(t.chain.tip.hash)).toBe(hashOf(a1));
    const r = t.chain.processBlock(b2);
    expect(r.status).toBe('connected');
    expect(r.disconnected.map(hashOf)).toEqual([hashOf(a1)]);
    expect(r.connected.map(hashOf)).toEqual([b1, b2].map(hashOf));
    expect(t.chain.getAccount(alice.address).balance).toBe(0n);
    expect(t.chain.getAccount(bob.address).balance).toBe(100n * COIN);
  });

  it('chooses by cumulative work, not by length', () => {
    // On devnet-like rules a shorter chain of harder blocks wins. Regtest has one target, so
    // show the comparison directly: the store orders candidates by work, and work is additive.
    t = openTestChain();
    const [a1, a2] = extend(genesis, 2) as [Block, Block];
    processAll([a1, a2]);
    const rec = t.store.getRecord(blockHash(a2.header))!;
    const perBlock = workForTarget(decodeCompact(regtest.genesisBits));
    expect(rec.cumulativeWork).toBe(3n * perBlock);
    expect(t.store.bestCandidate()!.hash).toEqual(rec.hash);
  });

  it('moves a transaction to the other branch in a reorg', () => {
    t = openTestChain();
    const [g1] = extend(genesis, 1) as [Block];
    const send = transfer(alice, bob.address, 10n * COIN, 0);
    const a2 = buildBlock(g1, { txs: [send] });
    processAll([g1, a2]);
    const txid = transferTxid(send.tx);
    expect(t.store.getTxLocation(txid)!.blockHash).toEqual(blockHash(a2.header));

    const changes: TipChange[] = [];
    t.chain.onTipChange((c) => changes.push(c));
    const b2 = buildBlock(g1, { miner: carol.address });
    const b3 = buildBlock(b2, { txs: [send], miner: carol.address });
    expect(t.chain.processBlock(b2).status).toBe('side');
    expect(t.chain.processBlock(b3).status).toBe('connected');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.disconnected.map(hashOf)).toEqual([hashOf(a2)]);
    expect(changes[0]!.connected.map(hashOf)).toEqual([b2, b3].map(hashOf));
    expect(t.store.getTxLocation(txid)).toEqual({ blockHash: blockHash(b3.header), height: 3, position: 1 });
    expect(t.chain.getAccount(bob.address).balance).toBe(10n * COIN);
    expect(t.chain.getAccount(alice.address)).toEqual({ balance: 50n * COIN - 10n * COIN - 1000n, nonce: 1 });
    // The miner of a2 lost its reward; carol has two blocks' worth plus the fee.
    expect(t.chain.getAccount(carol.address).balance).toBe(100n * COIN + 1000n);
    const history = t.store.getAddressTxs(bob.address, 10, 0);
    expect(history.map((h) => toHex(h.txid))).toEqual([toHex(txid)]);
    expect(history[0]!.height).toBe(3);
  });

  it('invalidates a double spend when a reorg changes which spend came first', () => {
    t = openTestChain();
    const [g1] = extend(genesis, 1) as [Block];
    const toBob = transfer(alice, bob.address, 40n * COIN, 0);
    const toCarol = transfer(alice, carol.address, 40n * COIN, 0);
    const a2 = buildBlock(g1, { txs: [toBob] });
    processAll([g1, a2]);
    expect(t.chain.getAccount(bob.address).balance).toBe(40n * COIN);

    // The other branch spends the same coins (same nonce) to carol, and is heavier.
    const b2 = buildBlock(g1, { txs: [toCarol], miner: carol.address });
    const b3 = buildBlock(b2, { miner: carol.address });
    processAll([b2, b3]);
    expect(t.chain.getAccount(bob.address).balance).toBe(0n);
    expect(t.chain.getAccount(carol.address).balance).toBe(40n * COIN + 100n * COIN + 1000n);

    // Replaying the spend to bob on the new branch is a double spend: invalid forever.
    const b4 = buildBlock(b3, { txs: [toBob] });
    const r = t.chain.processBlock(b4);
    expect(r.status).toBe('rejected');
    expect(r.error?.code).toBe('TX_BAD_NONCE');
    expect(t.store.getInvalid(blockHash(b4.header))?.code).toBe('TX_BAD_NONCE');
    expect(t.chain.processBlock(b4).error?.code).toBe('TX_BAD_NONCE');
    expect(t.chain.tip.height).toBe(3);
  });

  it('stays on its chain when the heavier branch holds an invalid block, and marks its descendants', () => {
    t = openTestChain();
    const [a1, a2] = extend(genesis, 2) as [Block, Block];
    processAll([a1, a2]);
    // b1 pays bob; b2 overspends (bob has 50, sends 60): every later block on b2 is invalid.
    const b1 = buildBlock(genesis, { miner: bob.address });
    const b2 = buildBlock(b1, { txs: [transfer(bob, carol.address, 60n * COIN, 0)] });
    const b3 = buildBlock(b2, {});
    expect(t.chain.processBlock(b3).status).toBe('orphan');
    expect(t.chain.processBlock(b2).status).toBe('orphan');
    const r = t.chain.processBlock(b1);
    // b1 is stored on a side branch; the b2/b3 branch is heavier, fails at b2, and the
    // chain comes back to a2 with no net change reported.
    expect(r.status).toBe('side');
    expect(toHex(t.chain.tip.hash)).toBe(hashOf(a2));
    expect(r.connected).toHaveLength(0);
    expect(r.disconnected).toHaveLength(0);
    expect(t.store.getInvalid(blockHash(b2.header))?.code).toBe('TX_INSUFFICIENT_BALANCE');
    expect(t.store.getInvalid(blockHash(b3.header))?.code).toBe('BLOCK_PARENT_INVALID');
    expect(t.store.getRecord(blockHash(b1.header))!.status).toBe(BlockStatus.valid);
    expect(t.chain.getAccount(alice.address).balance).toBe(100n * COIN);
    // A child of an invalid block arriving later is rejected at once.
    const b4 = buildBlock(b3, {});
    expect(t.chain.processBlock(b4).error?.code).toBe('BLOCK_PARENT_INVALID');
  });

  it('does not remember a block as invalid when a relayer tampered with its body', () => {
    t = openTestChain();
    const [g1] = extend(genesis, 1) as [Block];
    processAll([g1]);
    const good = buildBlock(g1, { txs: [transfer(alice, bob.address, 5n * COIN, 0)] });
    // Same header, different transfer: the txRoot no longer matches.
    const other = transfer(alice, carol.address, 5n * COIN, 0);
    const tampered: Block = { ...good, transactions: [other.tx] };
    const r1 = t.chain.processBlock(tampered);
    expect(r1.error?.code).toBe('BLOCK_BAD_TX_ROOT');
    expect(r1.error?.kind).toBe('mutated');
    // Same header, swapped signature: signatureHash no longer matches.
    const swapped: Block = { ...good, aggregateSignature: other.signature };
    expect(t.chain.processBlock(swapped).error?.code).toBe('BLOCK_BAD_SIGNATURE_HASH');
    expect(t.store.getInvalid(blockHash(good.header))).toBeUndefined();
    expect(t.chain.processBlock(good).status).toBe('connected');
  });

  it('remembers a block with a forged aggregate signature as invalid', () => {
    t = openTestChain();
    const [g1] = extend(genesis, 1) as [Block];
    processAll([g1]);
    const send = transfer(alice, bob.address, 5n * COIN, 0);
    const wrong = transfer(alice, bob.address, 6n * COIN, 0);
    // The miner commits to a signature that does not cover the block's transfer.
    const honest = buildBlock(g1, { txs: [send] });
    const forged = solveBlock(
      assembleBlock({
        ...honest.header,
        coinbase: honest.coinbase,
        transactions: honest.transactions,
        aggregateSignature: wrong.signature,
      }),
    )!;
    const r = t.chain.processBlock(forged);
    expect(r.error?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(t.store.getInvalid(blockHash(forged.header))?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
    expect(t.chain.tip.height).toBe(1);
    expect(t.chain.getAccount(bob.address).balance).toBe(0n);
  });

  it('a signature verdict computed ahead on a worker gives the same results as the chain checking itself', async () => {
    const [g1] = extend(genesis, 1) as [Block];
    const send = transfer(alice, bob.address, 5n * COIN, 0);
    const honest = buildBlock(g1, { txs: [send] });
    const forged = solveBlock(
      assembleBlock({
        ...honest.header,
        coinbase: honest.coinbase,
        transactions: honest.transactions,
        aggregateSignature: transfer(alice, bob.address, 6n * COIN, 0).signature,
      }),
    )!;
    const badKey = solveBlock(
      assembleBlock({
        ...honest.header,
        coinbase: honest.coinbase,
        transactions: [{ ...send.tx, senderPublicKey: new Uint8Array(48).fill(0x8f) }],
        aggregateSignature: send.signature,
      }),
    )!;
    const verifier = new BlsMultiThreadVerifier({ threads: 1 });
    try {
      for (const block of [honest, forged, badKey]) {
        const bytes = encodeBlock(block);
        const set = blockSignatureSet(block, blockTxids(block).slice(1));
        const verdict = await verifier.verifyBlock(set, { priority: 'sync' });
        expect(verdict).toEqual(signatureSetVerdict(set, blstBls));
        expect(verdict?.ok ? 'ok' : verdict?.code).toBe(
          block === honest ? 'ok' : block === forged ? 'BLOCK_BAD_AGGREGATE_SIGNATURE' : 'TX_BAD_PUBLIC_KEY',
        );
        t = openTestChain();
        processAll([g1]);
        const itself = t.chain.processBlock(bytes);
        t.cleanup();
        t = openTestChain();
        processAll([g1]);
        const ahead = t.chain.processBlock(bytes, verdict);
        expect(ahead.status).toBe(itself.status);
        // Checking itself, the chain runs the state rules first: the unknown sender cannot pay
        // before its key is judged. A failed verdict at hand refuses the block before the state
        // rules (protocol.md 7.6): a block breaking both gets the signature rule's code.
        expect(itself.error?.code).toBe(
          block === honest ? undefined : block === forged ? 'BLOCK_BAD_AGGREGATE_SIGNATURE' : 'TX_INSUFFICIENT_BALANCE',
        );
        const expected = verdict.ok ? itself.error : { ...verdict, kind: 'consensus' };
        expect([ahead.error?.code, ahead.error?.message, ahead.error?.kind]).toEqual([
          expected?.code,
          expected?.message,
          expected?.kind,
        ]);
        expect(t.store.getInvalid(blockHash(block.header))).toEqual(
          block === honest ? undefined : { code: expected?.code, message: expected?.message },
        );
        if (block === honest) expect(t.chain.lastSignaturePath).toBe('prechecked');
        t.cleanup();
      }
    } finally {
      await verifier.close();
    }
  });

  it('does not remember proof-of-work failures or blocks from the future', () => {
    t = openTestChain();
    const b1 = buildBlock(genesis, {});
    let bad = b1;
    for (let nonce = 0n; ; nonce++) {
      bad = { ...b1, header: { ...b1.header, nonce } };
      if (t.chain.processBlock(bad).error?.code === 'BLOCK_BAD_POW') break;
    }
    expect(t.store.getInvalid(blockHash(bad.header))).toBeUndefined();
    const future = buildBlock(genesis, { timestamp: 2_000_000_000 });
    const r = t.chain.processBlock(future);
    expect(r.error?.code).toBe('BLOCK_TIME_TOO_NEW');
    expect(r.error?.kind).toBe('transient');
    expect(t.store.getInvalid(blockHash(future.header))).toBeUndefined();
  });

  it('rejects undecodable bytes without changing anything', () => {
    t = openTestChain();
    const bytes = encodeBlock(buildBlock(genesis, {}));
    for (const bad of [bytes.slice(0, 50), new Uint8Array([...bytes, 0]), new Uint8Array(0)]) {
      const r = t.chain.processBlock(bad);
      expect(r.status).toBe('rejected');
      expect(r.error?.kind).toBe('encoding');
    }
    expect(t.chain.tip.height).toBe(0);
  });

  it('survives a restart: same tip, balances, indexes; keeps going', () => {
    t = openTestChain();
    const [g1, g2] = extend(genesis, 2) as [Block, Block];
    const send = transfer(alice, bob.address, 7n * COIN, 0);
    const g3 = buildBlock(g2, { txs: [send] });
    processAll([g1, g2, g3]);
    t = t.reopen();
    expect(t.chain.tip.height).toBe(3);
    expect(t.chain.getAccount(bob.address).balance).toBe(7n * COIN);
    expect(t.chain.getAccount(alice.address).nonce).toBe(1);
    expect(t.store.getTxLocation(transferTxid(send.tx))!.height).toBe(3);
    const g4 = buildBlock(g3, { txs: [transfer(alice, bob.address, 1n * COIN, 1)] });
    expect(t.chain.processBlock(g4).status).toBe('connected');
    expect(t.chain.getAccount(bob.address).balance).toBe(8n * COIN);
  });

  it('resumes on restart when a stored block was never connected (crash between store and connect)', () => {
    t = openTestChain();
    const [g1, g2] = extend(genesis, 2) as [Block, Block];
    processAll([g1]);
    const parent = t.store.getRecord(blockHash(g1.header))!;
    t.store.putBlock(
      blockHash(g2.header),
      g2,
      encodeBlock(g2),
      parent.cumulativeWork + workForTarget(decodeCompact(g2.header.bits)),
      BlockStatus.stored,
    );
    expect(t.chain.tip.height).toBe(1);
    t = t.reopen();
    expect(t.chain.tip.height).toBe(2);
    expect(bytesEqual(t.chain.tip.hash, blockHash(g2.header))).toBe(true);
  });

  it('refuses a store that belongs to another network', async () => {
    t = openTestChain();
    const { SqliteStore } = await import('../../../src/store/sqliteStore.js');
    const { devnet } = await import('../../../src/protocol/networks.js');
    t.store.close();
    expect(() => new SqliteStore(t.path, devnet)).toThrow(expect.objectContaining({ code: 'STORE_WRONG_NETWORK' }));
  });

  it('refuses a store written by protocol v1, naming it and changing nothing', async () => {
    t = openTestChain();
    const { SqliteStore } = await import('../../../src/store/sqliteStore.js');
    const Database = (await import('better-sqlite3')).default;
    const { readFileSync } = await import('node:fs');
    t.store.close();
    // What a v1 node left: the same tables, no protocol key, its own genesis hash.
    const db = new Database(t.path);
    db.prepare("DELETE FROM meta WHERE key = 'protocol'").run();
    db.prepare("UPDATE meta SET value = ? WHERE key = 'genesis'").run(
      '0x5b0ae91d3e6cbd06160e3ef00b21cb9ce03329e40c05ce4a3a3040efdc3a2697',
    );
    db.close();
    const before = readFileSync(t.path);
    let refusal: unknown;
    try {
      new SqliteStore(t.path, regtest);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ code: 'STORE_OLD_PROTOCOL' });
    const message = (refusal as Error).message;
    expect(message).toContain(t.path);
    expect(message).toContain('protocol v1 regtest chain');
    expect(message).toContain('move that data directory away');
    expect(message).not.toContain('\n');
    expect(readFileSync(t.path).equals(before)).toBe(true);
    // The refusal released the store: the same path opens again once fixed (here: marked v2).
    const fix = new Database(t.path);
    fix.prepare("INSERT INTO meta (key, value) VALUES ('protocol', '2')").run();
    fix.prepare("UPDATE meta SET value = ? WHERE key = 'genesis'").run(toHex(blockHash(genesisBlock(regtest).header)));
    fix.close();
    t.store = new SqliteStore(t.path, regtest);
  });
});
