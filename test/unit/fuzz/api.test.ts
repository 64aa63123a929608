/**
 * Property-based fuzzing (fast-check) of the HTTP API, in-process through `app.inject`, on a
 * regtest node with blocks, funded accounts and pending transfers.
 *
 * Every route gets random and mutated input: path parameters and query strings (unicode,
 * negatives, huge numbers, `..`, percent-encoding), and for POST routes random JSON, mutated
 * valid bodies, wrong types, huge strings, deep nesting and non-JSON bodies under various
 * content types. Properties: never a 500 (nor a 429: the limiter is raised so it masks
 * nothing), every error is `{ error: { code, message } }` with a stable code, and a request
 * that is refused (or only reads) leaves the chain, the mempool and the accounts unchanged.
 *
 * Routes are a table (ROUTES); a test fails when the API documents a route the table lacks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorCode } from '../../../src/api/errors.js';
import { buildApiServer } from '../../../src/api/server.js';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { MempoolErrorCode } from '../../../src/mempool/interface.js';
import { FullNode } from '../../../src/node/fullNode.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { MAX_MONEY } from '../../../src/protocol/amount.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { transferToJson, transferTxid } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';
import { STABLE_CODES, mutatedJson, nastyString } from '../../helpers/fuzz.js';
import type { Json } from '../../helpers/fuzz.js';
import { scaled } from '../../helpers/long.js';

const RUNS = scaled(100, 2000);
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-fuzz-api-'));

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const addr = (hash: Uint8Array): string => encodeAddress(hash, regtest);
const asJson = (s: SignedTransfer): Json => transferToJson(s.tx, regtest, s.signature) as unknown as Json;

let node: FullNode;
let app: FastifyInstance;
/** Valid inputs to mutate, filled in once the chain exists. */
const seeds = { blockHashes: [] as string[], blocks: [] as string[], txids: [] as string[], transfers: [] as Json[] };

beforeAll(async () => {
  node = await FullNode.open({
    network: regtest,
    datadir: join(dir, 'node'),
    logger,
    verifier: new BlsSingleThreadVerifier(),
  });
  // High enough that no fuzz run meets it: a 429 would hide what the route itself answers.
  app = await buildApiServer(node.ports, { logger, rateLimit: { max: 1e9, timeWindowMs: 60_000 } });
  const mined = [...node.miner.mineBlocks(3, alice.address), ...node.miner.mineBlocks(1, bob.address)];
  const confirmed = transfer(alice, carol.address, 10_000n, 0);
  await node.mempool.submit([confirmed]);
  mined.push(...node.miner.mineBlocks(1, carol.address));
  const pending = [transfer(alice, bob.address, 5000n, 1), transfer(bob, carol.address, 7000n, 0, 2000n)];
  const results = await node.mempool.submit(pending);
  expect(results.every((r) => r.accepted)).toBe(true);
  // Not yet submitted: a mutation of it that stays valid is accepted, which is allowed.
  const fresh = transfer(alice, carol.address, 1n, 2);
  seeds.blockHashes = mined.map((b) => toHex(blockHash(b.header)));
  seeds.blocks = mined.map((b) => toHex(encodeBlock(b)));
  seeds.txids = [confirmed, ...pending].map((s) => toHex(transferTxid(s.tx)));
  seeds.transfers = [confirmed, ...pending, fresh].map(asJson);
});

