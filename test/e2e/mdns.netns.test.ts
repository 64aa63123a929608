/**
 * mDNS discovery end to end: two real `ourcoin node --mdns` processes with no `--peer` find
 * each other, connect, and follow one tip. They run inside a network namespace this test
 * creates, whose only interface is its own loopback with multicast enabled, so the mDNS
 * traffic (224.0.0.251:5353) never leaves the test. Needs root and iproute2: without them the
 * test fails with a clear message (it does not skip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { testKey } from '../helpers/builder.js';
import { createNamespace, deleteNamespace, startNodeInNamespace } from '../helpers/netns.js';
import type { NamespacedNode } from '../helpers/netns.js';
import { PROCESS_TEST_TIMEOUT_MS, WAIT_LIMIT_MS } from '../helpers/nodeProcess.js';

const ns = `ourcoin-mdns-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'ourcoin-mdns-'));
const nodes: NamespacedNode[] = [];

interface Status {
  height: number;
  tipHash: string;
  peers: number;
}

const args = (name: string): string[] => [
  '--network', 'regtest',
  '--datadir', join(dir, name),
  '--api-host', '127.0.0.1', '--api-port', '0',
  '--p2p-host', '0.0.0.0', '--p2p-port', '0',
  '--mdns',
  '--status-interval', '0',
]; // prettier-ignore

/** The node's peer id, from the p2p line of its banner. */
const peerIdOf = (n: NamespacedNode): Promise<string> =>
  n.waitFor('the p2p banner line', WAIT_LIMIT_MS, (out) => /^\s+p2p\s+\S*\/p2p\/(\w+)/m.exec(out)?.[1]);

/** Resolves once `n` has logged "peer connected" for `peer`. */
const connectedTo = (n: NamespacedNode, peer: string): Promise<true> =>
  n.waitFor(`"peer connected" to ${peer}`, WAIT_LIMIT_MS, () =>
    n.logs().some((l) => l.msg === 'peer connected' && l.peer === peer) ? true : undefined,
  );

const status = async (n: NamespacedNode): Promise<Status> => (await n.call<Status>('GET', '/api/v1/status')).body;

beforeAll(async () => {
  await createNamespace(ns); // throws (fails the test) when namespaces are not available
}, WAIT_LIMIT_MS);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop(8_000)));
  await deleteNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe(
  'mDNS discovery (two node processes in a private network namespace)',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    it('finds the other node without --peer, connects, and follows its tip', async () => {
      const a = startNodeInNamespace(ns, args('a'));
      nodes.push(a);
      const b = startNodeInNamespace(ns, args('b'));
      nodes.push(b);
      const [idA, idB] = await Promise.all([peerIdOf(a), peerIdOf(b)]);
      expect(idA).not.toBe(idB);

      // No --peer anywhere: only mDNS can have told them about each other.
      await Promise.all([connectedTo(a, idB), connectedTo(b, idA)]);
      expect((await status(a)).peers).toBeGreaterThanOrEqual(1);
      expect((await status(b)).peers).toBeGreaterThanOrEqual(1);

      // Mine on a; b follows to the same tip.
      const mined = await a.call<{ height: number; hashes: string[] }>('POST', '/api/v1/mine', {
        blocks: 3,
        address: encodeAddress(testKey(1).address, regtest),
      });
      expect(mined.status).toBe(200);
      expect(mined.body.height).toBe(3);
      const tip = (await status(a)).tipHash;
      const deadline = Date.now() + WAIT_LIMIT_MS;
      let seen = await status(b);
      while (seen.tipHash !== tip && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        seen = await status(b);
      }
      expect(
        seen,
        `node b did not follow node a's tip:\n--- a ---\n${a.output()}\n--- b ---\n${b.output()}`,
      ).toMatchObject({ height: 3, tipHash: tip });
    });
  },
);
