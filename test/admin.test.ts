/**
 * Recovering from a bad chain by hand, like bitcoind's rpc_invalidateblock and
 * feature_reindex: POST /api/v1/blocks (submitblock), the loopback-only admin routes
 * invalidate-block / reconsider-block with the `ourcoin admin` CLI, and `--reindex`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../src/api/server.js';
import type { ChainChangeJson, SubmitBlockResult } from '../src/api/json.js';
import { InlineBatchVerifier } from '../src/mempool/batchVerifier.js';
import { OurCoinNode } from '../src/node/node.js';
import { COIN } from '../src/protocol/amount.js';
import { encodeAddress } from '../src/protocol/address.js';
import { blockHash, blockTxids, encodeBlock } from '../src/protocol/block.js';
import type { Block } from '../src/protocol/block.js';
import { toHex } from '../src/protocol/bytes.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { regtest } from '../src/protocol/networks.js';
import type { SignedTransfer } from '../src/protocol/transaction.js';
import { RuleCode } from '../src/protocol/rules/codes.js';
import { BlockStatus } from '../src/store/interface.js';
import { buildBlock, testKey, transfer } from './helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from './helpers/nodeProcess.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-admin-'));
const exec = promisify(execFile);

const miner = testKey(41);
const alice = testKey(42);
const hex = (b: Block): string => toHex(encodeBlock(b));
const hashOf = (b: Block): string => toHex(blockHash(b.header));

interface ErrorBody {
  error: { code: string; message: string };
}

async function openNode(name: string, reindex = false): Promise<OurCoinNode> {
  return OurCoinNode.open({
    network: regtest,
    datadir: join(dir, name),
    logger,
    verifier: new InlineBatchVerifier(),
    reindex,
  });
}

/** A chain of `n` blocks on `parent`, mined to `to`, each with the given transfers. */
function extend(parent: Block, n: number, to = miner.address, txs: readonly SignedTransfer[] = []): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) out.push(buildBlock(out.at(-1) ?? parent, { miner: to, txs: i === 0 ? txs : [] }));
  return out;
}

