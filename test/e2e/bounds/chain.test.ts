/**
 * Issue 14, the chain's budgets against a real regtest node over loopback: an orphan flood
 * (blocks of ~100 kB with unknown parents), a side-branch flood (forks at height 1 under a
 * taller tip), and POST /mine after an operator invalidates the tip and after a client posts
 * blocks stamped at the future limit. Each asserts the node lives, /status answers, no 5xx,
 * and the attacker's stable codes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockDetail, StatusJson, SubmitBlockResult } from '../../../src/api/json.js';
import { ChainErrorCode } from '../../../src/chain/interface.js';
import { ORPHAN_BUDGET } from '../../../src/chain/orphanPool.js';
import { MinerErrorCode } from '../../../src/miner/interface.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { blockFromJson, blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { blockSubsidy } from '../../../src/protocol/rules/subsidy.js';
import { SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { buildBlock, testKey, unsignedTransfers } from '../../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, memoryOf, startNode, waitFor } from '../../helpers/nodeProcess.js';
import type { NodeProcess } from '../../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-bounds-chain-'));
const nodes: NodeProcess[] = [];
afterAll(async () => {
  for (const n of nodes) await n.stop();
  rmSync(dir, { recursive: true, force: true });
});

const alice = testKey(1);
const bob = testKey(2);
/** Under the orphan flood, RSS stays below this (it reached 3.5 GB with orphans bounded by count only). */
const RSS_CEILING_MB = 600;
/**
 * Transfers per flood block: one fewer than a block judged on a worker before it is decoded
 * (Chain.judgeLargeEncoding), so a junk aggregate does not refuse it before it waits as an
 * orphan. About 100 kB a block.
 */
const FLOOD_TRANSFERS = 1023;

interface ErrorBody {
  error: { code: string; message: string };
}

async function start(name: string): Promise<NodeProcess> {
  const node = await startNode(['--network', 'regtest', '--datadir', join(dir, name), '--no-p2p']);
  nodes.push(node);
  return node;
}

const statusOf = async (node: NodeProcess): Promise<StatusJson> => {
  const r = await node.get<StatusJson>('/api/v1/status');
  expect(r.status).toBe(200);
  return r.body;
};

const mine = (node: NodeProcess, blocks: number): Promise<{ status: number; body: { hashes: string[] } & ErrorBody }> =>
  node.post('/api/v1/mine', { blocks, address: encodeAddress(alice.address, regtest) });

/**
 * A block at `height` on `prevHash` full of unsigned transfers (cheap to make), with an
 * aggregate that is no curve point: its signature check fails at once, and only when it
 * connects, so it passes every check an orphan gets.
 */
function junkBlock(prevHash: Uint8Array, height: number, timestamp: number): Block {
  return buildBlock(genesisBlock(regtest), {
    prevHash,
    height,
    timestamp,
    miner: bob.address,
    transactions: unsignedTransfers(alice, bob.address, FLOOD_TRANSFERS),
    coinbaseAmount: blockSubsidy(height, regtest),
    aggregateSignature: new Uint8Array(SIGNATURE_LENGTH).fill(0xaa),
  });
}

const submit = (node: NodeProcess, block: Block): Promise<{ status: number; body: SubmitBlockResult & ErrorBody }> =>
  node.post('/api/v1/blocks', { block: toHex(encodeBlock(block)) });

