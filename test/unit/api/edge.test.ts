/**
 * The HTTP edge (issue 14): every client error keeps its 4xx (static-path traversal, plugin
 * errors), a client that aborts mid-body leaves a debug line only, the cost-based rate limit
 * (a batch of n transfers costs n, a block its transfers, loopback exempt unless included) and
 * the caps on /events subscribers. Servers listen on loopback where sockets matter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/api/errors.js';
import { CostLimiter, MAX_TRACKED_CLIENTS } from '../../../src/api/rateLimit.js';
import { writeOrDrop } from '../../../src/api/routes/events.js';
import { buildApiServer } from '../../../src/api/server.js';
import type { ApiServerOptions } from '../../../src/api/server.js';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { FullNode } from '../../../src/node/fullNode.js';
import { BLOCK_OVERHEAD } from '../../../src/protocol/block.js';
import { regtest } from '../../../src/protocol/networks.js';
import { TRANSFER_LENGTH, transferToJson } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';

const silent = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-edge-'));
const apps: FastifyInstance[] = [];
let node: FullNode;

beforeAll(async () => {
  node = await FullNode.open({
    network: regtest,
    datadir: join(dir, 'node'),
    logger: silent,
    verifier: new BlsSingleThreadVerifier(),
  });
});

afterAll(async () => {
  for (const a of apps) await a.close();
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

async function server(opts: Partial<ApiServerOptions> = {}): Promise<FastifyInstance> {
  const app = await buildApiServer(node.ports, { logger: silent, ...opts });
  apps.push(app);
  return app;
}

async function listening(opts: Partial<ApiServerOptions> = {}): Promise<{ app: FastifyInstance; port: number }> {
  const app = await server(opts);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as { port: number }).port };
}

/** Sends `text` as is (no client-side path normalisation) and resolves to the whole answer. */
function rawRequest(port: number, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
      resolve({ status, body: out.slice(out.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('client errors keep their 4xx', () => {
  it('answers static-path traversal with 400 or 403 and a stable code, never a 5xx', async () => {
    const { port } = await listening();
    const cases: [string, number, string][] = [
      ['/docs/static/..', 403, 'FORBIDDEN'],
      ['/docs/static/../../etc/passwd', 403, 'FORBIDDEN'],
      ['/docs/static/%2e%2e/', 403, 'FORBIDDEN'],
      ['/docs/static/%2e%2e/%2e%2e/etc/passwd', 403, 'FORBIDDEN'],
      ['/docs/static/%00', 400, 'BAD_REQUEST'],
      ['/docs/static/index.html%00.png', 400, 'BAD_REQUEST'],
      ['/docs/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd', 404, 'NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const r = await rawRequest(port, `GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
      expect([path, r.status, errorCode(r.body)]).toEqual([path, status, code]);
      expect(r.body).not.toContain('root:');
    }
  });

  it('keeps the 4xx status of any error that carries one, with a generic message; others are 500', () => {
    const fromPlugin = Object.assign(new Error('ENOENT /secret/path'), { statusCode: 403 });
    expect(classifyError(fromPlugin)).toEqual({ status: 403, code: 'FORBIDDEN', message: 'Forbidden' });
    const httpErrors = Object.assign(new Error('x'), { status: 400 });
    expect(classifyError(httpErrors)).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'Bad Request' });
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(classifyError(aborted).status).toBe(400);
    expect(classifyError(Object.assign(new Error('x'), { statusCode: 431 })).code).toBe('HEADERS_TOO_LARGE');
    expect(classifyError(Object.assign(new Error('x'), { statusCode: 414 })).code).toBe('URI_TOO_LONG');
    expect(classifyError(Object.assign(new Error('bug'), { statusCode: 500 })).status).toBe(500);
    expect(classifyError(new Error('bug'))).toEqual({ status: 500, code: 'INTERNAL', message: 'internal error' });
  });

  it('logs a client that aborts mid-body at debug level, without an error line or a stack', async () => {
    const lines: { level: number; msg: string; err?: unknown }[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as never) });
    const { port } = await listening({ logger });
    const logged = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (lines.some((l) => l.msg === 'client closed the connection mid-request')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        'POST /api/v1/transactions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
          'content-length: 1000\r\n\r\n[{"chainId":',
      ),
    );
    // Waits until the server has the partial body, then goes away.
    await new Promise<void>((resolve) => socket.once('ready', resolve));
    await new Promise<void>((resolve) => socket.end(resolve));
    socket.destroy();
    await logged;
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.some((l) => l.err !== undefined)).toBe(false);
  });
});

