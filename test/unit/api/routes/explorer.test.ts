/**
 * The explorer's server side: GET /api/v1/events (Server-Sent Events per new tip, listeners
 * removed on disconnect, streams ended on close) and the static files at / (or a 503 naming
 * `npm run build` when there is no build).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../../../src/api/errors.js';
import { registerExplorerRoutes } from '../../../../src/api/routes/explorer.js';
import { buildApiServer } from '../../../../src/api/server.js';
import { BlsSingleThreadVerifier } from '../../../../src/chain/bls/singleThread.js';
import { FullNode } from '../../../../src/node/fullNode.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { blockHash } from '../../../../src/protocol/block.js';
import { testKey } from '../../../helpers/builder.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-explorer-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads SSE frames from a fetch body until `count` `tip` events arrived. */
async function readTips(body: ReadableStream<Uint8Array>, count: number): Promise<{ events: unknown[]; raw: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  const events: unknown[] = [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value, { stream: true });
    const frames = raw.split('\n\n');
    events.length = 0;
    for (const f of frames) {
      const data = /^event: tip\n(?:id: \d+\n)?data: (.*)$/m.exec(f);
      if (f.includes('event: tip') && data) events.push(JSON.parse(data[1]!));
    }
  }
  await reader.cancel();
  return { events, raw };
}

describe('GET /api/v1/events', () => {
  it('streams one tip event per new block, drops the chain listener on disconnect, and does not hold up close()', async () => {
    const node = await FullNode.open({
      network: regtest,
      datadir: join(dir, 'sse'),
      logger,
      verifier: new BlsSingleThreadVerifier(),
    });
    const app = await buildApiServer(node.ports, { logger });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const listeners = (): number => (node.chain as unknown as { listeners: unknown[] }).listeners.length;
    const before = listeners();

    const res = await fetch(`${url}/api/v1/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await expect.poll(listeners).toBe(before + 1);
    const mined = node.miner.mineBlocks(2, testKey(1).address);
    const { events, raw } = await readTips(res.body!, 2);
    expect(raw).toMatch(/^retry: \d+\n: connected\n\n/);
    expect(events).toEqual(
      mined.map((b) => ({
        height: b.header.height,
        hash: toHex(blockHash(b.header)),
        transfers: 0,
        timestamp: b.header.timestamp,
      })),
    );
    // The client went away: the listener is gone.
    await expect.poll(listeners).toBe(before);

    // A stream still open when the server closes is ended, so close() returns promptly.
    const open = await fetch(`${url}/api/v1/events`);
    await expect.poll(listeners).toBe(before + 1);
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(listeners()).toBe(before);
    await open.body?.cancel().catch(() => undefined);
    await node.close();
  });
});

describe('explorer static files at /', () => {
  async function server(explorerDir: string): Promise<FastifyInstance> {
    const app = fastify();
    installErrorHandlers(app);
    registerExplorerRoutes(app, explorerDir);
    await app.ready();
    return app;
  }

  it('answers 503 saying to run `npm run build` when the explorer is not built', async () => {
    const app = await server(join(dir, 'missing'));
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: { code: 'EXPLORER_NOT_BUILT' } });
    expect(r.json<{ error: { message: string } }>().error.message).toContain('npm run build');
    await app.close();
  });

  it('serves index.html with a strict CSP, hashed assets as immutable, and nothing outside the build', async () => {
    const built = join(dir, 'built');
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.js'), 'nope');
    const app = await server(built);

    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.body).toContain('<title>x</title>');

    const js = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');

    for (const url of ['/assets/missing.js', '/assets/..%2f..%2fsecret.js', '/assets/../secret.js', '/assets/x.exe']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    await app.close();
  });
});
