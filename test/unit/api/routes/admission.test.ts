/**
 * The admission gate of transaction submissions (src/api/routes/transactions.ts): a client
 * whose share of transfers is already waiting gets 429 MEMPOOL_BUSY with Retry-After before
 * its body is read, on POST /api/v1/transactions and the legacy POST /txion; others go on
 * (the node's own gate: its BLS verification service).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApiServer } from '../../../../src/api/server.js';
import { BlsMultiThreadVerifier } from '../../../../src/chain/bls/multithread.js';
import { FullNode } from '../../../../src/node/fullNode.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { transferToJson } from '../../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../../helpers/builder.js';
import { dir, logger } from '../../../helpers/admin.js';
import { join } from 'node:path';

const FLOODER = '198.51.100.7';
const OTHER = '198.51.100.8';

describe('admission gate of transaction submissions', () => {
  let node: FullNode;
  let app: FastifyInstance;
  let flood: Promise<unknown>;

  beforeAll(async () => {
    node = await FullNode.open({
      network: regtest,
      datadir: join(dir, 'admission'),
      logger,
      // Two sets a client at most; sets are held until three wait (or a minute passes).
      verifier: new BlsMultiThreadVerifier({
        threads: 1,
        maxQueuedPerSource: 2,
        maxBufferedSets: 3,
        bufferWaitMs: 60_000,
      }),
    });
    app = await buildApiServer(node.ports, { logger });
    // FLOODER's share is taken: two of its transfers wait for their signature check.
    const sender = testKey(63);
    flood = node.mempool.submit(
      [0, 1].map((nonce) => transfer(sender, testKey(64).address, 1000n, nonce)),
      {
        source: FLOODER,
      },
    );
    expect(node.ports.admission.admits(FLOODER)).toBe(false);
  });
  afterAll(async () => {
    await app.close();
    await node.close();
  });

  it.each(['/api/v1/transactions', '/txion'])(
    'answers %s 429 MEMPOOL_BUSY with Retry-After before reading the body',
    async (url) => {
      const submit = vi.spyOn(node.mempool, 'submit');
      // Not even JSON: had the body been parsed, this would be 400 BAD_JSON.
      const r = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '[{"not json',
        remoteAddress: FLOODER,
      });
      expect(r.statusCode).toBe(429);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toMatchObject({ error: { code: 'MEMPOOL_BUSY' } });
      expect(submit).not.toHaveBeenCalled();
      submit.mockRestore();
    },
  );

  it('lets another client through to the mempool, with its IP as the source', async () => {
    const submit = vi.spyOn(node.mempool, 'submit');
    const stx = transfer(testKey(61), testKey(62).address, 1000n, 0);
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: transferToJson(stx.tx, regtest, stx.signature),
      remoteAddress: OTHER,
    });
    // Parsed and checked: the sender has no funds on this fresh chain.
    expect(r.json()).toMatchObject({ error: { code: 'MEMPOOL_INSUFFICIENT_BALANCE' } });
    expect(submit).toHaveBeenCalledWith([stx], { source: OTHER });
    submit.mockRestore();
    // Its set made three waiting: all were checked, and FLOODER has room again.
    await flood;
    expect(node.ports.admission.admits(FLOODER)).toBe(true);
  });

  it('leaves reads alone', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: FLOODER });
    expect(r.statusCode).toBe(200);
  });
});
