/**
 * Recovering from a bad chain by hand, like bitcoind's rpc_invalidateblock: POST
 * /api/v1/blocks (submitblock) and the loopback-only admin routes invalidate-block /
 * reconsider-block (src/api/routes/admin.ts, src/api/routes/blocks.ts), in process.
 */
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../../src/api/server.js';
import { ChainErrorCode } from '../../../../src/chain/interface.js';
import type { ChainChangeJson, SubmitBlockResult } from '../../../../src/api/json.js';
import type { FullNode } from '../../../../src/node/fullNode.js';
import { COIN } from '../../../../src/protocol/amount.js';
import { blockHash, blockTxids, encodeBlock } from '../../../../src/protocol/block.js';
import type { Block } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../../src/protocol/genesis.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { RuleCode } from '../../../../src/protocol/rules/codes.js';
import { buildBlock, testKey, transfer } from '../../../helpers/builder.js';
import { alice, dir, extend, logger, miner, openNode } from '../../../helpers/admin.js';

const hex = (b: Block): string => toHex(encodeBlock(b));
const hashOf = (b: Block): string => toHex(blockHash(b.header));

interface ErrorBody {
  error: { code: string; message: string };
}

describe('block submission and operator routes (in-process node, app.inject)', () => {
  let node: FullNode;
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
    app = await buildApiServer(node.ports, { logger });
  });
  afterAll(async () => {
    await app.close();
    await node.close();
  });

  it('POST /blocks connects a valid block, refuses a lighter branch sent unasked, and reports duplicates', async () => {
    expect((await post<SubmitBlockResult>('/api/v1/blocks', { block: hex(main[0]!) })).body.status).toBe('connected');
    // The mempool sees alice's transfer first, as usual: its signature can come back after a
    // reorg (a block's aggregate signature cannot be split into its parts).
    expect((await node.mempool.submit([spend]))[0]?.accepted).toBe(true);
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
    // A branch lighter than the tip, posted unasked, is not stored (409, policy)...
    const light = await post<ErrorBody>('/api/v1/blocks', { block: hex(side[0]!) });
    expect(light.status).toBe(409);
    expect(light.body.error.code).toBe(ChainErrorCode.forkTooLight);
    expect(node.chain.getRecord(blockHash(side[0]!.header))).toBeUndefined();
    // ...while blocks this node asked for (sync's, after their headers were checked) are.
    for (const b of side) expect(node.chain.processBlock(b).status).toBe('side');
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
    expect(node.chain.getInvalid(blockHash(overpaid.header))?.code).toBe(RuleCode.coinbaseTooLarge);
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

afterAll(() => rmSync(dir, { recursive: true, force: true }));
