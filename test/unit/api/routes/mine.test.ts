/**
 * POST /api/v1/mine (src/api/routes/mine.ts), in process: loopback clients only, one request
 * at a time, and the event loop served between batches of blocks.
 */
import { rmSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../../src/api/server.js';
import type { MineResult } from '../../../../src/api/json.js';
import type { FullNode } from '../../../../src/node/fullNode.js';
import { encodeAddress } from '../../../../src/protocol/address.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { dir, logger, miner, openNode } from '../../../helpers/admin.js';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('POST /api/v1/mine', () => {
  let node: FullNode;
  let app: FastifyInstance;
  const address = encodeAddress(miner.address, regtest);

  const mine = async <T>(blocks: number, remoteAddress = '127.0.0.1'): Promise<{ status: number; body: T }> => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/mine', payload: { blocks, address }, remoteAddress });
    return { status: r.statusCode, body: r.json<T>() };
  };

  beforeAll(async () => {
    node = await openNode('mine');
    app = await buildApiServer(node.ports, { logger });
  });
  afterAll(async () => {
    await app.close();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers loopback clients only', async () => {
    for (const remote of ['10.0.0.7', '2001:db8::1', '::ffff:192.0.2.1']) {
      const r = await mine<ErrorBody>(1, remote);
      expect([remote, r.status, r.body.error.code]).toEqual([remote, 403, 'ADMIN_LOCAL_ONLY']);
    }
    expect(node.chain.tip.height).toBe(0);
    const local = await mine<MineResult>(2, '::1');
    expect([local.status, local.body.height, local.body.hashes.length]).toEqual([200, 2, 2]);
  });

  it('mines one request at a time, serving other requests between its batches', async () => {
    const start = node.chain.tip.height;
    const first = mine<MineResult>(300);
    // The first request is under way (its first batch is in) and far from done: a second is refused.
    while (node.chain.tip.height === start) await nextTurn();
    const status = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(status.statusCode).toBe(200);
    const second = await mine<ErrorBody>(1);
    expect([second.status, second.body.error.code]).toEqual([409, 'MINE_BUSY']);
    const done = await first;
    expect([done.status, done.body.hashes.length, done.body.height]).toEqual([200, 300, start + 300]);
    expect(done.body.hashes.at(-1)).toBe(`0x${Buffer.from(node.chain.tip.hash).toString('hex')}`);
    // Free again once it has answered.
    expect((await mine<MineResult>(1)).body.height).toBe(start + 301);
  });
});
