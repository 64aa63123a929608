/**
 * GET /api/v1/blocks/:hashOrHeight/raw on a real regtest node: the stored encoding exactly,
 * as JSON hex (which POST /blocks takes back), hex text or bytes by Accept; 404 and 400 like
 * the other block routes.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawType } from '../../../../src/api/routes/blocks.js';
import { encodeAddress } from '../../../../src/protocol/address.js';
import { blockHash, decodeBlock } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { transferToJson } from '../../../../src/protocol/transaction.js';
import type { FullNode } from '../../../../src/node/fullNode.js';
import { mineVia, openApiNode } from '../../../helpers/apiNode.js';
import { testKey, transfer } from '../../../helpers/builder.js';

let node: FullNode;
let app: FastifyInstance;
let close: () => Promise<void>;
/** Block 3 holds one transfer. */
let hash3: string;

beforeAll(async () => {
  ({ node, app, close } = await openApiNode('raw'));
  const alice = testKey(0);
  const mine = (blocks: number) => mineVia(app, blocks, encodeAddress(alice.address, regtest));
  await mine(2);
  const stx = transfer(alice, testKey(1).address, 150_000_000n, 0);
  const submitted = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: { ...transferToJson(stx.tx, regtest), signature: toHex(stx.signature) },
  });
  expect(submitted.statusCode).toBe(202);
  hash3 = (await mine(1)).json<{ hashes: string[] }>().hashes[0]!;
});

afterAll(() => close?.());

describe('GET /api/v1/blocks/:hashOrHeight/raw', () => {
  it('answers JSON { hash, block } by default: the stored encoding, which decodes to the block', async () => {
    const r = await app.inject('/api/v1/blocks/3/raw');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const body = r.json<{ hash: string; block: string }>();
    expect(body.hash).toBe(hash3);
    const bytes = Buffer.from(body.block.slice(2), 'hex');
    const block = decodeBlock(bytes);
    expect(toHex(blockHash(block.header))).toBe(hash3);
    expect(block.transactions).toHaveLength(1);
    // The same bytes the store holds (not a re-encoding of what the detail route shows).
    expect(body.block).toBe(toHex(node.chain.getBlockBytes(Buffer.from(hash3.slice(2), 'hex'))!));
  });

  it('answers the bytes for application/octet-stream, the hex alone for text/plain', async () => {
    const json = (await app.inject('/api/v1/blocks/3/raw')).json<{ block: string }>();
    const bin = await app.inject({
      url: `/api/v1/blocks/${hash3}/raw`,
      headers: { accept: 'application/octet-stream' },
    });
    expect(bin.statusCode).toBe(200);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    expect(bin.headers.vary).toBe('accept');
    expect(toHex(bin.rawPayload)).toBe(json.block);
    const text = await app.inject({ url: '/api/v1/blocks/3/raw', headers: { accept: 'text/plain' } });
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toBe(json.block);
  });

  it('gives what POST /blocks takes back: the node knows it already', async () => {
    const { block } = (await app.inject('/api/v1/blocks/3/raw')).json<{ block: string }>();
    const r = await app.inject({ method: 'POST', url: '/api/v1/blocks', payload: { block } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ hash: hash3, status: 'duplicate', height: 3 });
  });

  it('answers 404 BLOCK_NOT_FOUND for an unknown block and 400 for a malformed id', async () => {
    const missing = await app.inject('/api/v1/blocks/99/raw');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('BLOCK_NOT_FOUND');
    const unknown = await app.inject(`/api/v1/blocks/0x${'ab'.repeat(32)}/raw`);
    expect(unknown.statusCode).toBe(404);
    const bad = await app.inject('/api/v1/blocks/0xnothex/raw');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('BAD_REQUEST');
  });

  it('picks the first type of the Accept header it serves, JSON for none or a wildcard', () => {
    expect(rawType(undefined)).toBe('application/json');
    expect(rawType('*/*')).toBe('application/json');
    expect(rawType('text/html, application/octet-stream;q=0.9')).toBe('application/octet-stream');
    expect(rawType('Text/Plain; charset=utf-8, */*')).toBe('text/plain');
    expect(rawType('image/png')).toBe('application/json');
  });
});
