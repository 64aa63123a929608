/**
 * The peer-to-peer network end to end: real node processes on loopback.
 * Convergence while two nodes mine, relay of a transfer to a miner, a late joiner syncing
 * 500+ blocks, a partition that heals onto the heavier branch with the lighter branch's
 * transfers back in the mempools, and a peer that sends an invalid block being banned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { COIN } from '../../src/protocol/amount.js';
import { devnet, regtest } from '../../src/protocol/networks.js';
import { transferToJson } from '../../src/protocol/transaction.js';
import { BlsSingleThreadVerifier } from '../../src/chain/bls/singleThread.js';
import { FullNode } from '../../src/node/fullNode.js';
import { P2PNetwork } from '../../src/network/network.js';
import { encodeCompactBlock } from '../../src/network/messages.js';
import { toCompactBlock } from '../../src/network/compactBlock.js';
import { testKey, transfer, buildBlock } from '../helpers/builder.js';
import { multiaddr, PROCESS_TEST_TIMEOUT_MS, sameTip, startNode, status, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-net-'));
const running: NodeProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, args: string[]): Promise<NodeProcess> {
  const node = await startNode(['--datadir', join(dir, name), ...args]);
  running.push(node);
  return node;
}

const reg = (k: { address: Uint8Array }): string => encodeAddress(k.address, regtest);

/** Whether the in-process peer `from` knows that the node process `to` subscribes to `topic`. */
async function subscribed(from: P2PNetwork, to: NodeProcess, topic: string): Promise<boolean> {
  const id = (await status(to)).p2p!.peerId;
  return from.libp2p.services.pubsub.getSubscribers(topic).some((p) => p.toString() === id);
}