describe('cost-based rate limit', () => {
  const alice = testKey(1);
  const bob = testKey(2);
  // Right shape, wrong signature length: each item is refused by the parser, cheaply, but counted.
  const item = { ...transferToJson(transfer(alice, bob.address, 1n, 0).tx, regtest), signature: '0x00' };
  const batch = (n: number): unknown[] => Array.from({ length: n }, () => item);
  const remote = '192.0.2.7';

  /** Posts `url` with `payload` from the remote client, then asks its status: the two answers. */
  async function spendThenAsk(
    app: FastifyInstance,
    url: string,
    payload: InjectOptions['payload'],
  ): Promise<[LightMyRequestResponse, LightMyRequestResponse]> {
    const posted = await app.inject({ method: 'POST', url, payload, remoteAddress: remote });
    return [posted, await app.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: remote })];
  }

  it('charges a batch of 600 transfers 600: the client is out until its budget refills', async () => {
    // 600 a day: the budget refills by one only every 144 s, long after the next request.
    const app = await server({ rateLimit: { max: 600, timeWindowMs: 86_400_000 } });
    const [posted, next] = await spendThenAsk(app, '/api/v1/transactions', batch(600));
    expect(posted.statusCode).toBe(202);
    expect(next.statusCode).toBe(429);
    expect(next.json<{ error: { code: string } }>().error.code).toBe('RATE_LIMITED');
    expect(Number(next.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another client has its own budget.
    const other = await app.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '192.0.2.8' });
    expect(other.statusCode).toBe(200);
  });

  it('lets a client go into debt by one request, then refuses it until the debt is repaid', async () => {
    const app = await server({ rateLimit: { max: 100, timeWindowMs: 60_000 } });
    const [posted, next] = await spendThenAsk(app, '/api/v1/transactions', batch(300));
    expect(posted.statusCode).toBe(202);
    expect(next.statusCode).toBe(429);
    // 200 units in debt at 100 a minute: two minutes and more.
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(120);
  });

  it('charges a block its transfers, even one that is refused', async () => {
    const app = await server({ rateLimit: { max: 50, timeWindowMs: 60_000 } });
    const junk = `0x${'00'.repeat(BLOCK_OVERHEAD + 60 * TRANSFER_LENGTH)}`;
    const [posted, next] = await spendThenAsk(app, '/api/v1/blocks', { block: junk });
    expect(posted.statusCode).toBe(400);
    expect(next.statusCode).toBe(429);
  });

  it('exempts loopback clients by default, and counts them with includeLoopback', async () => {
    const exempt = await server({ rateLimit: { max: 10, timeWindowMs: 60_000 } });
    const included = await server({ rateLimit: { max: 10, timeWindowMs: 60_000, includeLoopback: true } });
    for (const app of [exempt, included]) {
      const posted = await app.inject({ method: 'POST', url: '/api/v1/transactions', payload: batch(600) });
      expect(posted.statusCode).toBe(202);
    }
    expect((await exempt.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(200);
    expect((await included.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(429);
    const v6 = await included.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '::1' });
    expect(v6.statusCode).toBe(200);
  });

  it('refills at max a window and keeps at most MAX_TRACKED_CLIENTS clients', () => {
    let now = 0;
    const limiter = new CostLimiter(60, 60_000, () => now);
    limiter.charge('a', 90);
    expect(limiter.balance('a')).toBe(-30);
    expect(limiter.retryAfterSeconds('a')).toBe(31);
    now += 31_000;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    now += 120_000;
    expect(limiter.balance('a')).toBe(60);

    for (let i = 0; i <= MAX_TRACKED_CLIENTS; i++) limiter.charge(`c${i}`, 1);
    expect(limiter.size).toBeLessThanOrEqual(MAX_TRACKED_CLIENTS);
    // The most recent client is still charged.
    expect(limiter.balance(`c${MAX_TRACKED_CLIENTS}`)).toBe(59);
  });
});

describe('/events subscribers', () => {
  function subscribe(port: number, localAddress = '127.0.0.1'): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/api/v1/events', localAddress }, resolve);
      req.on('error', reject);
    });
  }
  const bodyOf = (res: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    });

  it('caps subscribers per client (429) and in total (503), and frees a slot when one leaves', async () => {
    const { port } = await listening({ events: { maxPerClient: 2, maxTotal: 3 } });
    const a = [await subscribe(port), await subscribe(port)];
    expect(a.map((r) => r.statusCode)).toEqual([200, 200]);
    const third = await subscribe(port);
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(errorCode(await bodyOf(third))).toBe('EVENTS_TOO_MANY_SUBSCRIBERS');

    const b = await subscribe(port, '127.0.0.2');
    expect(b.statusCode).toBe(200);
    const full = await subscribe(port, '127.0.0.3');
    expect(full.statusCode).toBe(503);
    expect(errorCode(await bodyOf(full))).toBe('EVENTS_FULL');

    // One of the first client's streams goes away: it may open another.
    const closed = new Promise((resolve) => a[0]!.socket.once('close', resolve));
    a[0]!.destroy();
    await closed;
    let again = await subscribe(port);
    // The server learns of the close on its own side a moment later: retry until it has.
    while (again.statusCode !== 200) {
      again.destroy();
      again = await subscribe(port);
    }
    expect(again.statusCode).toBe(200);
    for (const r of [a[1]!, b, again]) r.destroy();
  });

  it('drops a subscriber that does not read once its unsent bytes pass the bound', () => {
    // A stream whose reader never takes anything: every write stays buffered.
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined });
    const event = `event: tip\ndata: ${'x'.repeat(200)}\n\n`;
    let written = 0;
    while (writeOrDrop(stuck, event, 16 * 1024)) written++;
    expect(stuck.destroyed).toBe(true);
    expect(written).toBeGreaterThan(10);
    expect(written * event.length).toBeLessThanOrEqual(16 * 1024);
    expect(writeOrDrop(stuck, event, 16 * 1024)).toBe(false);
  });
});
