/**
 * The node end to end: a real `ourcoin node` process on regtest, driven over HTTP.
 * 200 transfers from 10 senders are submitted, mined into blocks with exactly one aggregate
 * signature each, and every balance and nonce reads back right, also after a restart.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COIN } from '../../src/protocol/amount.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { transferToJson } from '../../src/protocol/transaction.js';
import { testKey, transfer } from '../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-e2e-'));
const nodes: NodeProcess[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const senders = Array.from({ length: 10 }, (_, i) => testKey(500 + i));
const recipient = testKey(600);
const addr = (a: Uint8Array): string => encodeAddress(a, regtest);

interface AddressInfo {
  balance: string;
  nonce: number;
  nextNonce: number;
}
interface BlockInfo {
  aggregateSignature: string;
  transactions: unknown[];
}

describe('ourcoin node (regtest, real process)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('mines 200 transfers from 10 senders into one-aggregate blocks, and keeps them across a restart', async () => {
    const datadir = join(dir, 'node1');
    let node = await startNode(['--network', 'regtest', '--datadir', datadir]);
    nodes.push(node);
    const status = await node.get<{ network: string; height: number }>('/api/v1/status');
    expect(status.body).toMatchObject({ network: 'regtest', height: 0 });

    // Fund each sender with one block's subsidy.
    for (const s of senders)
      expect((await node.post('/api/v1/mine', { blocks: 1, address: addr(s.address) })).status).toBe(200);

    // 20 transfers each, sent one request at a time (half of them) and in batches (the rest).
    const expected = new Map<string, bigint>(senders.map((s) => [addr(s.address), 50n * COIN]));
    let toRecipient = 0n;
    const all = senders.flatMap((s, i) =>
      Array.from({ length: 20 }, (_, n) => {
        const amount = BigInt(1000 + i * 100 + n);
        const fee = 1000n + BigInt(n);
        expected.set(addr(s.address), expected.get(addr(s.address))! - amount - fee);
        toRecipient += amount;
        return transferToJson(
          transfer(s, recipient.address, amount, n, fee).tx,
          regtest,
          transfer(s, recipient.address, amount, n, fee).signature,
        );
      }),
    );
    for (const tx of all.slice(0, 100)) {
      const r = await node.post<{ txid: string }>('/api/v1/transactions', tx);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.body.txid).toBe(tx.txid);
    }
    const batch = await node.post<unknown[]>('/api/v1/transactions', all.slice(100));
    expect(batch.status).toBe(202);
    expect((await node.get<{ count: number }>('/api/v1/mempool')).body.count).toBe(200);

    // Mine until the mempool is empty; every block carries exactly one 96-byte aggregate.
    const minerKey = testKey(700);
    const before = (await node.get<{ height: number }>('/api/v1/status')).body.height;
    await node.post('/api/v1/mine', { blocks: 2, address: addr(minerKey.address) });
    expect((await node.get<{ count: number }>('/api/v1/mempool')).body.count).toBe(0);
    const after = (await node.get<{ height: number }>('/api/v1/status')).body.height;
    let mined = 0;
    for (let h = before + 1; h <= after; h++) {
      const b = (await node.get<BlockInfo>(`/api/v1/blocks/${h}`)).body;
      expect(b.aggregateSignature).toMatch(/^0x[0-9a-f]{192}$/);
      mined += b.transactions.length;
    }
    expect(mined).toBe(200);

    const check = async (n: NodeProcess): Promise<void> => {
      for (const s of senders) {
        const info = (await n.get<AddressInfo>(`/api/v1/addresses/${addr(s.address)}`)).body;
        expect(info.balance).toBe(expected.get(addr(s.address))!.toString());
        expect(info.nonce).toBe(20);
        expect(info.nextNonce).toBe(20);
      }
      expect((await n.get<AddressInfo>(`/api/v1/addresses/${addr(recipient.address)}`)).body.balance).toBe(
        toRecipient.toString(),
      );
      const tx = (await n.get<{ status: string; confirmations: number }>(`/api/v1/transactions/${all[0]!.txid}`)).body;
      expect(tx.status).toBe('confirmed');
      expect(tx.confirmations).toBeGreaterThanOrEqual(1);
    };
    await check(node);

    // Restart: same data directory, same answers.
    expect(await node.stop()).toBe(0);
    node = await startNode(['--network', 'regtest', '--datadir', datadir]);
    nodes.push(node);
    expect((await node.get<{ height: number }>('/api/v1/status')).body.height).toBe(after);
    await check(node);
  });

  it('answers the API while every core mines, keeps its miner key encrypted, and stops cleanly', async () => {
    const home = join(dir, 'home');
    const password = 'correct horse battery staple';
    const node = await startNode(['--network', 'devnet', '--mine', '--threads', '2'], {
      OURCOIN_HOME: home,
      OURCOIN_PASSWORD: password,
    });
    nodes.push(node);
    // Wait until the miner threads report a hash rate.
    let status = { mining: false, hashRate: 0, minerAddress: '' };
    await waitFor('a hash rate from the miner threads', async () => {
      status = (await node.get<typeof status>('/api/v1/status')).body;
      return status.hashRate > 0;
    });
    expect(status.mining).toBe(true);
    expect(status.hashRate).toBeGreaterThan(0);
    expect(status.minerAddress).toMatch(/^ourdev1/);
    // Every request is answered while both cores hash.
    for (let i = 0; i < 20; i++) {
      const r = await node.get<{ height: number }>('/api/v1/status');
      expect(r.status).toBe(200);
    }
    expect((await node.get('/api/v1/blocks')).status).toBe(200);

    const keystorePath = join(home, 'devnet', 'miner-keystore.json');
    expect(statSync(keystorePath).mode & 0o777).toBe(0o600);
    const keystore = JSON.parse(readFileSync(keystorePath, 'utf8')) as {
      crypto: { kdf: { function: string } };
      version: number;
    };
    expect(keystore).toMatchObject({ version: 4, crypto: { kdf: { function: 'scrypt' } } });
    expect(readFileSync(keystorePath, 'utf8')).not.toContain(password);
    expect(node.output()).not.toContain(password);
    expect(node.output()).toContain(status.minerAddress);

    expect(await node.stop()).toBe(0);
    expect(node.output()).toContain('node stopped');
  });

  it('limits API requests per client IP to --rate-limit a minute (loopback with --rate-limit-loopback)', async () => {
    const node = await startNode([
      '--network',
      'regtest',
      '--datadir',
      join(dir, 'ratelimit'),
      '--no-p2p',
      '--rate-limit',
      '3',
      '--rate-limit-loopback',
    ]);
    nodes.push(node);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await node.get('/api/v1/status')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await node.stop()).toBe(0);
  });

  it('mines on regtest with --mine without running ahead of the clock', async () => {
    const node = await startNode([
      '--network',
      'regtest',
      '--datadir',
      join(dir, 'regmine'),
      '--mine',
      '--threads',
      '1',
      '--miner-address',
      addr(testKey(800).address),
    ]);
    nodes.push(node);
    let height = 0;
    await waitFor('a block mined', async () => {
      height = (await node.get<{ height: number }>('/api/v1/status')).body.height;
      return height > 0;
    });
    const tip = (await node.get<{ header: { timestamp: number } }>(`/api/v1/blocks/${height}`)).body;
    expect(tip.header.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    // Mining goes on between the reads: the reward covers at least `height` blocks, whole ones.
    const balance = BigInt(
      (await node.get<{ balance: string }>(`/api/v1/addresses/${addr(testKey(800).address)}`)).body.balance,
    );
    expect(balance % (50n * COIN)).toBe(0n);
    expect(balance / (50n * COIN)).toBeGreaterThanOrEqual(BigInt(height));

    // A transfer submitted while the miner runs is picked up by a refreshed template.
    const send = transfer(testKey(800), testKey(801).address, 7n * COIN, 0);
    const posted = await node.post<{ txid: string }>(
      '/api/v1/transactions',
      transferToJson(send.tx, regtest, send.signature),
    );
    expect(posted.status).toBe(202);
    let tx = { status: 'pending', height: 0 };
    await waitFor('the transfer to be mined', async () => {
      tx = (await node.get<typeof tx>(`/api/v1/transactions/${posted.body.txid}`)).body;
      return tx.status === 'confirmed';
    });
    const block = (
      await node.get<{ transactions: { txid: string }[]; aggregateSignature: string }>(`/api/v1/blocks/${tx.height}`)
    ).body;
    expect(block.transactions.map((t) => t.txid)).toContain(posted.body.txid);
    expect(block.aggregateSignature).toMatch(/^0x[0-9a-f]{192}$/);
    expect(await node.stop()).toBe(0);
  });

  // Regression: the signature workers were unref'd even while verifying, so a node reloading a
  // non-empty mempool at start-up (nothing else keeping the process alive yet) exited with
  // code 0 and no output, after a clean stop as after a crash.
  it('restarts with pending transfers in its mempool, after a clean stop and after SIGKILL', async () => {
    const datadir = join(dir, 'pending');
    const sender = testKey(810);
    let node = await startNode(['--network', 'regtest', '--datadir', datadir]);
    nodes.push(node);
    await node.post('/api/v1/mine', { blocks: 1, address: addr(sender.address) });
    const sends = [0, 1].map((nonce) => transfer(sender, testKey(811).address, 1000n, nonce));
    for (const s of sends)
      expect((await node.post('/api/v1/transactions', transferToJson(s.tx, regtest, s.signature))).status).toBe(202);
    for (const stop of [() => node.stop(), () => node.kill()]) {
      await stop();
      node = await startNode(['--network', 'regtest', '--datadir', datadir]);
      nodes.push(node);
      const pool = (await node.get<{ count: number; transactions: { txid: string }[] }>('/api/v1/mempool')).body;
      expect(pool.transactions.map((t) => t.txid).sort()).toEqual(
        sends.map((s) => transferToJson(s.tx, regtest).txid).sort(),
      );
    }
    expect(await node.stop()).toBe(0);
  });
});