afterAll(async () => {
  await app.close();
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- state

/** Everything a request could change: tip, mempool, orphans and some accounts. */
function snapshot(): string {
  const accounts = [alice, bob, carol].map((k) => {
    const a = node.chain.getAccount(k.address);
    return `${a.balance}/${a.nonce}`;
  });
  const mempool = node.mempool
    .entries()
    .map((e) => toHex(e.txid))
    .sort();
  return JSON.stringify({
    tip: toHex(node.chain.tip.hash),
    height: node.chain.tip.height,
    orphans: node.chain.orphanCount,
    mempool,
    accounts,
  });
}

// ---------------------------------------------------------------- input arbitraries

/** Percent-encodes text; lone surrogates (which encodeURIComponent refuses) become U+FFFD first. */
const enc = (s: string): string => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

/** A path segment or query value: hostile text, numbers at the edges, and mutated valid values. */
const fuzzText: fc.Arbitrary<string> = fc.oneof(
  nastyString.map(enc),
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f..%2fpackage.json',
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    '%ff',
    '-1',
    '-0',
    '0',
    '1',
    '01',
    '1.5',
    '1e3',
    '4294967295',
    '4294967296',
    '9999999999',
    '99999999999999999999',
    'true',
    '0x',
    '0X' + 'AB'.repeat(32),
  ),
  fc.integer().map(String),
  fc.constant(0).chain(() => fc.constantFrom(...seeds.blockHashes, ...seeds.txids)),
  fc
    .constant(0)
    .chain(() =>
      mutatedJson(fc.constantFrom(...seeds.blockHashes, ...seeds.txids, addr(alice.address), addr(bob.address))),
    )
    .map((v) => enc(typeof v === 'string' ? v : JSON.stringify(v))),
  fc.constantFrom(addr(alice.address), addr(bob.address).toUpperCase(), addr(carol.address)),
);

/** A query string with the route's own keys (and others), values from `fuzzText`, keys repeated. */
function queryOf(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys, 'x', '__proto__', 'constructor'), nastyString.map(enc));
  return fc
    .array(fc.tuple(key, fuzzText), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')));
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/vnd.api+json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  undefined,
] as const;

/** Deep nesting, built as text: JSON.stringify of such a value would itself recurse. */
const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('array', 'object', 'proto'))
  .map(([depth, kind]) => {
    if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    if (kind === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return '{"__proto__":'.repeat(depth) + '{}' + '}'.repeat(depth);
  });

interface Body {
  readonly payload: string | Buffer;
  readonly contentType: string | undefined;
}

/** Mostly labelled JSON, so that most bodies get past the content-type check to the route. */
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
);

/** POST bodies: random and mutated JSON (as JSON or mislabelled), deep nesting, huge strings, junk. */
function bodyOf(valid: () => fc.Arbitrary<Json>): fc.Arbitrary<Body> {
  const json = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constant(0)
        .chain(() => mutatedJson(valid()))
        .map((v) => JSON.stringify(v)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constant(0)
        .chain(valid)
        .map((v) => JSON.stringify(v)),
    },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: deepJson },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 1_200_000 }).map((n) => JSON.stringify({ amount: 'x'.repeat(n) })),
    },
  );
  const junk = fc.oneof(
    nastyString,
    fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
    fc.constantFrom('{', '{"a":', 'nul', '[1,]', '"\\ud800"', '{"a":1}{"b":2}', '{"chainId":1e400}', '{"nonce":-0}'),
  );
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(json, contentType).map(([payload, type]): Body => ({ payload, contentType: type })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(junk, contentType).map(([payload, type]): Body => ({ payload, contentType: type })),
    },
  );
}

/** Well-typed replacements per field, so that edits pass the schema and reach the parser, the keys and the mempool. */
function fieldValues(): Record<string, readonly Json[]> {
  const hexes = seeds.transfers.map((t) => t as Record<string, Json>);
  const flip = (h: string): string => h.slice(0, 10) + (h[10] === '0' ? '1' : '0') + h.slice(11);
  return {
    chainId: [0, regtest.chainId + 1, devnet.chainId, 0xffff_ffff],
    senderPublicKey: [
      ...hexes.map((t) => t.senderPublicKey!),
      flip(hexes[0]!.senderPublicKey as string),
      '0xc0' + '00'.repeat(47),
      '0x' + 'ff'.repeat(48),
    ],
    recipient: [addr(alice.address), addr(bob.address).toUpperCase(), encodeAddress(carol.address, devnet)],
    amount: ['0', '1', String(MAX_MONEY), String(MAX_MONEY + 1n), '1'.repeat(40)],
    fee: ['0', '999', '1000', '100000000', String(MAX_MONEY)],
    nonce: [0, 1, 2, 3, 66, Number.MAX_SAFE_INTEGER],
    signature: [...hexes.map((t) => t.signature!), flip(hexes[0]!.signature as string), '0xc0' + '00'.repeat(95)],
  };
}

/** A valid transfer with one field swapped for another well-typed value. */
const editedTransfer = (): fc.Arbitrary<Json> => {
  const values = fieldValues();
  return fc
    .tuple(fc.constantFrom(...seeds.transfers), fc.constantFrom(...Object.keys(values)))
    .chain(([t, field]) =>
      fc.constantFrom(...values[field]!).map((v) => ({ ...(t as Record<string, Json>), [field]: v })),
    );
};

