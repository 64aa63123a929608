/**
 * Issue 14, the HTTP edge, against a real node process on loopback: slow uploads and idle
 * connections are cut off by the server timeouts, an /events flood gets its cap codes,
 * static-path traversal gets 4xx, a client that aborts mid-body leaves no error line, and the
 * rate limit charges a batch its transfers. After each: the process is alive, GET /status
 * answers, no 5xx, and RSS stays under RSS_CEILING_MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_LIMITS } from '../../../src/api/routes/events.js';
import {
  CONNECTIONS_CHECK_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from '../../../src/api/server.js';
import { regtest } from '../../../src/protocol/networks.js';
import { transferToJson } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, memoryOf, startNode, waitFor } from '../../helpers/nodeProcess.js';
import type { NodeProcess } from '../../helpers/nodeProcess.js';

/** A node at rest is ~300 MB here; sockets and streams must not add hundreds more. */
const RSS_CEILING_MB = 600;
/** Slack over a timeout for the server's periodic check and a loaded 2-core machine. */
const MARGIN_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-bounds-http-'));
const nodes: NodeProcess[] = [];
let node: NodeProcess;
let port: number;

beforeAll(async () => {
  node = await startNode(['--network', 'regtest', '--datadir', join(dir, 'node'), '--no-p2p', '--log-level', 'debug']);
  nodes.push(node);
  port = Number(new URL(node.url).port);
}, PROCESS_TEST_TIMEOUT_MS);

