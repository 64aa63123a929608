/**
 * The HTTP API against a real regtest node (and a devnet one, never mined) in temp data
 * directories, through `app.inject`: routes, status codes, stable error codes for a matrix
 * of bad inputs (never a 500), batches, rate limiting, CORS, the OpenAPI document and the
 * SimpleCoin aliases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../src/api/server.js';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { FullNode } from '../../../src/node/fullNode.js';
import { COIN } from '../../../src/protocol/amount.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { blockFromJson, blockHash } from '../../../src/protocol/block.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { transferToJson } from '../../../src/protocol/transaction.js';
import type { SignedTransfer, TransferJson } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';
import type { AddressInfo, BatchItemResult, BlockDetail, BlockPage, StatusJson } from '../../../src/api/json.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-api-'));
const opened: FullNode[] = [];
const apps: FastifyInstance[] = [];

let node: FullNode;
let app: FastifyInstance;

async function openNode(network: typeof regtest, name: string): Promise<FullNode> {
  const n = await FullNode.open({ network, datadir: join(dir, name), logger, verifier: new BlsSingleThreadVerifier() });
  opened.push(n);
  return n;
}

async function server(
  n: FullNode,
  opts: Omit<Parameters<typeof buildApiServer>[1], 'logger'> = {},
): Promise<FastifyInstance> {
  const a = await buildApiServer(n.ports, { logger, ...opts });
  apps.push(a);
  return a;
}

beforeAll(async () => {
  node = await openNode(regtest, 'regtest');
  app = await server(node);
});

afterAll(async () => {
  for (const a of apps) await a.close();
  for (const n of opened) await n.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Res<T> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}
interface ErrorBody {
  error: { code: string; message: string };
}

async function call<T = unknown>(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  a: FastifyInstance = app,
  extra: Partial<InjectOptions> = {},
): Promise<Res<T>> {
  const r = await a.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    ...extra,
  });
  return { status: r.statusCode, body: r.json<T>(), headers: r.headers };
}
const get = <T = unknown>(url: string, a?: FastifyInstance): Promise<Res<T>> => call<T>('GET', url, undefined, a);
const post = <T = unknown>(url: string, body: unknown, a?: FastifyInstance): Promise<Res<T>> =>
  call<T>('POST', url, body, a);

const addr = (hash: Uint8Array): string => encodeAddress(hash, regtest);
const json = (s: SignedTransfer): TransferJson => transferToJson(s.tx, regtest, s.signature);
const HEX96 = /^0x[0-9a-f]{192}$/;

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);
const miner = testKey(4);

type Status = StatusJson;
type BatchItem = BatchItemResult;

interface TxInfo {
  status: string;
  transaction: { type: string; txid: string; signature?: string };
  blockHash: string | null;
  height: number | null;
  confirmations: number;
  position: number | null;
}
interface HistoryBody {
  pending: number;
  transactions: { status: string; txid: string; direction: string; height: number | null; confirmations: number }[];
}

describe('HTTP API on a regtest node', () => {
  it('reports the node status', async () => {
    const r = await get<Status>('/api/v1/status');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      network: 'regtest',
      chainId: regtest.chainId,
      height: 0,
      peers: 0,
      mempool: 0,
      orphans: 0,
      mining: false,
      hashRate: 0,
      minerAddress: null,
      sync: { syncing: false, targetHeight: null, height: 0, blocksPerSecond: 0, etaSeconds: null },
    });
    expect(r.body.tipHash).toMatch(/^0x[0-9a-f]{64}$/);
    const loop = r.body.eventLoop!;
    expect(loop.windowSeconds).toBe(10);
    expect([loop.p50Ms, loop.p99Ms, loop.maxMs].every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(r.body.cumulativeWork).toMatch(/^[1-9][0-9]*$/);
    expect(r.body.bits).toBe('0x207fffff');
    expect(r.body.target).toMatch(/^0x7fffff0{58}$/);
    expect(r.body.difficulty).toBeGreaterThan(0);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get<unknown[]>('/api/v1/peers')).body).toEqual([]);
  });

  it('mines 3 blocks to an address: 150 OUR', async () => {
    const r = await post<{ hashes: string[]; height: number }>('/api/v1/mine', {
      blocks: 3,
      address: addr(alice.address),
    });
    expect(r.status).toBe(200);
    expect(r.body.height).toBe(3);
    expect(r.body.hashes).toHaveLength(3);
    const info = await get<AddressInfo>(`/api/v1/addresses/${addr(alice.address)}`);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      address: addr(alice.address),
      balance: (150n * COIN).toString(),
      pendingBalance: (150n * COIN).toString(),
      nonce: 0,
      nextNonce: 0,
    });
    expect((await get<Status>('/api/v1/status')).body.tipHash).toBe(r.body.hashes[2]);
    // Fund bob and carol too, for the batch tests.
    expect((await post('/api/v1/mine', { blocks: 1, address: addr(bob.address) })).status).toBe(200);
    expect((await post('/api/v1/mine', { blocks: 1, address: addr(carol.address) })).status).toBe(200);
  });

  it('accepts a transfer (202), shows it pending, replaces it by fee, then confirms it after mining', async () => {
    const first = json(transfer(alice, bob.address, COIN, 0, 1000n));
    const r = await post<{ txid: string }>('/api/v1/transactions', first);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ txid: first.txid });

    const pending = await get<TxInfo>(`/api/v1/transactions/${first.txid}`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      status: 'pending',
      blockHash: null,
      height: null,
      confirmations: 0,
      position: null,
    });
    expect(pending.body.transaction.signature).toBe(first.signature);

    // The same again is a conflict; a higher fee for the same nonce replaces it.
    const dup = await post<ErrorBody>('/api/v1/transactions', first);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('MEMPOOL_DUPLICATE');
    const better = json(transfer(alice, bob.address, COIN, 0, 5000n));
    const rbf = await post<{ txid: string; replaced: string }>('/api/v1/transactions', better);
    expect(rbf.status).toBe(202);
    expect(rbf.body).toEqual({ txid: better.txid, replaced: first.txid });
    expect((await get<ErrorBody>(`/api/v1/transactions/${first.txid}`)).body.error.code).toBe('TX_NOT_FOUND');

    const a = (await get<AddressInfo>(`/api/v1/addresses/${addr(alice.address)}`)).body;
    expect(a).toMatchObject({
      balance: (150n * COIN).toString(),
      pendingBalance: (149n * COIN - 5000n).toString(),
      nonce: 0,
      nextNonce: 1,
    });
    const b = (await get<AddressInfo>(`/api/v1/addresses/${addr(bob.address)}`)).body;
    expect(b).toMatchObject({
      balance: (50n * COIN).toString(),
      pendingBalance: (51n * COIN).toString(),
      nonce: 0,
      nextNonce: 0,
    });
    const mempool = await get<{ count: number; transactions: TransferJson[] }>('/api/v1/mempool');
    expect(mempool.body.count).toBe(1);
    expect(mempool.body.transactions[0]!.txid).toBe(better.txid);

    const mined = await post<{ hashes: string[]; height: number }>('/api/v1/mine', {
      blocks: 1,
      address: addr(miner.address),
    });
    expect(mined.body.height).toBe(6);
    const confirmed = await get<TxInfo>(`/api/v1/transactions/${better.txid}`);
    expect(confirmed.body).toMatchObject({
      status: 'confirmed',
      blockHash: mined.body.hashes[0],
      height: 6,
      confirmations: 1,
      position: 1,
    });
    expect(confirmed.body.transaction.signature).toBeUndefined();

    expect((await get<AddressInfo>(`/api/v1/addresses/${addr(alice.address)}`)).body).toMatchObject({
      balance: (149n * COIN - 5000n).toString(),
      pendingBalance: (149n * COIN - 5000n).toString(),
      nonce: 1,
      nextNonce: 1,
    });
    expect((await get<AddressInfo>(`/api/v1/addresses/${addr(bob.address)}`)).body.balance).toBe(
      (51n * COIN).toString(),
    );
    expect((await get<AddressInfo>(`/api/v1/addresses/${addr(miner.address)}`)).body.balance).toBe(
      (50n * COIN + 5000n).toString(),
    );
    // The coinbase is a transaction too.
    const block = (await get<BlockDetail>(`/api/v1/blocks/6`)).body;
    const cb = await get<TxInfo>(`/api/v1/transactions/${block.coinbase.txid}`);
    expect(cb.body).toMatchObject({ status: 'confirmed', position: 0, transaction: { type: 'coinbase' } });
  });

  it("lists an address's history: pending first, then confirmed, newest first, with directions", async () => {
    const self = json(transfer(alice, alice.address, 1000n, 1));
    expect((await post('/api/v1/transactions', self)).status).toBe(202);
    const h = await get<HistoryBody>(`/api/v1/addresses/${addr(alice.address)}/transactions`);
    expect(h.status).toBe(200);
    expect(h.body.pending).toBe(1);
    expect(h.body.transactions.map((t) => [t.status, t.direction, t.height])).toEqual([
      ['pending', 'self', null],
      ['confirmed', 'out', 6],
      ['confirmed', 'in', 3],
      ['confirmed', 'in', 2],
      ['confirmed', 'in', 1],
    ]);
    expect(h.body.transactions[1]!.confirmations).toBe(1);
    expect(h.body.transactions[4]!.confirmations).toBe(6);
    const page = await get<HistoryBody>(`/api/v1/addresses/${addr(alice.address)}/transactions?limit=2&offset=2`);
    expect(page.body.transactions.map((t) => t.height)).toEqual([3, 2]);
    const bobs = await get<HistoryBody>(`/api/v1/addresses/${addr(bob.address)}/transactions`);
    expect(bobs.body.transactions.map((t) => [t.direction, t.height])).toEqual([
      ['in', 6],
      ['in', 4],
    ]);
    expect((await get<AddressInfo>(`/api/v1/addresses/${addr(alice.address)}`)).body.nextNonce).toBe(2);
    await post('/api/v1/mine', { blocks: 1, address: addr(miner.address) });
  });

  it('pages blocks newest first and serves one block by height and by hash, each with one aggregate signature', async () => {
    const tip = (await get<Status>('/api/v1/status')).body;
    expect(tip.height).toBe(7);
    const p1 = await get<BlockPage>('/api/v1/blocks?limit=3');
    expect(p1.status).toBe(200);
    expect(p1.body.tipHeight).toBe(7);
    expect(p1.body.blocks.map((b) => b.height)).toEqual([7, 6, 5]);
    expect(p1.body.next).toBe(4);
    expect(p1.body.blocks[0]!.hash).toBe(tip.tipHash);
    const p2 = await get<BlockPage>(`/api/v1/blocks?from=${p1.body.next}&limit=100`);
    expect(p2.body.blocks.map((b) => b.height)).toEqual([4, 3, 2, 1, 0]);
    expect(p2.body.next).toBeNull();
    expect((await get<BlockPage>('/api/v1/blocks')).body.blocks).toHaveLength(8);
    const asc = await get<BlockPage>('/api/v1/blocks?order=asc&from=5&limit=2');
    expect(asc.body.blocks.map((b) => b.height)).toEqual([5, 6]);
    expect(asc.body.next).toBe(7);
    expect((await get<BlockPage>('/api/v1/blocks?from=1000&limit=1')).body.blocks[0]!.height).toBe(7);

    const byHeight = await get<BlockDetail>('/api/v1/blocks/6');
    expect(byHeight.status).toBe(200);
    expect(byHeight.body).toMatchObject({ height: 6, onMainChain: true, confirmations: 2 });
    expect(byHeight.body.transactions).toHaveLength(1);
    expect(byHeight.body.transactions[0]!.signature).toBeUndefined();
    expect(byHeight.body.aggregateSignature).toMatch(HEX96);
    expect(byHeight.body.cumulativeWork).toMatch(/^[0-9]+$/);
    // The JSON form rebuilds the block whose hash it names (the explorer's in-browser check does this).
    expect(byHeight.body.header.nonce).toMatch(/^(0|[1-9][0-9]*)$/);
    expect(toHex(blockHash(blockFromJson(byHeight.body, regtest).header))).toBe(byHeight.body.hash);
    const byHash = await get<BlockDetail>(`/api/v1/blocks/${byHeight.body.hash}`);
    expect(byHash.body).toEqual(byHeight.body);
    expect(
      (await get<BlockDetail>(`/api/v1/blocks/${byHeight.body.hash.toUpperCase().replace('0X', '0x')}`)).body.hash,
    ).toBe(byHeight.body.hash);

    // Every block: one 96-byte aggregate signature, and no individual signatures.
    const all = (await get<BlockPage>('/api/v1/blocks?limit=100')).body.blocks;
    for (const s of all) {
      expect(s.aggregateSignature).toMatch(HEX96);
      const b = (await get<BlockDetail>(`/api/v1/blocks/${s.height}`)).body;
      expect(b.aggregateSignature).toBe(s.aggregateSignature);
      expect(b.transactions.every((t) => t.signature === undefined)).toBe(true);
      expect(b.transactions.length).toBe(s.transfers);
      if (s.transfers === 0) expect(b.aggregateSignature).toBe('0xc0' + '00'.repeat(95));
    }

    for (const [url, status, code] of [
      ['/api/v1/blocks/999', 404, 'BLOCK_NOT_FOUND'],
      [`/api/v1/blocks/0x${'00'.repeat(32)}`, 404, 'BLOCK_NOT_FOUND'],
      ['/api/v1/blocks/abc', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks/-1', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks/01', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks/0x1234', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks?limit=101', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks?limit=0', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks?from=x', 400, 'BAD_REQUEST'],
      ['/api/v1/blocks?order=sideways', 400, 'BAD_REQUEST'],
    ] as const) {
      const r = await get<ErrorBody>(url);
      expect([url, r.status, r.body.error.code]).toEqual([url, status, code]);
    }
  });

  it('takes a batch: one bad signature is refused with TX_BAD_SIGNATURE, the others are accepted', async () => {
    const good1 = json(transfer(bob, carol.address, 2n * COIN, 0));
    const forged = {
      ...json(transfer(carol, bob.address, COIN, 0)),
      signature: json(transfer(carol, bob.address, 2n * COIN, 0)).signature,
    };
    const good2 = json(transfer(bob, alice.address, COIN, 1));
    const badHex = { ...json(transfer(carol, bob.address, COIN, 1)), senderPublicKey: '0xzz' };
    const r = await post<BatchItem[]>('/api/v1/transactions', [good1, forged, good2, badHex]);
    expect(r.status).toBe(202);
    expect(r.body).toHaveLength(4);
    expect(r.body[0]).toEqual({ index: 0, accepted: true, txid: good1.txid });
    expect(r.body[1]).toMatchObject({
      index: 1,
      accepted: false,
      txid: forged.txid,
      error: { code: 'TX_BAD_SIGNATURE' },
    });
    expect(r.body[2]).toEqual({ index: 2, accepted: true, txid: good2.txid });
    expect(r.body[3]).toMatchObject({ index: 3, accepted: false, txid: null, error: { code: 'ENCODING_BAD_HEX' } });
    const mempool = (await get<{ count: number; transactions: TransferJson[] }>('/api/v1/mempool')).body;
    expect(mempool.count).toBe(2);
    expect(mempool.transactions.map((t) => t.txid).sort()).toEqual([good1.txid, good2.txid].sort());

    // A structurally broken item refuses the whole batch, naming it.
    const broken = await post<ErrorBody>('/api/v1/transactions', [good1, { ...good2, amount: 5 }]);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toEqual({ code: 'BAD_REQUEST', message: 'field "[1].amount" must be a string' });
    const tooMany = await post<ErrorBody>(
      '/api/v1/transactions',
      Array.from({ length: 1001 }, () => good1),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('BAD_REQUEST');
    expect((await post<ErrorBody>('/api/v1/transactions', [])).body.error.code).toBe('BAD_REQUEST');

    await post('/api/v1/mine', { blocks: 1, address: addr(miner.address) });
    expect((await get<TxInfo>(`/api/v1/transactions/${good2.txid}`)).body.status).toBe('confirmed');
  });

  describe('bad input: each a 4xx with its stable code, never a 500', () => {
    const base = (): TransferJson => json(transfer(carol, bob.address, COIN, 0));
    const infinityKey = '0xc0' + '00'.repeat(47);
    const infinitySig = '0xc0' + '00'.repeat(95);
    const validKey = toHex(carol.publicKey);
    const notAPoint = validKey.slice(0, -2) + (validKey.endsWith('00') ? '01' : '00');
    const badChecksum = (() => {
      const a = addr(bob.address);
      const last = a.at(-1) === 'q' ? 'p' : 'q';
      return a.slice(0, -1) + last;
    })();
    const devnetAddress = encodeAddress(bob.address, devnet);
    const cases: [string, () => unknown, number, string][] = [
      ['wrong type: amount as a number', () => ({ ...base(), amount: 100000000 }), 400, 'BAD_REQUEST'],
      ['wrong type: nonce as a string', () => ({ ...base(), nonce: '0' }), 400, 'BAD_REQUEST'],
      ['wrong type: chainId as a string', () => ({ ...base(), chainId: String(regtest.chainId) }), 400, 'BAD_REQUEST'],
      ['wrong type: fractional nonce', () => ({ ...base(), nonce: 0.5 }), 400, 'BAD_REQUEST'],
      ['wrong type: a string body', () => 'hello', 400, 'BAD_REQUEST'],
      ['wrong type: null body', () => null, 400, 'BAD_REQUEST'],
      ['missing field: signature', () => ({ ...base(), signature: undefined }), 400, 'BAD_REQUEST'],
      ['missing field: recipient', () => ({ ...base(), recipient: undefined }), 400, 'BAD_REQUEST'],
      ['bad hex key', () => ({ ...base(), senderPublicKey: '0x' + 'g'.repeat(96) }), 400, 'ENCODING_BAD_HEX'],
      ['hex without 0x', () => ({ ...base(), signature: base().signature!.slice(2) }), 400, 'ENCODING_BAD_HEX'],
      ['wrong-length key', () => ({ ...base(), senderPublicKey: validKey.slice(0, -2) }), 400, 'ENCODING_BAD_LENGTH'],
      [
        'wrong-length signature',
        () => ({ ...base(), signature: base().signature! + '00' }),
        400,
        'ENCODING_BAD_LENGTH',
      ],
      ['infinity public key', () => ({ ...base(), senderPublicKey: infinityKey }), 400, 'TX_BAD_PUBLIC_KEY'],
      [
        'key that is not a valid curve point',
        () => ({ ...base(), senderPublicKey: notAPoint }),
        400,
        'TX_BAD_PUBLIC_KEY',
      ],
      ['infinity signature', () => ({ ...base(), signature: infinitySig }), 400, 'TX_BAD_SIGNATURE'],
      [
        'signature of another transfer',
        () => ({ ...base(), signature: json(transfer(carol, bob.address, COIN + 1n, 0)).signature }),
        400,
        'TX_BAD_SIGNATURE',
      ],
      ['bad address checksum', () => ({ ...base(), recipient: badChecksum }), 400, 'ADDRESS_BAD_CHECKSUM'],
      ['wrong network address', () => ({ ...base(), recipient: devnetAddress }), 400, 'ADDRESS_WRONG_NETWORK'],
      ['not an address', () => ({ ...base(), recipient: 'hello' }), 400, 'ADDRESS_BAD_FORMAT'],
      ['negative amount', () => ({ ...base(), amount: '-1' }), 400, 'AMOUNT_INVALID'],
      ['over-precise amount', () => ({ ...base(), amount: '1.5' }), 400, 'AMOUNT_INVALID'],
      ['amount with leading zero', () => ({ ...base(), amount: '0100' }), 400, 'AMOUNT_INVALID'],
      ['too large amount', () => ({ ...base(), amount: '2100000000000001' }), 400, 'AMOUNT_OUT_OF_RANGE'],
      ['huge amount', () => ({ ...base(), amount: '9'.repeat(400) }), 400, 'AMOUNT_OUT_OF_RANGE'],
      ['zero amount', () => json(transfer(carol, bob.address, 0n, 0)), 400, 'TX_BAD_AMOUNT'],
      ['devnet chain id', () => json(transfer(carol, bob.address, COIN, 0, 1000n, devnet)), 400, 'TX_BAD_CHAIN_ID'],
      ['nonce already used', () => json(transfer(bob, carol.address, COIN, 0)), 409, 'MEMPOOL_NONCE_TOO_LOW'],
      ['nonce far ahead', () => json(transfer(carol, bob.address, COIN, 1000)), 409, 'MEMPOOL_NONCE_TOO_HIGH'],
      [
        'more than the balance',
        () => json(transfer(carol, bob.address, 1000n * COIN, 0)),
        409,
        'MEMPOOL_INSUFFICIENT_BALANCE',
      ],
      ['fee below the minimum', () => json(transfer(carol, bob.address, COIN, 0, 1n)), 409, 'MEMPOOL_FEE_TOO_LOW'],
    ];
    for (const [name, body, status, code] of cases) {
      it(`${name} -> ${status} ${code}`, async () => {
        const payload = JSON.stringify(body());
        const r = await call<ErrorBody>('POST', '/api/v1/transactions', undefined, app, {
          payload,
          headers: { 'content-type': 'application/json' },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body.error.code).toBe(code);
        expect(r.body.error.message.length).toBeGreaterThan(0);
      });
    }

    it('malformed JSON, empty body, wrong content type, oversized body', async () => {
      const raw = async (payload: string, contentType = 'application/json'): Promise<Res<ErrorBody>> =>
        call<ErrorBody>('POST', '/api/v1/transactions', undefined, app, {
          payload,
          headers: { 'content-type': contentType },
        });
      expect(await raw('{"chainId": ')).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } });
      expect(await raw('{"__proto__": {"x": 1}}')).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_JSON' } },
      });
      expect(await raw('')).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } });
      expect(await raw('{}', 'text/plain')).toMatchObject({
        status: 415,
        body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
      });
      const big = JSON.stringify({ ...base(), padding: 'x'.repeat(1024 * 1024) });
      expect(await raw(big)).toMatchObject({ status: 413, body: { error: { code: 'BODY_TOO_LARGE' } } });
      const missing = await raw(JSON.stringify({ ...base(), fee: undefined }));
      expect(missing.body.error).toEqual({ code: 'BAD_REQUEST', message: 'field "fee" is missing' });
    });

    it('bad parameters, unknown routes and methods', async () => {
      for (const [method, url, status, code] of [
        ['GET', '/api/v1/nope', 404, 'NOT_FOUND'],
        ['GET', '/nope', 404, 'NOT_FOUND'],
        ['POST', '/api/v1/status', 404, 'NOT_FOUND'],
        ['GET', `/api/v1/transactions/0x${'ab'.repeat(32)}`, 404, 'TX_NOT_FOUND'],
        ['GET', '/api/v1/transactions/0x1234', 400, 'BAD_REQUEST'],
        ['GET', '/api/v1/transactions/%zz', 400, 'BAD_REQUEST'],
        ['GET', `/api/v1/addresses/${badChecksum}`, 400, 'ADDRESS_BAD_CHECKSUM'],
        ['GET', `/api/v1/addresses/${devnetAddress}`, 400, 'ADDRESS_WRONG_NETWORK'],
        ['GET', '/api/v1/addresses/hello', 400, 'ADDRESS_BAD_FORMAT'],
        ['GET', `/api/v1/addresses/${devnetAddress}/transactions`, 400, 'ADDRESS_WRONG_NETWORK'],
        ['GET', `/api/v1/addresses/${addr(bob.address)}/transactions?limit=1000`, 400, 'BAD_REQUEST'],
        ['GET', `/api/v1/addresses/${addr(bob.address)}/transactions?offset=-1`, 400, 'BAD_REQUEST'],
        ['GET', '/api/v1/mempool?limit=0', 400, 'BAD_REQUEST'],
      ] as const) {
        const r = await call<ErrorBody>(method, url);
        expect([method, url, r.status, r.body.error.code]).toEqual([method, url, status, code]);
      }
      for (const [body, code] of [
        [{ blocks: 0, address: addr(miner.address) }, 'BAD_REQUEST'],
        [{ blocks: 1001, address: addr(miner.address) }, 'BAD_REQUEST'],
        [{ blocks: '1', address: addr(miner.address) }, 'BAD_REQUEST'],
        [{ blocks: 1 }, 'BAD_REQUEST'],
        [{ blocks: 1, address: devnetAddress }, 'ADDRESS_WRONG_NETWORK'],
        [{ blocks: 1, address: badChecksum }, 'ADDRESS_BAD_CHECKSUM'],
      ] as const) {
        const r = await post<ErrorBody>('/api/v1/mine', body);
        expect([body, r.status, r.body.error.code]).toEqual([body, 400, code]);
      }
    });
  });

  it('answers an unexpected failure with 500 INTERNAL and no details', async () => {
    const failing = await server(node, {
      peers: () => {
        throw new Error('secret detail /home/user/.ourcoin');
      },
    });
    const r = await get<ErrorBody>('/api/v1/peers', failing);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('rate limits per client with a configured limit (429 RATE_LIMITED)', async () => {
    // inject's client is loopback, exempt unless included.
    const limited = await server(node, { rateLimit: { max: 3, timeWindowMs: 60_000, includeLoopback: true } });
    for (let i = 0; i < 3; i++) expect((await get('/api/v1/status', limited)).status).toBe(200);
    const r = await get<ErrorBody>('/api/v1/status', limited);
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('RATE_LIMITED');
    expect((await get<ErrorBody>('/api/v1/nope', limited)).status).toBe(429);
    // Another client has its own budget.
    const other = await limited.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '127.0.0.2' });
    expect(other.statusCode).toBe(200);
  });

  it('sends CORS headers only for configured origins', async () => {
    const origin = 'https://wallet.example';
    const withCors = await server(node, { corsOrigins: [origin] });
    const allowed = await withCors.inject({ method: 'GET', url: '/api/v1/status', headers: { origin } });
    expect(allowed.headers['access-control-allow-origin']).toBe(origin);
    const preflight = await withCors.inject({
      method: 'OPTIONS',
      url: '/api/v1/transactions',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    const other = await withCors.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const off = await app.inject({ method: 'GET', url: '/api/v1/status', headers: { origin } });
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves an OpenAPI 3 document with the /api/v1 paths, and its UI', async () => {
    const doc = await get<{
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/v1/status',
      '/api/v1/peers',
      '/api/v1/blocks',
      '/api/v1/blocks/{hashOrHeight}',
      '/api/v1/transactions',
      '/api/v1/transactions/{txid}',
      '/api/v1/addresses/{address}',
      '/api/v1/addresses/{address}/transactions',
      '/api/v1/mempool',
      '/api/v1/mine',
      '/blocks',
      '/txion',
    ]) {
      expect(paths).toContain(p);
    }
    const submit = doc.body.paths['/api/v1/transactions']!.post!;
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['202', '400', '409', '413', '429']));
    expect(doc.body.paths['/api/v1/blocks/{hashOrHeight}']!.get!.responses['404']).toBeDefined();
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it("keeps SimpleCoin's GET /blocks and POST /txion as aliases", async () => {
    const legacy = await get<BlockPage>('/blocks?limit=5');
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual((await get<BlockPage>('/api/v1/blocks?limit=5')).body);
    const tx = json(transfer(carol, alice.address, COIN, 0));
    const r = await post<{ txid: string }>('/txion', tx);
    expect(r.status).toBe(202);
    expect(r.body.txid).toBe(tx.txid);
    const batch = await post<BatchItem[]>('/txion', [json(transfer(carol, alice.address, COIN, 1))]);
    expect(batch.status).toBe(202);
    expect(batch.body[0]!.accepted).toBe(true);
    expect((await post<ErrorBody>('/txion', { ...tx, amount: 1 })).body.error.code).toBe('BAD_REQUEST');
  });
});

describe('HTTP API on a devnet node', () => {
  it('refuses mining on demand with 403 NOT_REGTEST, and serves the rest', async () => {
    const dev = await openNode(devnet, 'devnet');
    const devApp = await server(dev);
    const r = await post<ErrorBody>(
      '/api/v1/mine',
      { blocks: 1, address: encodeAddress(alice.address, devnet) },
      devApp,
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('NOT_REGTEST');
    const s = await get<Status>('/api/v1/status', devApp);
    expect(s.body).toMatchObject({ network: 'devnet', chainId: devnet.chainId, height: 0 });
    expect(s.body.difficulty).toBeGreaterThan(1);
    // A regtest address is another network's here.
    const a = await get<ErrorBody>(`/api/v1/addresses/${addr(alice.address)}`, devApp);
    expect([a.status, a.body.error.code]).toEqual([400, 'ADDRESS_WRONG_NETWORK']);
  });
});