describe('peer-to-peer network (real processes on loopback)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('keeps 3 nodes on one tip while two mine, and a transfer sent to the third gets mined', async () => {
    const funded = testKey(900);
    const a = await start('conv-a', [
      '--network',
      'devnet',
      '--mine',
      '--threads',
      '1',
      '--miner-address',
      encodeAddress(funded.address, devnet),
    ]);
    const seed = await multiaddr(a);
    const b = await start('conv-b', [
      '--network',
      'devnet',
      '--mine',
      '--threads',
      '1',
      '--miner-address',
      encodeAddress(testKey(901).address, devnet),
      '--peer',
      seed,
    ]);
    const c = await start('conv-c', ['--network', 'devnet', '--peer', seed]);
    const nodes = [a, b, c];
    await waitFor('5 blocks on every node', async () =>
      (await Promise.all(nodes.map(status))).every((s) => s.height >= 5),
    );
    await waitFor('one tip', () => sameTip(nodes));

    // Once node a has won a block, its miner sends from the non-mining node; a miner picks it up.
    await waitFor('a block won by a', async () => {
      const info = (await c.get<{ balance: string }>(`/api/v1/addresses/${encodeAddress(funded.address, devnet)}`))
        .body;
      return BigInt(info.balance) >= 2n * COIN;
    });
    const send = transfer(funded, testKey(902).address, 1n * COIN, 0, 1000n, devnet);
    const r = await c.post<{ txid: string }>('/api/v1/transactions', transferToJson(send.tx, devnet, send.signature));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    // Mined, on one tip that every node shares. A block that held it may be orphaned when the
    // two miners fork (it is back in the pools then, and mined again), so a sighting on one
    // node is not enough: every node must show it confirmed on the same tip.
    const confirmed = async (n: NodeProcess): Promise<boolean> =>
      (await n.get<{ status: string }>(`/api/v1/transactions/${r.body.txid}`)).body.status === 'confirmed';
    await waitFor(
      'the transfer mined on one tip on every node',
      async () => (await sameTip(nodes)) && (await Promise.all(nodes.map(confirmed))).every(Boolean),
    );
    for (const n of nodes) {
      const info = (
        await n.get<{ balance: string }>(`/api/v1/addresses/${encodeAddress(testKey(902).address, devnet)}`)
      ).body;
      expect(info.balance).toBe((1n * COIN).toString());
    }
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('lets a node that joins late sync a chain of 520 blocks', async () => {
    const a = await start('late-a', ['--network', 'regtest']);
    const mined = await a.post<{ height: number }>('/api/v1/mine', { blocks: 520, address: reg(testKey(910)) });
    expect(mined.body.height).toBe(520);
    const b = await start('late-b', ['--network', 'regtest', '--peer', await multiaddr(a)]);
    await waitFor('the late joiner to reach 520', async () => (await status(b)).height === 520);
    expect(await sameTip([a, b])).toBe(true);
    expect(b.output()).toContain('sync: caught up');
    expect((await status(b)).sync).toEqual({
      syncing: false,
      targetHeight: null,
      height: 520,
      blocksPerSecond: 0,
      etaSeconds: null,
    });
    await Promise.all([a.stop(), b.stop()]);
  });

  it('heals a partition onto the heavier branch, with the lighter branch transfers back in the mempools', async () => {
    const alice = testKey(920);
    // One shared history first: alice gets coins, everyone sees it.
    const a = await start('part-a', ['--network', 'regtest']);
    const b = await start('part-b', ['--network', 'regtest', '--peer', await multiaddr(a)]);
    await a.post('/api/v1/mine', { blocks: 2, address: reg(alice) });
    await waitFor('b to follow a', () => sameTip([a, b]));
    const c = await start('part-c', ['--network', 'regtest']);
    const d = await start('part-d', ['--network', 'regtest', '--peer', await multiaddr(c)]);
    // c and d learn the shared history, then lose touch with a and b: c connects to a only
    // briefly, through the admin route, and is restarted without it.
    expect((await c.post('/api/v1/peers', { address: await multiaddr(a) })).status).toBe(200);
    await waitFor('c and d to catch up', () => sameTip([a, b, c, d]));
    await c.stop();
    const c2 = await start('part-c', ['--network', 'regtest', '--peer', await multiaddr(d)]);
    await waitFor('c to reconnect to d', async () => (await status(d)).peers >= 1 && (await status(c2)).peers >= 1);

    // The halves mine apart. On the c/d side alice pays bob; the a/b side mines more.
    const pay = transfer(alice, testKey(921).address, 5n * COIN, 0);
    const posted = await c2.post<{ txid: string }>(
      '/api/v1/transactions',
      transferToJson(pay.tx, regtest, pay.signature),
    );
    expect(posted.status).toBe(202);
    await waitFor(
      'd to hear of the transfer',
      async () => (await d.get<{ count: number }>('/api/v1/mempool')).body.count === 1,
    );
    await d.post('/api/v1/mine', { blocks: 2, address: reg(testKey(922)) });
    await waitFor('c to follow d', () => sameTip([c2, d]));
    expect((await c2.get<{ status: string }>(`/api/v1/transactions/${posted.body.txid}`)).body.status).toBe(
      'confirmed',
    );
    await a.post('/api/v1/mine', { blocks: 5, address: reg(testKey(923)) });
    await waitFor('b to follow a', () => sameTip([a, b]));

    // Heal: c dials a. Everyone ends on a's heavier branch, and alice's transfer, whose
    // block was undone on c and d, is pending again in their mempools.
    expect((await c2.post('/api/v1/peers', { address: await multiaddr(a) })).status).toBe(200);
    const all = [a, b, c2, d];
    await waitFor('all four on one tip', () => sameTip(all));
    expect((await status(a)).height).toBe(7); // 2 shared blocks + 5 on a's side
    for (const n of [c2, d]) {
      await waitFor('the transfer pending again', async () => {
        const tx = (await n.get<{ status: string }>(`/api/v1/transactions/${posted.body.txid}`)).body;
        return tx.status === 'pending';
      });
    }
    // And it is mined on the winning branch, where every node sees it confirmed.
    await d.post('/api/v1/mine', { blocks: 1, address: reg(testKey(922)) });
    for (const n of all) {
      await waitFor(
        'confirmed everywhere',
        async () =>
          (await n.get<{ status: string }>(`/api/v1/transactions/${posted.body.txid}`)).body.status === 'confirmed',
      );
    }
    expect(await sameTip(all)).toBe(true);
    await Promise.all(all.map((n) => n.stop()));
  });

  it('bans a peer that relays an invalid block, and keeps accepting valid ones', async () => {
    const honest = await start('ban-honest', ['--network', 'regtest']);
    await honest.post('/api/v1/mine', { blocks: 1, address: reg(testKey(930)) });

    // The attacker is a real OurCoin node and network stack in this process.
    const logger = pino({ level: 'silent' });
    const evilNode = await FullNode.open({
      network: regtest,
      datadir: join(dir, 'ban-evil'),
      logger,
      verifier: new BlsSingleThreadVerifier(),
    });
    const evil = await P2PNetwork.start({
      network: regtest,
      chain: evilNode.chain,
      pool: evilNode.mempool,
      datadir: join(dir, 'ban-evil'),
      logger,
      host: '127.0.0.1',
      port: 0,
      bootstrap: [await multiaddr(honest)],
      mdns: false,
    });
    try {
      await waitFor(
        'the attacker to sync and connect',
        async () => evilNode.chain.tip.height === 1 && (await status(honest)).peers === 1,
      );
      // Gossip reaches the honest node once the attacker knows it subscribes to the topic.
      await waitFor('the attacker to see the honest node subscribed', () =>
        subscribed(evil, honest, evil.ids.blockTopic),
      );
      const parent = evilNode.chain.getBlock(evilNode.chain.tip.hash)!;
      // A coinbase that pays itself more than subsidy + fees: invalid under every rule set.
      const bad = buildBlock(parent, { coinbaseAmount: 51n * COIN, timestamp: Math.floor(Date.now() / 1000) });
      await evil.libp2p.services.pubsub.publish(evil.ids.blockTopic, encodeCompactBlock(toCompactBlock(bad)));
      await waitFor('the attacker to be banned', async () => (await status(honest)).peers === 0);
      expect(honest.output()).toContain('peer banned');
      expect(honest.output()).toContain('COINBASE_TOO_LARGE');
      const tip = await status(honest);
      expect(tip.height).toBe(1);
      // Refused when it dials again.
      await evil.dial(await multiaddr(honest)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await status(honest)).peers).toBe(0);
    } finally {
      await evil.stop();
      await evilNode.close();
    }
    await honest.post('/api/v1/mine', { blocks: 1, address: reg(testKey(930)) });
    expect((await status(honest)).height).toBe(2);
    await honest.stop();
  });

  it('survives garbage gossip and peers from another network, and cuts them off', async () => {
    const honest = await start('junk-honest', ['--network', 'regtest']);
    const logger = pino({ level: 'silent' });
    // A peer speaking garbage on both topics: each message costs it score until it is banned.
    const junkNode = await FullNode.open({
      network: regtest,
      datadir: join(dir, 'junk-evil'),
      logger,
      verifier: new BlsSingleThreadVerifier(),
    });
    const junk = await P2PNetwork.start({
      network: regtest,
      chain: junkNode.chain,
      pool: junkNode.mempool,
      datadir: join(dir, 'junk-evil'),
      logger,
      host: '127.0.0.1',
      port: 0,
      bootstrap: [await multiaddr(honest)],
      mdns: false,
    });
    // A devnet node dialing a regtest node: told apart at the handshake.
    const otherNode = await FullNode.open({
      network: devnet,
      datadir: join(dir, 'junk-devnet'),
      logger,
      verifier: new BlsSingleThreadVerifier(),
    });
    const other = await P2PNetwork.start({
      network: devnet,
      chain: otherNode.chain,
      pool: otherNode.mempool,
      datadir: join(dir, 'junk-devnet'),
      logger,
      host: '127.0.0.1',
      port: 0,
      bootstrap: [],
      mdns: false,
    });
    try {
      await waitFor('the junk peer to connect', async () => (await status(honest)).peers === 1);
      await waitFor(
        'the junk peer to see the honest node subscribed',
        async () =>
          (await subscribed(junk, honest, junk.ids.txTopic)) && (await subscribed(junk, honest, junk.ids.blockTopic)),
      );
      for (let i = 0; i < 6; i++) {
        const garbage = Uint8Array.from({ length: 50 + i * 37 }, (_, j) => (j * 31 + i * 7) & 0xff);
        await junk.libp2p.services.pubsub
          .publish(i % 2 === 0 ? junk.ids.txTopic : junk.ids.blockTopic, garbage)
          .catch(() => undefined);
      }
      await waitFor('the junk peer to be banned', async () => (await status(honest)).peers === 0);
      expect(honest.output()).toMatch(/undecodable (transfer|compact block)/);

      // The banned junk node keeps dialing its --peer; that must not turn others away.
      await other.dial(await multiaddr(honest)).catch(() => undefined);
      await waitFor('the other network to be noticed', () =>
        Promise.resolve(honest.output().includes('peer is on another network (devnet)')),
      );
      expect((await status(honest)).peers).toBe(0);
      // Still serving and mining.
      expect(
        (await honest.post<{ height: number }>('/api/v1/mine', { blocks: 1, address: reg(testKey(940)) })).body.height,
      ).toBe(1);
    } finally {
      await Promise.all([junk.stop(), other.stop()]);
      await Promise.all([junkNode.close(), otherNode.close()]);
    }
    await honest.stop();
  });
});
