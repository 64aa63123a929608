/**
 * The light client's routes on a real regtest node: GET /api/v1/headers (main-chain headers as
 * bytes, bounded, cacheable by ETag, 400 on bad ranges) verifies with the protocol's header-chain
 * verifier; GET /api/v1/transactions/:txid/proof proves every transaction of a block against
 * its header's txRoot, and answers 404 while a transfer is pending or unknown.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../../../src/protocol/address.js';
import { HEADER_LENGTH, blockTxids, decodeHeader } from '../../../../src/protocol/block.js';
import { fromHex, toHex } from '../../../../src/protocol/bytes.js';
import { HeaderChainVerifier } from '../../../../src/protocol/headerChain.js';
import { decodeMerkleProof, verifyMerkleProof } from '../../../../src/protocol/merkleProof.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { transferToJson } from '../../../../src/protocol/transaction.js';
import type { TxProof } from '../../../../src/api/json.js';
import { MAX_HEADERS_PER_REQUEST } from '../../../../src/api/schemas.js';
import type { FullNode } from '../../../../src/node/fullNode.js';
import { mineVia, openApiNode } from '../../../helpers/apiNode.js';
import { testKey, transfer } from '../../../helpers/builder.js';

let node: FullNode;
let app: FastifyInstance;
let close: () => Promise<void>;
const alice = testKey(0);

const mine = (blocks: number) => mineVia(app, blocks, encodeAddress(alice.address, regtest));
const submit = async (nonce: number) => {
  const stx = transfer(alice, testKey(1 + nonce).address, 1_000_000n, nonce);
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    payload: { ...transferToJson(stx.tx, regtest), signature: toHex(stx.signature) },
  });
  expect(r.statusCode).toBe(202);
  return r.json<{ txid: string }>().txid;
};

beforeAll(async () => {
  ({ node, app, close } = await openApiNode('light'));
  await mine(3);
});

afterAll(() => close?.());

describe('GET /api/v1/headers', () => {
  it('serves main-chain headers as bytes that verify from genesis, fewer at the tip', async () => {
    const r = await app.inject('/api/v1/headers?from=1&count=10');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.rawPayload.length).toBe(3 * HEADER_LENGTH); // heights 1..3
    const v = HeaderChainVerifier.fromGenesis(regtest);
    const result = v.verify(new Uint8Array(r.rawPayload), Math.floor(Date.now() / 1000));
    expect(result.failure).toBeUndefined();
    expect(toHex(v.tip.hash)).toBe(toHex(node.chain.tip.hash));
    expect(decodeHeader(new Uint8Array(r.rawPayload.subarray(0, HEADER_LENGTH))).height).toBe(1);
  });

  it('answers nothing past the tip, and 304 while the range is unchanged', async () => {
    const past = await app.inject('/api/v1/headers?from=99');
    expect(past.statusCode).toBe(200);
    expect(past.rawPayload.length).toBe(0);
    const first = await app.inject('/api/v1/headers?from=0');
    expect(first.rawPayload.length).toBe(node.chain.tip.height * HEADER_LENGTH + HEADER_LENGTH);
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"0-0x[0-9a-f]{64}"$/);
    const again = await app.inject({ url: '/api/v1/headers?from=0', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    await mine(1);
    const moved = await app.inject({ url: '/api/v1/headers?from=0', headers: { 'if-none-match': etag } });
    expect(moved.statusCode).toBe(200);
    expect(moved.headers['etag']).not.toBe(etag);
  });

  it.each([
    ['from=-1', 'from'],
    ['from=x', 'from'],
    ['count=5', 'from'],
    ['from=0&count=0', 'count'],
    [`from=0&count=${MAX_HEADERS_PER_REQUEST + 1}`, 'count'],
    ['from=1.5', 'from'],
  ])('400 for ?%s with a JSON error naming %s', async (query, name) => {
    const r = await app.inject(`/api/v1/headers?${query}`);
    expect(r.statusCode).toBe(400);
    const body = r.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain(name);
  });
});

describe('GET /api/v1/transactions/:txid/proof', () => {
  it("proves each transaction of a block against its header's txRoot, coinbase included", async () => {
    const txids = [await submit(0), await submit(1), await submit(2)];
    const hash = (await mine(1)).json<{ hashes: string[] }>().hashes[0]!;
    const block = node.chain.getBlock(fromHex(hash, 'hash', 32))!;
    const all = blockTxids(block).map(toHex);
    expect(all.slice(1).sort()).toEqual([...txids].sort());
    for (const txid of all) {
      const r = await app.inject(`/api/v1/transactions/${txid}/proof`);
      expect(r.statusCode).toBe(200);
      const body = r.json<TxProof>();
      expect(body).toMatchObject({
        txid,
        blockHash: hash,
        height: block.header.height,
        confirmations: 1,
        leafCount: 4,
      });
      expect(body.index).toBe(all.indexOf(txid));
      const proof = decodeMerkleProof(fromHex(body.proof, 'proof'));
      expect(proof.siblings.map(toHex)).toEqual(body.siblings);
      expect(verifyMerkleProof(fromHex(txid, 'txid', 32), proof, block.header.txRoot)).toBe(true);
    }
  });

  it('404 TX_NOT_CONFIRMED while pending, TX_NOT_FOUND when unknown, 400 for a bad txid', async () => {
    const pending = await submit(3);
    const r = await app.inject(`/api/v1/transactions/${pending}/proof`);
    expect(r.statusCode).toBe(404);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('TX_NOT_CONFIRMED');
    const unknown = await app.inject(`/api/v1/transactions/0x${'ab'.repeat(32)}/proof`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('TX_NOT_FOUND');
    expect((await app.inject('/api/v1/transactions/0x12/proof')).statusCode).toBe(400);
  });
});
