/**
 * `--reindex` (FullNode.open), like bitcoind's feature_reindex: state, indexes and
 * validity rebuilt from the stored blocks.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { COIN } from '../../../src/protocol/amount.js';
import { blockHash, blockTxids } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { BlockStatus } from '../../../src/store/interface.js';
import { testKey, transfer } from '../../helpers/builder.js';
import { alice, dir, extend, miner, openNode } from '../../helpers/admin.js';

describe('--reindex', () => {
  it('rebuilds state, indexes and validity from the stored blocks', async () => {
    const node = await openNode('reindex');
    const g = genesisBlock(regtest);
    const blocks = extend(g, 2, alice.address);
    blocks.push(
      ...extend(blocks[1]!, 3, miner.address, [
        transfer(alice, miner.address, 3n * COIN, 0),
        transfer(alice, testKey(44).address, COIN, 1),
      ]),
    );
    for (const b of blocks) expect(node.chain.processBlock(b).status).toBe('connected');
    const before = {
      tip: node.chain.tip.hash,
      alice: node.chain.getAccount(alice.address),
      miner: node.chain.getAccount(miner.address),
    };
    const spendTxid = blockTxids(blocks[2]!)[1]!;
    expect(node.chain.getTxLocation(spendTxid)?.height).toBe(3);
    await node.close();

    // Damage the derived data the way a bug could: a wrong balance, a lost index row.
    const db = new Database(join(dir, 'reindex', 'chain.sqlite'));
    db.prepare('UPDATE accounts SET balance = balance + 12345 WHERE address = ?').run(Buffer.from(alice.address));
    db.prepare('DELETE FROM tx_index').run();
    db.close();
    const damaged = await openNode('reindex');
    expect(damaged.chain.getAccount(alice.address).balance).toBe(before.alice.balance + 12345n);
    await damaged.close();

    const rebuilt = await openNode('reindex', true);
    try {
      expect(toHex(rebuilt.chain.tip.hash)).toBe(toHex(before.tip));
      expect(rebuilt.chain.getAccount(alice.address)).toEqual(before.alice);
      expect(rebuilt.chain.getAccount(miner.address)).toEqual(before.miner);
      for (const b of blocks) expect(rebuilt.chain.getRecord(blockHash(b.header))?.status).toBe(BlockStatus.valid);
      expect(rebuilt.chain.getTxLocation(spendTxid)?.height).toBe(3);
    } finally {
      await rebuilt.close();
    }
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