describe('block submission and operator routes (in-process node, app.inject)', () => {
  let node: OurCoinNode;
  let app: FastifyInstance;
  const g = genesisBlock(regtest);
  // Main chain: 4 blocks, the second one carrying alice's transfer; a 2-block side branch on the first.
  const main = extend(g, 1, alice.address);
  const spend = transfer(alice, miner.address, 2n * COIN, 0);
  main.push(...extend(main[0]!, 3, miner.address, [spend]));
  const side = extend(main[0]!, 2, testKey(43).address);
  // Passes every check but the state rule on the coinbase: stored, then marked invalid at connect.
  const overpaid = buildBlock(main.at(-1)!, { coinbaseAmount: 1000n * COIN });

  const post = async <T>(url: string, body: unknown, remoteAddress?: string): Promise<{ status: number; body: T }> => {
    const r = await app.inject({
      method: 'POST',
      url,
      payload: body as object,
      ...(remoteAddress ? { remoteAddress } : {}),
    });
    return { status: r.statusCode, body: r.json<T>() };
  };

  beforeAll(async () => {
    node = await openNode('routes');
    app = await buildApiServer(node, { logger });
  });
  afterAll(async () => {
    await app.close();
    await node.close();
  });

  it('POST /blocks connects a valid block, stores a lighter branch as side, and reports duplicates', async () => {
    expect((await post<SubmitBlockResult>('/api/v1/blocks', { block: hex(main[0]!) })).body.status).toBe('connected');
    // The mempool sees alice's transfer first, as usual: its signature can come back after a
    // reorg (a block's aggregate signature cannot be split into its parts).
    expect((await node.submitTransfers([spend]))[0]?.accepted).toBe(true);
    for (const b of main.slice(1)) {
      const r = await post<SubmitBlockResult>('/api/v1/blocks', { block: hex(b) });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        hash: hashOf(b),
        status: 'connected',
        height: b.header.height,
        tipHash: hashOf(b),
      });
    }
    for (const b of side)
      expect((await post<SubmitBlockResult>('/api/v1/blocks', { block: hex(b) })).body.status).toBe('side');
    expect((await post<SubmitBlockResult>('/api/v1/blocks', { block: hex(main[1]!) })).body.status).toBe('duplicate');
    expect(node.chain.tip.height).toBe(4);
  });

  it('POST /blocks refuses a broken block with its rule code and leaves the tip alone', async () => {
    const tip = toHex(node.chain.tip.hash);
    const refused = await post<ErrorBody>('/api/v1/blocks', { block: hex(overpaid) });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe(RuleCode.coinbaseTooLarge);
    for (const [body, code] of [
      [{ block: '0x00' }, 'ENCODING_TRUNCATED'],
      [{ block: 'zz' }, 'ENCODING_BAD_HEX'],
      [{ block: hex(main[0]!), extra: 1 }, 'BAD_REQUEST'],
      [{}, 'BAD_REQUEST'],
    ] as const) {
      const r = await post<ErrorBody>('/api/v1/blocks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toMatch(code === 'ENCODING_TRUNCATED' ? /^ENCODING_/ : new RegExp(`^${code}$`));
    }
    expect(toHex(node.chain.tip.hash)).toBe(tip);
  });

  it('invalidate-block moves the main chain to the best other branch and gives its transfers back', async () => {
    const r = await post<ChainChangeJson>('/api/v1/admin/invalidate-block', { hash: hashOf(main[1]!) });
    expect(r.status).toBe(200);
    // main[1] and the blocks above it left, and fork choice moved to the side branch on main[0].
    expect(r.body.disconnected).toEqual([main[3]!, main[2]!, main[1]!].map(hashOf));
    expect(r.body.connected).toEqual(side.map(hashOf));
    expect(r.body.tipHash).toBe(hashOf(side[1]!));
    expect(node.mempool.get(blockTxids(main[1]!)[1]!)).toBeDefined();
    // Descendants of an invalidated block are refused, as transient: a peer relaying them broke no rule.
    const child = buildBlock(main.at(-1)!);
    const res = node.chain.processBlock(child);
    expect(res.status).toBe('rejected');
    expect(res.error?.kind).toBe('transient');
    const again = node.chain.processBlock(main[2]!);
    expect(again.error?.kind).toBe('transient');
  });

  it('reconsider-block restores the heavier chain, and a descendant that breaks a rule fails again', async () => {
    const r = await post<ChainChangeJson>('/api/v1/admin/reconsider-block', { hash: hashOf(main[1]!) });
    expect(r.status).toBe(200);
    expect(r.body.cleared).toBe(4); // main[1..3] and the overpaid block on top of them
    expect(r.body.failures).toEqual([
      {
        hash: hashOf(overpaid),
        code: RuleCode.coinbaseTooLarge,
        message: expect.stringContaining('coinbase claims') as unknown,
      },
    ]);
    expect(r.body.tipHash).toBe(hashOf(main[3]!));
    expect(r.body.disconnected).toEqual([side[1]!, side[0]!].map(hashOf));
    expect(node.chain.getAccount(alice.address).nonce).toBe(1);
    expect(node.mempool.size).toBe(0);
  });

  it('reconsider-block on a block that breaks a rule reports it, and it stays refused', async () => {
    const r = await post<ChainChangeJson>('/api/v1/admin/reconsider-block', { hash: hashOf(overpaid) });
    expect([r.status, r.body.cleared, r.body.failures?.map((f) => f.code)]).toEqual([
      200,
      1,
      [RuleCode.coinbaseTooLarge],
    ]);
    expect(r.body.tipHash).toBe(hashOf(main[3]!));
    expect((await post<ErrorBody>('/api/v1/blocks', { block: hex(overpaid) })).body.error.code).toBe(
      RuleCode.coinbaseTooLarge,
    );
    expect(node.store.getInvalid(blockHash(overpaid.header))?.code).toBe(RuleCode.coinbaseTooLarge);
  });

  it('refuses the genesis block, unknown blocks and bad hashes, naming the problem', async () => {
    const cases: [unknown, number, string][] = [
      [{ hash: hashOf(g) }, 400, 'CHAIN_GENESIS'],
      [{ hash: '0x' + '11'.repeat(32) }, 400, 'CHAIN_UNKNOWN_BLOCK'],
      [{ hash: '0x' + 'zz'.repeat(32) }, 400, 'ENCODING_BAD_HEX'],
      [{ hash: 'short' }, 400, 'BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post<ErrorBody>('/api/v1/admin/invalidate-block', body);
      expect([r.status, r.body.error.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const unknown = await post<ErrorBody>('/api/v1/admin/reconsider-block', { hash: '0x' + '11'.repeat(32) });
    expect(unknown.body.error.code).toBe('CHAIN_UNKNOWN_BLOCK');
  });

  it('answers loopback clients only', async () => {
    const tip = toHex(node.chain.tip.hash);
    for (const remoteAddress of ['10.0.0.7', '192.168.1.20', '2001:db8::1', '::ffff:10.0.0.7']) {
      const r = await post<ErrorBody>('/api/v1/admin/invalidate-block', { hash: tip }, remoteAddress);
      expect([r.status, r.body.error.code], remoteAddress).toEqual([403, 'ADMIN_LOCAL_ONLY']);
    }
    expect(toHex(node.chain.tip.hash)).toBe(tip);
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const r = await post<ChainChangeJson>('/api/v1/admin/reconsider-block', { hash: tip }, remoteAddress);
      expect(r.status, remoteAddress).toBe(200);
    }
  });
});

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
    expect(node.store.getTxLocation(spendTxid)?.height).toBe(3);
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
      for (const b of blocks) expect(rebuilt.store.getRecord(blockHash(b.header))?.status).toBe(BlockStatus.valid);
      expect(rebuilt.store.getTxLocation(spendTxid)?.height).toBe(3);
    } finally {
      await rebuilt.close();
    }
  });
});

describe('ourcoin admin (CLI against a node process)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('invalidates and reconsiders the tip of a running node', async () => {
    const n = await startNode(['--network', 'regtest', '--datadir', join(dir, 'cli'), '--no-p2p']);
    try {
      await n.post('/api/v1/mine', { blocks: 3, address: encodeAddress(miner.address, regtest) });
      const tip = (await n.get<{ tipHash: string; height: number }>('/api/v1/status')).body;
      const cli = (...args: string[]) =>
        exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'admin', '--node', n.url, ...args]);
      const inv = await cli('invalidate-block', tip.tipHash);
      expect(inv.stdout).toContain(`invalidated ${tip.tipHash}`);
      expect(inv.stdout).toMatch(/height 2\)/);
      expect((await n.get<{ height: number }>('/api/v1/status')).body.height).toBe(2);
      const rec = await cli('reconsider-block', tip.tipHash);
      expect(rec.stdout).toMatch(/height 3\)/);
      expect((await n.get<{ tipHash: string }>('/api/v1/status')).body.tipHash).toBe(tip.tipHash);
      const bad = await cli('invalidate-block', '0x1234').catch((e: { stderr: string; code: number }) => e);
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toMatch(/hash/);
    } finally {
      await n.stop();
    }
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
