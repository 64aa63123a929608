/**
 * Issue 14, mempool policy, against a real node on loopback: a replace-by-fee storm of
 * one-unit bumps, a batch of 1,000 replacements, and the byte budget filled past its limit.
 * Each test checks that the node is alive, that GET /status answers, that nothing answered a
 * 5xx, and that the attacker got the stable codes; where memory is the attack, the node's RSS
 * stays under a ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchItemResult, MempoolJson, StatusJson } from '../../../src/api/json.js';
import { MEMPOOL_ENTRY_BYTES, SIGNATURE_POINT_BYTES } from '../../../src/mempool/interface.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { regtest } from '../../../src/protocol/networks.js';
import { transferToJson, transferTxid } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { testKey, transfer } from '../../helpers/builder.js';
import type { TestKey } from '../../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, memoryOf, startNode } from '../../helpers/nodeProcess.js';
import type { NodeProcess } from '../../helpers/nodeProcess.js';

/** The node's mempool budget, --max-mempool (MB of 1,000,000 bytes). */
const MAX_MEMPOOL_MB = 1;
/** Well above what a node with a 1 MB pool takes (about 240 MB here, peak included). */
const RSS_CEILING_MB = 600;

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-bounds-mempool-'));
let node: NodeProcess;
/** Every HTTP status the node answered in this file (none may be a 5xx). */
const statuses: number[] = [];

beforeAll(async () => {
  node = await startNode([
    '--network',
    'regtest',
    '--datadir',
    join(dir, 'node'),
    '--no-p2p',
    '--max-mempool',
    String(MAX_MEMPOOL_MB),
    // The storm is the mempool's to refuse, not the rate limiter's (issue 14's HTTP part).
    '--rate-limit',
    '1000000',
  ]);
}, PROCESS_TEST_TIMEOUT_MS);
afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const r = await node.post<T>(path, body);
  statuses.push(r.status);
  return r;
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const r = await node.get<T>(path);
  statuses.push(r.status);
  return r;
}

const json = (s: SignedTransfer): unknown => transferToJson(s.tx, regtest, s.signature);

/** Mines one block paying `key` (50 OUR to spend). */
async function fund(key: TestKey): Promise<void> {
  const r = await post('/api/v1/mine', { blocks: 1, address: encodeAddress(key.address, regtest) });
  expect(r.status).toBe(200);
}

/** The node is alive, answers GET /status, and has answered no 5xx so far. */
async function expectHealthy(): Promise<StatusJson> {
  expect(node.proc.exitCode).toBeNull();
  const status = await get<StatusJson>('/api/v1/status');
  expect(status.status).toBe(200);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  return status.body;
}

describe('mempool bounds (issue 14)', () => {
  it(
    'refuses 299 one-unit bumps of a pending transfer with MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const sender = testKey(1401);
      await fund(sender);
      const to = testKey(1402).address;
      const first = transfer(sender, to, 1000n, 0, 1000n);
      expect((await post('/api/v1/transactions', json(first))).status).toBe(202);
      const answers = new Map<string, number>();
      for (let bump = 1n; bump < 300n; bump++) {
        const r = await post<{ error: { code: string; message: string } }>(
          '/api/v1/transactions',
          json(transfer(sender, to, 1000n, 0, 1000n + bump)),
        );
        const key = `${r.status} ${r.body.error.code}: ${r.body.error.message}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
      expect([...answers]).toEqual([
        [
          '409 MEMPOOL_REPLACEMENT_FEE_TOO_LOW: a transfer with nonce 0 is pending with fee 1000; a replacement must pay at least 2000',
          299,
        ],
      ]);
      const pending = await get<{ status: string }>(`/api/v1/transactions/${toHex(transferTxid(first.tx))}`);
      expect(pending.body.status).toBe('pending');
      await expectHealthy();
    },
  );

  it(
    'admits a batch of 1,000 replacements up to the sender budget, then MEMPOOL_TOO_MANY_REPLACEMENTS',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const sender = testKey(1403);
      await fund(sender);
      const to = testKey(1404).address;
      expect((await post('/api/v1/transactions', json(transfer(sender, to, 1000n, 0, 1000n)))).status).toBe(202);
      // Each pays 1000 more than the one before, enough for the fee rule while fees stay at
      // or below 10,000: what stops the rest is the budget of 10 replacements per block.
      const batch = Array.from({ length: 1000 }, (_, i) => transfer(sender, to, 1000n, 0, 2000n + 1000n * BigInt(i)));
      const r = await post<BatchItemResult[]>('/api/v1/transactions', batch.map(json));
      expect(r.status).toBe(202);
      const codes = r.body.map((item) => (item.accepted ? 'accepted' : item.error?.code));
      expect(codes.slice(0, 10)).toEqual(Array(10).fill('accepted'));
      expect(new Set(codes.slice(10))).toEqual(new Set(['MEMPOOL_TOO_MANY_REPLACEMENTS']));
      const pool = await get<MempoolJson>('/api/v1/mempool');
      const held = pool.body.transactions.filter((t) => t.senderPublicKey === toHex(sender.publicKey));
      expect(held.map((t) => t.fee)).toEqual(['11000']);
      // A single replacement after the batch is refused the same way.
      const one = await post<{ error: { code: string } }>(
        '/api/v1/transactions',
        json(transfer(sender, to, 1000n, 0, 1_000_000n)),
      );
      expect([one.status, one.body.error.code]).toEqual([409, 'MEMPOOL_TOO_MANY_REPLACEMENTS']);
      await expectHealthy();
    },
  );

  it(
    'keeps the pool within its byte budget when offered 40% more, evicting the lowest fees',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      // (Mining these blocks also takes the earlier tests' pending transfers: the pool starts empty.)
      const senders = Array.from({ length: 11 }, (_, i) => testKey(1410 + i));
      for (const s of senders) await fund(s);
      const to = testKey(1409).address;
      // 11 senders x 64 nonces (the window), each pays more than everything before it.
      const offered = senders.flatMap((s, i) =>
        Array.from({ length: 64 }, (_, nonce) => transfer(s, to, 1000n, nonce, 1000n + 10n * BigInt(i * 64 + nonce))),
      );
      const r = await post<BatchItemResult[]>('/api/v1/transactions', offered.map(json));
      expect(r.status).toBe(202);
      expect(r.body.filter((item) => !item.accepted)).toEqual([]);
      const status = await expectHealthy();
      // Entries with their signature points (the node's verifier hands them back): 2,000 bytes
      // each, so exactly this many fit.
      expect(status.mempool).toBe(
        Math.floor((MAX_MEMPOOL_MB * 1_000_000) / (MEMPOOL_ENTRY_BYTES + SIGNATURE_POINT_BYTES)),
      );
      // The cheapest chain end went first; the best-paying transfer stayed.
      const txStatus = async (s: SignedTransfer): Promise<number> =>
        (await node.get(`/api/v1/transactions/${toHex(transferTxid(s.tx))}`)).status;
      expect(await txStatus(offered.at(-1)!)).toBe(200);
      expect(await txStatus(offered[63]!)).toBe(404);
      const { rssMb, peakMb } = memoryOf(node.proc.pid!);
      expect(peakMb, `RSS now ${rssMb.toFixed(0)} MB`).toBeLessThan(RSS_CEILING_MB);
    },
  );
});
