/**
 * Eclipse resistance on loopback: a crowd of inbound strangers cannot push a node's
 * operator-chosen peer (--peer) out of its connections, blocks keep flowing from that peer,
 * and a --peer that restarts is dialed again. Mirrors the intent of Bitcoin Core's
 * p2p_eviction (protected outbound and anchor connections).
 */
import '../../src/network/polyfills.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLibp2p } from 'libp2p';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import type { PeerView } from '../../src/network/interface.js';
import { testKey } from '../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode, status, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-eclipse-'));
const running: NodeProcess[] = [];
const strangers: Libp2p[] = [];
afterAll(async () => {
  for (const s of strangers) await s.stop();
  await Promise.all(running.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const MAX_PEERS = 6;
const STRANGERS = 16;

const peerIds = async (n: NodeProcess): Promise<string[]> =>
  (await n.get<PeerView[]>('/api/v1/peers')).body.map((p) => p.peerId);

describe('eclipse resistance', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('keeps and redials its --peer while strangers crowd its connection slots', async () => {
    const friend = await startNode(['--network', 'regtest', '--datadir', join(dir, 'friend')]);
    running.push(friend);
    const friendStatus = await status(friend);
    const friendId = friendStatus.p2p!.peerId;
    const friendAddr = friendStatus.p2p!.multiaddrs[0]!;
    const node = await startNode([
      '--network',
      'regtest',
      '--datadir',
      join(dir, 'node'),
      '--peer',
      friendAddr,
      '--max-peers',
      String(MAX_PEERS),
    ]);
    running.push(node);
    await waitFor('the --peer connection', async () => (await peerIds(node)).includes(friendId));

    // Strangers dial in, a few a second (libp2p refuses more than 5 a second from one host).
    const target = multiaddr((await status(node)).p2p!.multiaddrs[0]);
    for (let i = 0; i < STRANGERS; i++) {
      const s = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] });
      strangers.push(s);
      await s.dial(target).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Pruning keeps the node near its limit, and the operator's peer survives it.
    await waitFor('pruning down to the limit', async () => (await peerIds(node)).length <= MAX_PEERS + 1);
    const connectedStrangers = strangers.filter((s) => s.getConnections().length > 0).length;
    expect(connectedStrangers).toBeLessThan(STRANGERS);
    expect(await peerIds(node)).toContain(friendId);

    // Not eclipsed: blocks from the friend still arrive.
    await friend.post('/api/v1/mine', { blocks: 2, address: encodeAddress(testKey(71).address, regtest) });
    await waitFor("the friend's blocks", async () => (await status(node)).tipHash === (await status(friend)).tipHash);

    // The friend restarts on the same address: the node dials it again by itself.
    await friend.stop();
    await waitFor('the friend to be gone', async () => !(await peerIds(node)).includes(friendId));
    const port = /\/tcp\/(\d+)/.exec(friendAddr)![1];
    if (!port) throw new Error(`no TCP port in ${friendAddr}`);
    const again = await startNode(['--network', 'regtest', '--datadir', join(dir, 'friend'), '--p2p-port', port]);
    running.push(again);
    await waitFor('the node to redial its --peer', async () => (await peerIds(node)).includes(friendId));
  });
});