/** A valid body for POST /transactions: one transfer or a small batch, or a well-typed edit of one. */
const transferBody = (): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.constantFrom(...seeds.transfers),
    fc.subarray(seeds.transfers, { minLength: 1 }),
    editedTransfer(),
    fc.array(editedTransfer(), { minLength: 1, maxLength: 4 }),
  );

// ---------------------------------------------------------------- the route table

interface Request {
  readonly url: string;
  readonly body?: Body;
}

interface RouteFuzz {
  readonly method: 'GET' | 'POST';
  /** The route as the OpenAPI document spells it (or Fastify's path, for hidden routes). */
  readonly route: string;
  /** Built lazily: seeds exist only after beforeAll. */
  readonly requests: () => fc.Arbitrary<Request>;
  /** Why the route is not fuzzed, when it is not. */
  readonly skip?: string;
}

const get = (
  route: string,
  url: (q: string) => fc.Arbitrary<string>,
  queryKeys: readonly string[] = [],
): RouteFuzz => ({
  method: 'GET',
  route,
  requests: () => queryOf(queryKeys).chain((q) => url(q).map((u) => ({ url: u }))),
});
const at = (path: string) => (q: string) => fc.constant(path + q);
const withSegment = (build: (s: string) => string) => (q: string) => fuzzText.map((s) => build(s) + q);
const post = (route: string, valid: () => fc.Arbitrary<Json>): RouteFuzz => ({
  method: 'POST',
  route,
  requests: () => fc.tuple(queryOf(['x']), bodyOf(valid)).map(([q, body]) => ({ url: route + q, body })),
});

const ROUTES: readonly RouteFuzz[] = [
  get('/api/v1/status', at('/api/v1/status')),
  get('/api/v1/peers', at('/api/v1/peers')),
  get('/api/v1/fees', at('/api/v1/fees')),
  post('/api/v1/peers', () =>
    fc.constantFrom(
      { address: '/ip4/127.0.0.1/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N' },
      { address: '' },
    ),
  ),
  get('/api/v1/blocks', at('/api/v1/blocks'), ['from', 'limit', 'order']),
  get(
    '/api/v1/blocks/{hashOrHeight}',
    withSegment((s) => `/api/v1/blocks/${s}`),
  ),
  get(
    '/api/v1/blocks/{hashOrHeight}/raw',
    withSegment((s) => `/api/v1/blocks/${s}/raw`),
  ),
  get('/api/v1/headers', at('/api/v1/headers'), ['from', 'count']),
  post('/api/v1/transactions', transferBody),
  get(
    '/api/v1/transactions/{txid}',
    withSegment((s) => `/api/v1/transactions/${s}`),
  ),
  get(
    '/api/v1/transactions/{txid}/proof',
    withSegment((s) => `/api/v1/transactions/${s}/proof`),
  ),
  get(
    '/api/v1/addresses/{address}',
    withSegment((s) => `/api/v1/addresses/${s}`),
  ),
  get(
    '/api/v1/addresses/{address}/transactions',
    withSegment((s) => `/api/v1/addresses/${s}/transactions`),
    ['limit', 'offset'],
  ),
  get(
    '/api/v1/addresses/{address}/balance-history',
    withSegment((s) => `/api/v1/addresses/${s}/balance-history`),
    ['limit'],
  ),
  get('/api/v1/mempool', at('/api/v1/mempool'), ['limit']),
  get('/api/v1/mempool/summary', at('/api/v1/mempool/summary')),
  get('/api/v1/search', at('/api/v1/search'), ['q', 'limit']),
  post('/api/v1/mine', () =>
    fc.constantFrom({ blocks: 1, address: addr(carol.address) }, { blocks: 2, address: addr(bob.address) }),
  ),
  // Known blocks (answered "duplicate"), so mutations reach the decoder and every rule.
  post('/api/v1/blocks', () => fc.constantFrom(...seeds.blocks.map((block) => ({ block })))),
  // Valid shapes that are refused (genesis, unknown): a successful invalidation would move the
  // tip under the other routes' feet, and test/unit/api/routes/admin.test.ts covers it.
  post('/api/v1/admin/invalidate-block', () =>
    fc.constantFrom({ hash: toHex(blockHash(genesisBlock(regtest).header)) }, { hash: '0x' + '11'.repeat(32) }),
  ),
  post('/api/v1/admin/reconsider-block', () => fc.constantFrom(...seeds.blockHashes.map((hash) => ({ hash })))),
  {
    method: 'GET',
    route: '/api/v1/events',
    requests: () => fc.constant({ url: '/api/v1/events' }),
    skip: 'a server-sent event stream: it never ends (its query is checked in unit/api/routes/explorerData)',
  },
  get('/blocks', at('/blocks'), ['from', 'limit', 'order']),
  post('/txion', transferBody),
  get('/metrics', at('/metrics'), ['x']),
  // Hidden from the OpenAPI document: the explorer's files and the docs UI (static files, so `..` matters).
  get('/', at('/')),
  get(
    '/assets/*',
    withSegment((s) => `/assets/${s}`),
  ),
  get(
    '/docs/*',
    withSegment((s) => `/docs/${s}`),
  ),
  // No such route, any method: the not-found handler answers, in the same error shape.
  get(
    '(unknown)',
    withSegment((s) => `/${s}`),
  ),
];

