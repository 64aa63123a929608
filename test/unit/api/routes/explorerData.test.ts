/**
 * What the explorer's live pages read from a real regtest node: block stats, first-seen times,
 * an address's totals and balance series, the mempool's fee-rate histogram, prefix search
 * (with its 400s), and transfer events on GET /events (filters and the per-stream rate bound).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../../../src/protocol/address.js';
import { blockHash } from '../../../../src/protocol/block.js';
import { toHex } from '../../../../src/protocol/bytes.js';
import { regtest } from '../../../../src/protocol/networks.js';
import { blockSubsidy } from '../../../../src/protocol/rules/subsidy.js';
import { transferTxid } from '../../../../src/protocol/transaction.js';
import type {
  BalanceHistory,
  BlockDetail,
  MempoolSummary,
  SearchResults,
  TransactionInfo,
  TransferEventJson,
} from '../../../../src/api/json.js';
import { MAX_TRANSFER_EVENTS_PER_SECOND } from '../../../../src/api/routes/events.js';
import { openApiNode } from '../../../helpers/apiNode.js';
import type { ApiNode } from '../../../helpers/apiNode.js';
import { testKey, transfer } from '../../../helpers/builder.js';
import { sharedTxidPrefix } from '../../../helpers/prefix.js';

const alice = testKey(501);
const bob = testKey(502);
const carol = testKey(503);
const addr = (a: Uint8Array): string => encodeAddress(a, regtest);

let api: ApiNode;
let url: string;
beforeAll(async () => {
  api = await openApiNode('explorer-data');
  url = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => api?.close());

const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const r = await api.app.inject(`/api/v1${path}`);
  return { status: r.statusCode, body: r.json<T>() };
};

/** Server-Sent Events of one stream, parsed as they come. */
function eventStream(body: ReadableStream<Uint8Array>): {
  until(done: (events: { event: string; data: unknown }[]) => boolean): Promise<{ event: string; data: unknown }[]>;
  close(): Promise<void>;
} {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  const events: { event: string; data: unknown }[] = [];
  return {
    async until(done) {
      while (!done(events)) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error('the stream ended');
        raw += decoder.decode(value, { stream: true });
        const frames = raw.split('\n\n');
        raw = frames.pop()!;
        for (const f of frames) {
          const event = /^event: (.*)$/m.exec(f)?.[1];
          const data = /^data: (.*)$/m.exec(f)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
      return events;
    },
    close: () => reader.cancel(),
  };
}

describe('explorer data routes', () => {
  it('serves block stats, first-seen, totals and balance series, the fee-rate histogram and search', async () => {
    const { node } = api;
    node.miner.mineBlocks(2, alice.address);
    const { amounts, prefix } = sharedTxidPrefix(alice, bob.address, 0, 1_000n);
    const sent = amounts.map((amount, nonce) => transfer(alice, bob.address, amount, nonce, 1_000n));
    const admitted = await node.mempool.submit(sent);
    expect(admitted.every((r) => r.accepted)).toBe(true);
    const txids = admitted.map((r) => toHex(r.txid));

    // Pending: first seen, counted in the histogram (1000 / 97 B is 10.3 a byte).
    const pending = await get<TransactionInfo>(`/transactions/${txids[0]}`);
    expect(pending.body.firstSeen).toBeGreaterThan(1_700_000_000);
    const summary = (await get<MempoolSummary>('/mempool/summary')).body;
    expect(summary).toMatchObject({ count: 2, bytes: 194, totalFees: '2000', feeRateUnit: 'base units per byte' });
    expect(summary.histogram.find((b) => b.count > 0)).toEqual({
      from: 10,
      to: 20,
      count: 2,
      bytes: 194,
      fees: '2000',
    });
    expect(summary.histogram.reduce((n, b) => n + b.count, 0)).toBe(2);

    // Ambiguous prefix: both pending transfers listed.
    const both = (await get<SearchResults>(`/search?q=${prefix}`)).body;
    expect(both.results.filter((r) => r.kind === 'transaction').map((r) => r.id)).toEqual(
      expect.arrayContaining(txids),
    );

    const [mined] = node.miner.mineBlocks(1, carol.address);
    const hash = toHex(blockHash(mined!.header));
    const block = (await get<BlockDetail>('/blocks/3')).body;
    expect(block.stats).toEqual({
      totalFees: '2000',
      reward: blockSubsidy(3, regtest).toString(),
      feesClaimed: '2000',
      valueMoved: (amounts[0] + amounts[1]).toString(),
      signatureBytesSaved: 96,
    });
    const confirmed = (await get<TransactionInfo>(`/transactions/${txids[0]}`)).body;
    expect(confirmed).toMatchObject({ status: 'confirmed', firstSeen: pending.body.firstSeen });

    // Totals and the running balance (oldest first; two points in block 3).
    const history = (await get<BalanceHistory>(`/addresses/${addr(alice.address)}/balance-history`)).body;
    const subsidy = blockSubsidy(1, regtest);
    const out = amounts[0] + amounts[1] + 2_000n;
    expect(history).toMatchObject({
      received: (2n * subsidy).toString(),
      sent: out.toString(),
      balance: (2n * subsidy - out).toString(),
      transactions: 4,
      complete: true,
    });
    expect(history.points.map((p) => [p.height, p.balance])).toEqual([
      [1, subsidy.toString()],
      [2, (2n * subsidy).toString()],
      [3, (2n * subsidy - amounts[0] - 1_000n).toString()],
      [3, (2n * subsidy - out).toString()],
    ]);
    const limited = (await get<BalanceHistory>(`/addresses/${addr(alice.address)}/balance-history?limit=1`)).body;
    expect(limited.points).toEqual(history.points.slice(-1));
    expect(limited.sent).toBe(history.sent);

    // Search: a height, a hash prefix, the shortened forms the explorer shows, an address prefix.
    const found = async (q: string): Promise<string[]> =>
      (await get<SearchResults>(`/search?q=${encodeURIComponent(q)}`)).body.results.map((r) => `${r.kind} ${r.id}`);
    expect(await found('3')).toEqual([`block ${hash}`]);
    expect(await found(hash.slice(2, 10))).toContain(`block ${hash}`);
    expect(await found(`${txids[1]!.slice(0, 10)}…${txids[1]!.slice(-6)}`)).toEqual([`transaction ${txids[1]}`]);
    const bobAddress = addr(bob.address);
    expect(await found(`${bobAddress.slice(0, 12)}…${bobAddress.slice(-6)}`)).toEqual([`address ${bobAddress}`]);
    expect(await found(bobAddress.slice(0, 14))).toContain(`address ${bobAddress}`);
    expect(await found(bobAddress.toUpperCase())).toEqual([`address ${bobAddress}`]);

    for (const [q, code] of [
      ['0x12', 'SEARCH_PREFIX_TOO_SHORT'],
      ['ourreg1qaz', 'SEARCH_PREFIX_TOO_SHORT'],
      ['hello', 'SEARCH_BAD_QUERY'],
      ['ourreg1qbbbbbi', 'SEARCH_BAD_QUERY'],
      ['0x' + 'a'.repeat(65), 'SEARCH_BAD_QUERY'],
    ] as const) {
      const r = await get<{ error: { code: string; message: string } }>(`/search?q=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe(code);
    }
  });

  it('streams transfer events for a txid, an address or all, and bounds a flood per stream', async () => {
    const { node } = api;
    node.miner.mineBlocks(1, carol.address);
    const carolNonce = node.chain.getAccount(carol.address).nonce;
    const first = transfer(carol, alice.address, 5_000n, carolNonce, 1_000n);
    const bump = transfer(carol, alice.address, 5_000n, carolNonce, 2_000n);
    const [byTxid, byAddress, bad] = await Promise.all([
      fetch(`${url}/api/v1/events?txid=${toHex(transferTxid(first.tx))}`),
      fetch(`${url}/api/v1/events?address=${addr(alice.address)}`),
      fetch(`${url}/api/v1/events?address=ourreg1qnotanaddress`),
    ]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toMatch(/^ADDRESS_/);
    const stream = eventStream(byAddress.body!);
    const one = eventStream(byTxid.body!);
    const [a] = await node.mempool.submit([first]);
    const [b] = await node.mempool.submit([bump]);
    const [block] = node.miner.mineBlocks(1, carol.address);
    const events = await stream.until((es) =>
      es.some((e) => e.event === 'transfer' && (e.data as TransferEventJson).type === 'confirmed'),
    );
    const transfers = events.filter((e) => e.event === 'transfer').map((e) => e.data as TransferEventJson);
    expect(transfers.map((e) => [e.type, e.txid, e.replacedBy, e.height])).toEqual([
      ['accepted', toHex(a!.txid), null, null],
      ['replaced', toHex(a!.txid), toHex(b!.txid), null],
      ['accepted', toHex(b!.txid), null, null],
      ['confirmed', toHex(b!.txid), null, block!.header.height],
    ]);
    expect(transfers[3]).toMatchObject({ sender: addr(carol.address), recipient: addr(alice.address), fee: '2000' });
    await stream.close();
    // The txid's stream: its own events (the replacement names the new txid), not the others'.
    const mine = (await one.until((es) => es.some((e) => e.event === 'tip'))).filter((e) => e.event === 'transfer');
    expect(mine.map((e) => (e.data as TransferEventJson).type)).toEqual(['accepted', 'replaced']);
    await one.close();

    // A flood: one stream of everything gets its share a second, then a count of the rest.
    const all = await fetch(`${url}/api/v1/events?transfers=all`);
    const flood = eventStream(all.body!);
    const start = node.chain.getAccount(alice.address).nonce;
    const many = Array.from({ length: MAX_TRANSFER_EVENTS_PER_SECOND + 10 }, (_, i) =>
      transfer(alice, bob.address, 1n, start + i, 1_000n),
    );
    expect((await node.mempool.submit(many)).every((r) => r.accepted)).toBe(true);
    const got = await flood.until((es) => es.some((e) => e.event === 'skipped'));
    expect(got.filter((e) => e.event === 'transfer')).toHaveLength(MAX_TRANSFER_EVENTS_PER_SECOND);
    expect(got.find((e) => e.event === 'skipped')!.data).toEqual({ transfers: 10 });
    await flood.close();
  });
});