afterAll(async () => {
  for (const n of nodes) expect(await n.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

/** The process runs, answers GET /status, stays under the RSS ceiling and logged no 5xx. */
async function expectHealthy(n: NodeProcess): Promise<void> {
  expect(n.proc.exitCode).toBeNull();
  expect((await n.get('/api/v1/status')).status).toBe(200);
  expect(memoryOf(n.proc.pid!).rssMb).toBeLessThan(RSS_CEILING_MB);
  // 503 is the deliberate "full, come back later" (EVENTS_FULL); any other 5xx is a fault.
  expect(n.output()).not.toMatch(/"status":5(?!03)\d\d/);
  expect(n.output()).not.toContain('"level":50');
}

function open(text?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (text !== undefined) socket.write(text);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

interface Closed {
  readonly ms: number;
  readonly answer: string;
}

/** Resolves when the server closes `socket`: after how long, and what it said before. */
function closedBy(socket: Socket, since: number): Promise<Closed> {
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  return new Promise((resolve) => socket.once('close', () => resolve({ ms: Date.now() - since, answer })));
}

function subscribe(localAddress: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/events', localAddress }, resolve);
    req.on('error', reject);
    req.end();
  });
}

const bodyOf = (res: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    res.on('data', (d: Buffer) => (text += d.toString()));
    res.on('end', () => resolve(text));
  });

describe('bounds: the HTTP edge', () => {
  it(
    'closes slow uploads, silent sockets and idle keep-alive connections within their timeouts',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const start = Date.now();
      const head = (n: number): string =>
        `POST /api/v1/transactions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\n\r\n`;
      // 10 uploads announcing 1000 bytes and trickling one every 5 s (never idle long enough
      // for the idle timeout: the whole-request timeout must cut them off).
      const trickling = await Promise.all(Array.from({ length: 10 }, () => open(`${head(1000)}[`)));
      const trickle = setInterval(() => trickling.forEach((s) => s.writable && s.write(' ')), 5_000);
      // 5 sockets that never send a byte; 5 that send half a header line.
      const silent = await Promise.all(Array.from({ length: 5 }, () => open()));
      const halfHeaders = await Promise.all(Array.from({ length: 5 }, () => open('GET /api/v1/status HTTP/1.1\r\nho')));
      // 5 keep-alive connections that finish one request and then say nothing.
      const keptAlive = await Promise.all(
        Array.from({ length: 5 }, () => open('GET /api/v1/status HTTP/1.1\r\nhost: localhost\r\n\r\n')),
      );
      const closes = {
        trickling: trickling.map((s) => closedBy(s, start)),
        silent: silent.map((s) => closedBy(s, start)),
        halfHeaders: halfHeaders.map((s) => closedBy(s, start)),
        keptAlive: keptAlive.map((s) => closedBy(s, start)),
      };
      try {
        const trickled = await Promise.all(closes.trickling);
        for (const c of trickled) {
          expect(c.ms).toBeLessThan(REQUEST_TIMEOUT_MS + CONNECTIONS_CHECK_INTERVAL_MS + MARGIN_MS);
          expect(c.answer).toMatch(/^(HTTP\/1\.1 408|$)/);
        }
        for (const c of [...(await Promise.all(closes.silent)), ...(await Promise.all(closes.halfHeaders))]) {
          expect(c.ms).toBeLessThan(HEADERS_TIMEOUT_MS + CONNECTIONS_CHECK_INTERVAL_MS + MARGIN_MS);
          expect(c.answer).toMatch(/^(HTTP\/1\.1 408|$)/);
        }
        for (const c of await Promise.all(closes.keptAlive)) {
          expect(c.answer).toMatch(/^HTTP\/1\.1 200/);
          expect(c.ms).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS);
        }
      } finally {
        clearInterval(trickle);
      }
      await expectHealthy(node);
    },
  );

  it(
    'answers an /events flood with 429 per client and 503 in total, then serves again',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const { maxPerClient, maxTotal } = DEFAULT_EVENT_LIMITS;
      // One client past its share.
      const mine = await Promise.all(Array.from({ length: maxPerClient + 4 }, () => subscribe('127.0.0.1')));
      const refused = mine.filter((r) => r.statusCode !== 200);
      expect(mine.filter((r) => r.statusCode === 200)).toHaveLength(maxPerClient);
      expect(refused.map((r) => r.statusCode)).toEqual([429, 429, 429, 429]);
      for (const r of refused)
        expect(JSON.parse(await bodyOf(r))).toMatchObject({ error: { code: 'EVENTS_TOO_MANY_SUBSCRIBERS' } });

      // Many clients (other loopback addresses), each within its share, past the total.
      const clients = Math.ceil(maxTotal / maxPerClient) + 2;
      const others: IncomingMessage[] = [];
      for (let c = 2; c < clients + 2; c++) {
        others.push(...(await Promise.all(Array.from({ length: maxPerClient }, () => subscribe(`127.0.0.${c}`)))));
      }
      const all = [...mine, ...others];
      expect(all.filter((r) => r.statusCode === 200)).toHaveLength(maxTotal);
      const full = others.filter((r) => r.statusCode === 503);
      expect(full.length).toBeGreaterThan(0);
      expect(JSON.parse(await bodyOf(full[0]!))).toMatchObject({ error: { code: 'EVENTS_FULL' } });
      expect(all.every((r) => r.statusCode === 200 || r.statusCode === 429 || r.statusCode === 503)).toBe(true);
      await expectHealthy(node);

      // Every stream goes away: a new subscriber is served again once the node has seen them go.
      for (const r of all) r.destroy();
      await waitFor('a subscriber served again', async () => {
        const r = await subscribe('127.0.0.1');
        r.destroy();
        return r.statusCode === 200;
      });
      await expectHealthy(node);
    },
  );

  it('answers static-path traversal with 4xx and a stable code', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    for (const path of [
      '/docs/static/..',
      '/docs/static/../../etc/passwd',
      '/docs/static/%2e%2e/',
      '/docs/static/%2e%2e/%2e%2e/etc/passwd',
      '/docs/static/%00',
    ]) {
      const socket = await open(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
      const { answer } = await closedBy(socket, Date.now());
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      const code = (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }).error.code;
      expect([path, status, code]).toEqual([
        path,
        status === 403 ? 403 : 400,
        status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST',
      ]);
      expect(answer).not.toContain('root:');
    }
    await expectHealthy(node);
  });

  it(
    'logs a client that aborts mid-body at debug level, with no error line',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const before = node.output().split('client closed the connection mid-request').length;
      for (let i = 0; i < 5; i++) {
        const socket = await open(
          'POST /api/v1/transactions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
            'content-length: 5000\r\n\r\n[{"chainId":',
        );
        await new Promise<void>((resolve) => socket.end(resolve));
        socket.destroy();
      }
      await waitFor('five debug lines about clients gone mid-request', () =>
        Promise.resolve(node.output().split('client closed the connection mid-request').length >= before + 5),
      );
      await expectHealthy(node);
    },
  );

  it(
    'charges a batch its transfers when loopback is rate limited; exempts loopback by default',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const item = {
        ...transferToJson(transfer(testKey(1), testKey(2).address, 1n, 0).tx, regtest),
        signature: '0x00',
      };
      const batch = Array.from({ length: 1000 }, () => item);
      // Exempt by default: a loopback wallet may send a batch of 1000 and go on.
      expect((await node.post('/api/v1/transactions', batch)).status).toBe(202);
      expect((await node.get('/api/v1/status')).status).toBe(200);

      const limited = await startNode([
        '--network',
        'regtest',
        '--datadir',
        join(dir, 'limited'),
        '--no-p2p',
        '--rate-limit',
        '600',
        '--rate-limit-loopback',
      ]);
      nodes.push(limited);
      expect((await limited.post('/api/v1/transactions', batch)).status).toBe(202);
      const res = await fetch(`${limited.url}/api/v1/status`);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      // Alive and answering: the node's status, counted against no one but this caller.
      expect(limited.proc.exitCode).toBeNull();
      expect(memoryOf(limited.proc.pid!).rssMb).toBeLessThan(RSS_CEILING_MB);
      expect(limited.output()).not.toContain('"level":50');
      await expectHealthy(node);
    },
  );
});
