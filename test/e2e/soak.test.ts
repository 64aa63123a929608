/**
 * Soak: three real node processes on loopback (devnet, two of them mining with one thread
 * each, all connected) under a bounded load of signed transfers and API reads sent to random
 * nodes, for 25 s (`npm test`) or 5 minutes (`npm run test:long`).
 *
 * At the end, after the load stops and the mempools drain: all nodes on one tip; every
 * transfer the API accepted (HTTP 202) is in the main chain exactly once and nothing else of
 * ours is; every node finds each of them at the same place; every balance and nonce equals
 * the plain ledger of what was accepted, on every node; no request was answered 5xx (or
 * 429, or failed); each node's memory grew less than a stated bound past warm-up; and each
 * store, after a clean stop, passes the checks of helpers/storeCheck.ts.
 *
 * Load traffic comes from many loopback source addresses (helpers/loopbackClient.ts): it
 * stands for many clients, each well under the API's per-IP rate limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AddressInfo, BlockDetail, TransactionInfo } from '../../src/api/json.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { COIN } from '../../src/protocol/amount.js';
import { devnet } from '../../src/protocol/networks.js';
import { transferToJson } from '../../src/protocol/transaction.js';
import { testKey, transfer } from '../helpers/builder.js';
import type { TestKey } from '../helpers/builder.js';
import { loopbackClients, portOf } from '../helpers/loopbackClient.js';
import type { LoopbackClient } from '../helpers/loopbackClient.js';
import { scaled } from '../helpers/long.js';
import { memoryOf, multiaddr, PROCESS_TEST_TIMEOUT_MS, startNode, status, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';
import { prng } from '../helpers/replay.js';
import { checkStore } from '../helpers/storeCheck.js';

const LOAD_SECONDS = scaled(25, 300);
/** Transfers a second offered, over all senders: steady, far below what a node admits (bench: >1,000/s). */
const TX_RATE = scaled(20, 30);
/** API reads a second, over all nodes. */
const READ_RATE = 20;
/**
 * RSS growth allowed from warm-up (a third of the load, at least 10 s, in) to the end, per
 * node. The node's own caches are bounded (mined-signature LRU, orphan pool, peer book) and
 * the mempool drains, so steady load should leave RSS flat; what moves it anyway is V8 heap
 * sizing and GC timing, and SQLite's page cache filling (a few MB). A leak of ~4 KB per
 * transfer (a retained request, entry or buffer) would pass 64 MB within the long run's
 * ~9,000 transfers, and 64 MB is a quarter of a node's ~200 MB working set.
 */
const RSS_BOUND_MB = 64;

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-soak-'));
const running: NodeProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  rmSync(dir, { recursive: true, force: true });
});

const dev = (k: TestKey): string => encodeAddress(k.address, devnet);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Every request of the soak, through many loopback clients per node, with its outcome tallied. */
class Traffic {
  readonly statuses = new Map<number, number>();
  readonly failures: string[] = [];
  private readonly clients: LoopbackClient[][];

  constructor(
    nodes: readonly NodeProcess[],
    private readonly rand: () => number,
  ) {
    // Source addresses 127.<20+i>.x.y for node i: 64 clients each.
    this.clients = nodes.map((n, i) => loopbackClients(portOf(n.url), 20 + i, 64));
  }

  async request<T>(
    node: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T } | undefined> {
    const pool = this.clients[node]!;
    const client = pool[Math.floor(this.rand() * pool.length)]!;
    try {
      const r = await client.request(method, path, body === undefined ? undefined : JSON.stringify(body));
      this.statuses.set(r.status, (this.statuses.get(r.status) ?? 0) + 1);
      if (r.status >= 500 || r.status === 429)
        this.failures.push(`${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`);
      return { status: r.status, body: JSON.parse(r.body) as T };
    } catch (err) {
      this.failures.push(`${method} ${path}: ${(err as Error).message}`);
      return undefined;
    }
  }

  get count(): number {
    return [...this.statuses.values()].reduce((a, b) => a + b, 0);
  }

  close(): void {
    for (const pool of this.clients) for (const c of pool) c.close();
  }
}