// ---------------------------------------------------------------- properties

/** 503s that say "not now" by design: the explorer is not built here (no dist/), a full mempool. */
const EXPECTED_503: ReadonlySet<string> = new Set([ApiErrorCode.explorerNotBuilt, MempoolErrorCode.full]);

async function send(method: string, req: Request): Promise<LightMyRequestResponse> {
  const opts: InjectOptions = { method: method as InjectOptions['method'], url: req.url };
  if (req.body) {
    opts.payload = req.body.payload;
    if (req.body.contentType !== undefined) opts.headers = { 'content-type': req.body.contentType };
  }
  return app.inject(opts);
}

/** The API's promises for any request: no 5xx (but the expected 503s), no 429, the error shape. */
function expectWellFormed(res: LightMyRequestResponse): void {
  expect(res.statusCode).not.toBe(429);
  if (res.statusCode < 400) return;
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json<{ error: { code: string; message: string } }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(typeof body.error.message).toBe('string');
  expect(STABLE_CODES).toContain(body.error.code);
  if (res.statusCode >= 500) {
    expect(res.statusCode).toBe(503);
    expect([...EXPECTED_503]).toContain(body.error.code);
  }
}

/** A batch answered 202 in which no item was accepted is a refusal too. */
function refused(res: LightMyRequestResponse): boolean {
  if (res.statusCode >= 400) return true;
  if (res.statusCode !== 202) return false;
  const body = res.json<unknown>();
  return Array.isArray(body) && body.every((item: { accepted?: boolean }) => item.accepted === false);
}

describe('fuzz: HTTP API', () => {
  it('the table covers every documented route', () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const fuzzed = new Set(ROUTES.map((r) => `${r.method} ${r.route}`));
    expect(documented.filter((r) => !fuzzed.has(r))).toEqual([]);
  });

  describe.each(ROUTES.filter((r) => r.skip === undefined))('$method $route', (r) => {
    it('random and mutated input: no 5xx, the error shape, no state change unless accepted', async () => {
      await fc.assert(
        fc.asyncProperty(r.requests(), async (req) => {
          const before = snapshot();
          const res = await send(r.method, req);
          expectWellFormed(res);
          if (r.method === 'GET' || refused(res)) expect(snapshot()).toBe(before);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('any other method on any route: 404 in the error shape, nothing changes', async () => {
    const req = fc.tuple(
      fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      fc.constantFrom(...ROUTES.map((r) => r.route.replace(/\{[^}]+\}|\*/g, 'x'))),
    );
    await fc.assert(
      fc.asyncProperty(req, async ([method, url]) => {
        const before = snapshot();
        const res = await send(method, { url });
        expect(res.statusCode).toBe(404);
        expectWellFormed(res);
        expect(snapshot()).toBe(before);
      }),
      { numRuns: scaled(30, 300) },
    );
  });
});

describe('fuzz regressions: HTTP API', () => {
  // Ajv coerced "Infinity" to Infinity and skipped maximum: SQLite got LIMIT Infinity (500).
  it.each([
    '/api/v1/addresses/ADDR/transactions?limit=Infinity',
    '/api/v1/addresses/ADDR/transactions?offset=1e400',
    '/api/v1/blocks?limit=Infinity',
    '/api/v1/blocks?from=-Infinity',
    '/api/v1/mempool?limit=Infinity',
    '/blocks?from=1e400',
  ])('GET %s is 400 BAD_REQUEST, not 500', async (url) => {
    const res = await send('GET', { url: url.replace('ADDR', addr(alice.address)) });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe(ApiErrorCode.badRequest);
  });
});
