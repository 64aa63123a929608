/**
 * The transfer feed (src/mempool/activity.ts) on a real chain and pool: accepted, replaced,
 * dropped (evicted, conflict), confirmed and unconfirmed events, in order, and first-seen
 * times that outlive a transfer's stay in the pool.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import { TransferActivity } from '../../../src/mempool/activity.js';
import type { TransferEvent } from '../../../src/mempool/interface.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { connectMempoolToChain } from '../../../src/node/wiring.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const alice = testKey(1);
const bob = testKey(2);
const carol = testKey(3);

let t: TestChain | undefined;
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  t?.cleanup();
});

/** alice and bob funded (one block each), a pool and a feed on the chain; `clock` is the feed's ms. */
function setup(limits = {}): {
  t: TestChain;
  pool: Mempool;
  activity: TransferActivity;
  events: TransferEvent[];
  tip: Block;
  clock: { ms: number };
} {
  t = openTestChain();
  const b1 = buildBlock(genesisBlock(regtest), { miner: alice.address });
  const b2 = buildBlock(b1, { miner: bob.address });
  for (const b of [b1, b2]) expect(t.chain.processBlock(b).status).toBe('connected');
  const pool = new Mempool({ chain: t.chain, verifier: new BlsSingleThreadVerifier(), limits });
  const clock = { ms: 1_800_000_000_000 };
  const activity = new TransferActivity({ chain: t.chain, pool, nowMs: () => clock.ms });
  stops.push(connectMempoolToChain(t.chain, pool), activity.start());
  const events: TransferEvent[] = [];
  stops.push(activity.onTransferEvents((batch) => events.push(...batch)));
  return { t, pool, activity, events, tip: b2, clock };
}

const summary = (events: readonly TransferEvent[]): string[] =>
  events.map((e) =>
    [
      e.type,
      toHex(e.txid).slice(0, 10),
      e.reason,
      e.replacedBy && toHex(e.replacedBy).slice(0, 10),
      e.block?.height,
      e.pending,
    ]
      .filter((x) => x !== undefined)
      .join(' '),
  );
const id = (txid: Uint8Array): string => toHex(txid).slice(0, 10);

describe('TransferActivity', () => {
  it('tells accepted, replaced, confirmed and unconfirmed, and keeps first-seen from the pool', async () => {
    const { t, pool, activity, events, tip, clock } = setup();
    const first = transfer(alice, carol.address, 1_000n, 0, 1_000n);
    const bump = transfer(alice, carol.address, 1_000n, 0, 3_000n);
    const [a] = await pool.submit([first]);
    clock.ms += 5_000;
    const [b] = await pool.submit([bump]);
    expect(a!.accepted && b!.accepted).toBe(true);
    const [ta, tb] = [a!.txid, b!.txid];
    expect(summary(events)).toEqual([`accepted ${id(ta)}`, `replaced ${id(ta)} ${id(tb)}`, `accepted ${id(tb)}`]);
    const seenB = activity.firstSeen(tb)!;
    expect(seenB).toBe(Math.floor(clock.ms / 1000));

    // Mined: confirmed at height 3, first-seen kept from the pool (not the block's arrival).
    events.length = 0;
    clock.ms += 60_000;
    const b3 = buildBlock(tip, { txs: [bump] });
    expect(t.chain.processBlock(b3).status).toBe('connected');
    expect(summary(events)).toEqual([`confirmed ${id(tb)} 3`]);
    expect(events[0]!.firstSeen).toBe(seenB);

    // A heavier branch without it: unconfirmed, and pending again (its signature was kept).
    events.length = 0;
    const side3 = buildBlock(tip, { miner: bob.address, timestamp: tip.header.timestamp + 2 });
    const side4 = buildBlock(side3, {});
    t.chain.processBlock(side3);
    expect(t.chain.processBlock(side4).status).toBe('connected');
    expect(summary(events)).toEqual([`unconfirmed ${id(tb)} 3 true`]);
    expect(pool.get(tb)).toBeDefined();
  });

  it('tells a transfer dropped for a conflict (its nonce mined by another) and for eviction', async () => {
    const { t, pool, events, tip } = setup({ maxTransactions: 2 });
    const pending = transfer(alice, carol.address, 1_000n, 0, 1_000n);
    const other = transfer(alice, bob.address, 2_000n, 0, 1_000n);
    const [p] = await pool.submit([pending]);
    // A block from elsewhere spends alice's nonce 0 on another transfer.
    events.length = 0;
    const b3 = buildBlock(tip, { txs: [other] });
    expect(t.chain.processBlock(b3).status).toBe('connected');
    expect(summary(events)).toContain(`dropped ${id(p!.txid)} conflict`);
    expect(summary(events).at(-1)).toMatch(/^confirmed 0x[0-9a-f]{8} 3$/);

    // A full pool (2) evicts its cheapest chain end (the later arrival of equal fees) for a better fee.
    events.length = 0;
    const cheap = await pool.submit([
      transfer(bob, carol.address, 1n, 0, 1_000n),
      transfer(alice, carol.address, 1n, 1, 1_000n),
    ]);
    expect(cheap.every((r) => r.accepted)).toBe(true);
    const better = transfer(bob, alice.address, 1n, 1, 5_000n);
    const [r] = await pool.submit([better]);
    expect(r!.accepted).toBe(true);
    expect(summary(events)).toEqual([
      `accepted ${id(cheap[0]!.txid)}`,
      `accepted ${id(cheap[1]!.txid)}`,
      `dropped ${id(cheap[1]!.txid)} evicted`,
      `accepted ${id(r!.txid)}`,
    ]);
  });
});