interface Accepted {
  readonly txid: string;
  readonly from: TestKey;
  readonly to: TestKey;
  readonly amount: bigint;
  readonly fee: bigint;
}

describe('soak (3 nodes on loopback, 2 mining, devnet)', () => {
  it(
    `takes ${TX_RATE} transfers/s and ${READ_RATE} reads/s for ${LOAD_SECONDS} s, losing none, mining each once, within ${RSS_BOUND_MB} MB`,
    { timeout: 2 * LOAD_SECONDS * 1000 + PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const t0 = Date.now();
      const rand = prng(41);
      const miners = [testKey(1000), testKey(1001)];
      // Many senders, so each sends about one transfer a second and rarely runs into the
      // mempool's nonce window (64 ahead of its last mined transfer) between blocks.
      const senders = Array.from({ length: 32 }, (_, i) => testKey(1010 + i));
      const recipients = Array.from({ length: 8 }, (_, i) => testKey(1050 + i));
      const mining = (k: TestKey): string[] => ['--mine', '--threads', '1', '--miner-address', dev(k)];
      const start = async (name: string, args: string[]): Promise<NodeProcess> => {
        const n = await startNode(['--network', 'devnet', '--datadir', join(dir, name), ...args]);
        running.push(n);
        return n;
      };
      const a = await start('a', mining(miners[0]!));
      const seed = await multiaddr(a);
      const [b, c] = await Promise.all([
        start('b', [...mining(miners[1]!), '--peer', seed]),
        start('c', ['--peer', seed]),
      ]);
      expect((await c.post('/api/v1/peers', { address: await multiaddr(b) })).status).toBe(200);
      const nodes = [a, b, c];
      const tips = async (): Promise<{ height: number; tipHash: string; mempool: number }[]> =>
        Promise.all(nodes.map(status));
      const oneTip = (ts: { tipHash: string }[]): boolean => ts.every((t) => t.tipHash === ts[0]!.tipHash);
      await waitFor('all connected', async () => (await Promise.all(nodes.map(status))).every((s) => s.peers >= 2));

      // Funding. A coinbase with a block on top pays the senders, and the load starts once that
      // payment has a block on top too: only a reorg two deep (two ties in a row between miners
      // on loopback) could take the senders' coins away, so every transfer accepted must end up
      // mined.
      const mainBlock = async (h: number): Promise<BlockDetail> =>
        (await a.get<BlockDetail>(`/api/v1/blocks/${h}`)).body;
      let funder: TestKey | undefined;
      await waitFor('a miner coinbase with a block on top', async () => {
        const { height } = await status(a);
        for (let h = 1; h <= height - 1 && !funder; h++) {
          const cb = (await mainBlock(h)).coinbase.recipient;
          funder = miners.find((m) => dev(m) === cb);
        }
        return funder !== undefined;
      });
      const funding = 1n * COIN;
      const fundingTxs = senders.map((s, i) => transfer(funder!, s.address, funding, i, 1000n, devnet));
      const funded = await a.post<{ accepted: boolean; txid: string }[]>(
        '/api/v1/transactions',
        fundingTxs.map((t) => transferToJson(t.tx, devnet, t.signature)),
      );
      expect(
        funded.body.every((r) => r.accepted),
        JSON.stringify(funded.body),
      ).toBe(true);
      await waitFor('the funding with a block on top on every node', async () => {
        for (const n of nodes) {
          for (const r of funded.body) {
            const info = await n.get<TransactionInfo>(`/api/v1/transactions/${r.txid}`);
            if (info.status !== 200 || info.body.confirmations < 2) return false;
          }
        }
        return true;
      });

      // Memory samples of every node, once a second, from here to the end.
      const rss: { at: number; mb: number[] }[] = [];
      const sampler = setInterval(
        () => rss.push({ at: Date.now(), mb: nodes.map((n) => memoryOf(n.proc.pid!).rssMb) }),
        1000,
      );
      const startHeight = (await status(a)).height;

      // Load: each sender sends its transfers in nonce order, one at a time, to random nodes.
      const traffic = new Traffic(nodes, rand);
      const accepted: Accepted[] = [];
      const rejected: string[] = [];
      let deferred = 0;
      const loadStart = Date.now();
      const loadEnd = loadStart + LOAD_SECONDS * 1000;
      const sendLoop = async (from: TestKey): Promise<void> => {
        let nonce = 0;
        const interval = (senders.length * 1000) / TX_RATE;
        for (let next = loadStart + rand() * interval; next < loadEnd; next += interval) {
          await sleep(next - Date.now());
          const to =
            rand() < 0.5
              ? recipients[Math.floor(rand() * recipients.length)]!
              : senders[Math.floor(rand() * senders.length)]!;
          const amount = BigInt(1 + Math.floor(rand() * 10_000));
          const fee = 1000n + BigInt(Math.floor(rand() * 500));
          const t = transfer(from, to.address, amount, nonce, fee, devnet);
          const r = await traffic.request<{ txid?: string; error?: { code: string } }>(
            Math.floor(rand() * nodes.length),
            'POST',
            '/api/v1/transactions',
            transferToJson(t.tx, devnet, t.signature),
          );
          if (r?.status === 202 && r.body.txid) {
            accepted.push({ txid: r.body.txid, from, to, amount, fee });
            nonce++;
          } else if (r?.body.error?.code === 'MEMPOOL_NONCE_TOO_HIGH') {
            // Too far ahead of what is mined (blocks came slowly): back off, send that nonce again.
            deferred++;
          } else if (r) rejected.push(`${r.status} ${r.body.error?.code}`);
        }
      };
      const readLoop = async (): Promise<void> => {
        const interval = 4000 / READ_RATE; // four of these loops
        for (let next = loadStart + rand() * interval; next < loadEnd; next += interval) {
          await sleep(next - Date.now());
          const node = Math.floor(rand() * nodes.length);
          const someone = [...senders, ...recipients][Math.floor(rand() * (senders.length + recipients.length))]!;
          const tx = accepted[Math.floor(rand() * accepted.length)];
          const paths = [
            '/api/v1/status',
            '/api/v1/blocks?limit=10',
            `/api/v1/blocks/${startHeight - Math.floor(rand() * 3)}`,
            `/api/v1/addresses/${dev(someone)}`,
            `/api/v1/addresses/${dev(someone)}/transactions?limit=20`,
            '/api/v1/mempool?limit=50',
            tx ? `/api/v1/transactions/${tx.txid}` : '/api/v1/status',
          ];
          await traffic.request(node, 'GET', paths[Math.floor(rand() * paths.length)]!);
        }
      };
      await Promise.all([...senders.map(sendLoop), ...Array.from({ length: 4 }, readLoop)]);
      const loadSeconds = (Date.now() - loadStart) / 1000;
      const tLoaded = Date.now();

      // Drain: every mempool empty and one tip, then two more blocks so nothing checked below
      // sits in a block a small reorg could still replace.
      await waitFor('mempools drained on one tip', async () => {
        const ts = await tips();
        return oneTip(ts) && ts.every((t) => t.mempool === 0);
      });
      const drained = (await status(a)).height;
      // The miners keep mining: keep the tips that were one, rather than asking again later
      // and catching a block on its way from one node to the others.
      let final: { height: number; tipHash: string; mempool: number }[] = [];
      await waitFor('two blocks past the drain, on one tip', async () => {
        const ts = await tips();
        if (!oneTip(ts) || ts[0]!.height < drained + 2) return false;
        final = ts;
        return true;
      });
      clearInterval(sampler);
      const tDrained = Date.now();
      expect(oneTip(final)).toBe(true);

      // Exactly once: scan node a's main chain up to the checked height.
      const where = new Map<string, { height: number; blockHash: string }[]>();
      const ours = new Set(senders.map(dev));
      const minedOfOurs: string[] = [];
      for (let h = 0; h <= final[0]!.height; h++) {
        const block = await mainBlock(h);
        minedOfOurs.push(...block.transactions.filter((t) => ours.has(t.sender)).map((t) => t.txid));
        for (const id of [block.coinbase.txid, ...block.transactions.map((t) => t.txid)])
          where.set(id, [...(where.get(id) ?? []), { height: h, blockHash: block.hash }]);
      }
      const twice = [...where].filter(([, at]) => at.length > 1);
      expect(twice).toEqual([]);
      const missing = accepted.filter((t) => !where.has(t.txid));
      expect(missing.map((t) => t.txid)).toEqual([]);
      expect(new Set(minedOfOurs)).toEqual(new Set(accepted.map((t) => t.txid)));

      // Every node finds every accepted transfer confirmed in the same block.
      for (let node = 0; node < nodes.length; node++) {
        for (let i = 0; i < accepted.length; i += 8) {
          await Promise.all(
            accepted.slice(i, i + 8).map(async (t) => {
              const r = await traffic.request<TransactionInfo>(node, 'GET', `/api/v1/transactions/${t.txid}`);
              expect(r?.body.status).toBe('confirmed');
              expect(r?.body.blockHash).toBe(where.get(t.txid)![0]!.blockHash);
            }),
          );
        }
      }

      // Balances and nonces on every node equal the ledger of what was accepted.
      const ledger = new Map<string, { balance: bigint; nonce: number }>([
        ...senders.map((s) => [dev(s), { balance: funding, nonce: 0 }] as const),
        ...recipients.map((r) => [dev(r), { balance: 0n, nonce: 0 }] as const),
      ]);
      for (const t of accepted) {
        const from = ledger.get(dev(t.from))!;
        ledger.set(dev(t.from), { balance: from.balance - t.amount - t.fee, nonce: from.nonce + 1 });
        const to = ledger.get(dev(t.to))!;
        ledger.set(dev(t.to), { balance: to.balance + t.amount, nonce: to.nonce });
      }
      for (const n of nodes) {
        for (const [address, expected] of ledger) {
          const info = (await n.get<AddressInfo>(`/api/v1/addresses/${address}`)).body;
          expect({ address, balance: BigInt(info.balance), nonce: info.nonce }).toEqual({ address, ...expected });
        }
      }

      // The API: no 5xx, no 429, no failed request; every transfer sent was accepted, or (rarely)
      // deferred by the nonce window.
      traffic.close();
      expect(traffic.failures).toEqual([]);
      expect(rejected).toEqual([]);
      expect(accepted.length).toBeGreaterThan(TX_RATE * LOAD_SECONDS * 0.5);
      expect(deferred).toBeLessThan(accepted.length / 10);

      // Memory: median RSS around the end of warm-up vs over the last five samples.
      const warmAt = loadStart + Math.max(10_000, (LOAD_SECONDS * 1000) / 3);
      const around = rss.filter((s) => Math.abs(s.at - warmAt) <= 2500);
      const last = rss.slice(-5);
      const warm = nodes.map((_, i) => median(around.map((s) => s.mb[i]!)));
      const end = nodes.map((_, i) => median(last.map((s) => s.mb[i]!)));
      const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join('/');
      console.log(
        `soak: ${loadSeconds.toFixed(0)} s load, ${accepted.length} transfers accepted (${(accepted.length / loadSeconds).toFixed(1)} tx/s), ` +
          `${deferred} deferred (nonce window), ${traffic.count} API requests, blocks ${startHeight} -> ${final[0]!.height}, RSS a/b/c warm ${fmt(warm)} MB -> end ${fmt(end)} MB (bound +${RSS_BOUND_MB} MB); ` +
          `phases: setup ${((loadStart - t0) / 1000).toFixed(0)} s, drain ${((tDrained - tLoaded) / 1000).toFixed(0)} s, checks ${((Date.now() - tDrained) / 1000).toFixed(0)} s`,
      );
      end.forEach((mb, i) => expect(mb - warm[i]!, `node ${'abc'[i]} RSS growth (MB)`).toBeLessThan(RSS_BOUND_MB));

      // Clean stops, then each store checks out (state = replay of its main chain, indexes).
      for (const n of nodes) expect(await n.stop()).toBe(0);
      for (const name of ['a', 'b', 'c'])
        expect(checkStore(join(dir, name, 'chain.sqlite')).transfers).toBeGreaterThanOrEqual(accepted.length);
    },
  );
});