function bytesUnder(path: string): number {
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

async function blockAt(node: NodeProcess, height: number): Promise<Block> {
  return blockFromJson((await node.get<BlockDetail>(`/api/v1/blocks/${height}`)).body, regtest);
}

describe('issue 14: chain and miner budgets', () => {
  it(
    'orphan flood: holds one client to its share of the orphan pool, in bytes, with RSS bounded',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const node = await start('orphans');
      const size = encodeBlock(junkBlock(new Uint8Array(32), 2, 0)).byteLength;
      // Enough to pass one client's share twice over.
      const count = Math.ceil((2 * ORPHAN_BUDGET.maxBytesPerSource) / size);
      const statuses = new Map<number, number>();
      for (let i = 0; i < count; i++) {
        const r = await submit(node, junkBlock(randomBytes(32), 2, regtest.genesis.timestamp + 1 + i));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.body.status, JSON.stringify(r.body)).toBe('orphan');
        if (i % 10 === 0) expect((await statusOf(node)).height).toBe(0);
      }
      expect([...statuses]).toEqual([[200, count]]);
      const st = await statusOf(node);
      const share = Math.floor(ORPHAN_BUDGET.maxBytesPerSource / size);
      expect(st.orphans).toBeGreaterThan(0);
      expect(st.orphans).toBeLessThanOrEqual(share);
      expect(st.orphans).toBeLessThan(count);
      const { rssMb, peakMb } = memoryOf(node.proc.pid!);
      expect(rssMb).toBeLessThan(RSS_CEILING_MB);
      expect(peakMb).toBeLessThan(RSS_CEILING_MB);
    },
  );

  it(
    'side-branch flood: refuses forks at height 1 under a taller tip without storing them',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const node = await start('forks');
      expect((await mine(node, 3)).status).toBe(200);
      const genesisHash = blockHash(genesisBlock(regtest).header);
      const datadir = join(dir, 'forks');
      const before = bytesUnder(datadir);
      const forks = Array.from({ length: 30 }, (_, i) => junkBlock(genesisHash, 1, regtest.genesis.timestamp + 1 + i));
      for (const fork of forks) {
        const r = await submit(node, fork);
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe(ChainErrorCode.forkTooLight);
        const stored = await node.get<ErrorBody>(`/api/v1/blocks/${toHex(blockHash(fork.header))}`);
        expect(stored.status).toBe(404);
      }
      const st = await statusOf(node);
      expect(st.height).toBe(3);
      // 30 forks of ~100 kB would be 3 MB; none of them was written.
      const forkBytes = forks.length * encodeBlock(forks[0]!).byteLength;
      expect(bytesUnder(datadir) - before).toBeLessThan(forkBytes / 4);
      // A sibling of the tip (as much work) is still stored: a race between honest miners.
      const tip = await blockAt(node, 3);
      const parent = await blockAt(node, 2);
      const sibling = buildBlock(parent, { miner: bob.address, timestamp: tip.header.timestamp });
      expect((await submit(node, sibling)).body.status).toBe('side');
    },
  );

  it(
    '/mine after invalidate-block: mines another block each time, never the invalidated one',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const node = await start('invalidate');
      // 200 blocks at once: their times run ahead of the clock (the median-time minimum).
      const first = await mine(node, 200);
      expect(first.status).toBe(200);
      for (let round = 0; round < 3; round++) {
        const tip = await statusOf(node);
        const inv = await node.post('/api/v1/admin/invalidate-block', { hash: tip.tipHash });
        expect(inv.status).toBe(200);
        expect((await statusOf(node)).height).toBe(tip.height - 1);
        const again = await mine(node, 1);
        expect(again.status, JSON.stringify(again.body)).toBe(200);
        expect(again.body.hashes[0]).not.toBe(tip.tipHash);
        const after = await statusOf(node);
        expect(after.height).toBe(tip.height);
        expect(after.tipHash).toBe(again.body.hashes[0]);
      }
    },
  );

  it(
    '/mine after blocks stamped at the future limit: 200, or 409 NODE_MINE_TIME_AHEAD until the clock catches up',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const node = await start('future');
      expect((await mine(node, 11)).status).toBe(200);
      // Six of the last eleven at the limit put the median time there.
      const limit = Math.floor(Date.now() / 1000) + regtest.maxFutureBlockTime;
      let parent = await blockAt(node, 11);
      for (let i = 0; i < 6; i++) {
        const ahead = buildBlock(parent, { miner: bob.address, timestamp: limit });
        const r = await submit(node, ahead);
        expect(r.body.status, JSON.stringify(r.body)).toBe('connected');
        parent = ahead;
      }
      const codes: (number | string)[] = [];
      await waitFor('a block mined after the future-stamped ones', async () => {
        const r = await mine(node, 1);
        expect(r.status).toBeLessThan(500);
        if (r.status === 409) expect(r.body.error.code).toBe(MinerErrorCode.timeAhead);
        codes.push(r.status);
        return r.status === 200;
      });
      expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
      const st = await statusOf(node);
      expect(st.height).toBe(18);
    },
  );
});
