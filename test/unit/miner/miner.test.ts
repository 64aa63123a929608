/**
 * Mining on demand (Miner.mineBlocks, POST /mine): it builds on the best valid tip, never
 * rebuilds a block already marked invalid, and refuses with a stable code (never a node
 * failure) when chain state a client can create leaves no valid timestamp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { Chain } from '../../../src/chain/chain.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { MinerErrorCode } from '../../../src/miner/interface.js';
import { Miner } from '../../../src/miner/miner.js';
import { connectMempoolToChain } from '../../../src/node/wiring.js';
import { blockHash } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { medianTimePast } from '../../../src/protocol/rules/header.js';
import { SqliteStore } from '../../../src/store/sqliteStore.js';
import { buildBlock, testKey } from '../../helpers/builder.js';
import { TEST_NOW } from '../../helpers/chain.js';

const address = testKey(1).address;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A chain, mempool and miner on one clock that the test moves (`at.now`). */
function open(): { chain: Chain; miner: Miner; at: { now: number } } {
  const at = { now: TEST_NOW };
  const dir = mkdtempSync(join(tmpdir(), 'ourcoin-miner-'));
  const store = new SqliteStore(join(dir, 'chain.sqlite'), regtest);
  const chain = Chain.open({ network: regtest, store, bls: blstBls, now: () => at.now });
  const pool = new Mempool({ chain, verifier: new BlsSingleThreadVerifier() });
  const unwire = connectMempoolToChain(chain, pool);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
    unwire,
  );
  const logger = pino({ level: 'silent' });
  const miner = new Miner({ network: regtest, chain, pool, bls: blstBls, logger, now: () => at.now });
  return { chain, miner, at };
}

const hexOf = (b: { header: Parameters<typeof blockHash>[0] }): string => toHex(blockHash(b.header));

describe('Miner.mineBlocks', () => {
  it('after the operator invalidates the tip, mines another block, not the same invalid one again', () => {
    const { chain, miner } = open();
    // Many blocks in the same second: the median-time minimum runs ahead of the clock, so
    // the next template's time no longer depends on the clock.
    miner.mineBlocks(30, address);
    expect(chain.tip.header.timestamp).toBeGreaterThan(TEST_NOW);
    for (let round = 0; round < 3; round++) {
      const invalidated = chain.tip;
      chain.invalidateBlock(invalidated.hash);
      const [again] = miner.mineBlocks(1, address);
      expect(hexOf(again!)).not.toBe(toHex(invalidated.hash));
      expect(again!.header.height).toBe(invalidated.height);
      expect(toHex(chain.tip.hash)).toBe(hexOf(again!));
    }
    expect(miner.mineBlocks(2, address)).toHaveLength(2);
  });

  it('refuses with NODE_MINE_TIME_AHEAD while blocks stamped at the future limit hold the median time there', () => {
    const { chain, miner, at } = open();
    const limit = at.now + regtest.maxFutureBlockTime;
    const ahead = buildBlock(genesisBlock(regtest), { timestamp: limit });
    expect(chain.processBlock(ahead).status).toBe('connected');
    expect(medianTimePast(chain.headerContext(chain.tip))).toBe(limit); // the next block needs limit + 1
    expect(() => miner.mineBlocks(1, address)).toThrowError(
      expect.objectContaining({ code: MinerErrorCode.timeAhead, kind: 'conflict' }),
    );
    expect(chain.tip.height).toBe(1);
    at.now += 1; // the clock catches up
    const [mined] = miner.mineBlocks(1, address);
    expect(mined!.header.timestamp).toBe(limit + 1);
    expect(chain.tip.height).toBe(2);
  });
});
