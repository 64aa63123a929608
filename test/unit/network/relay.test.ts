/**
 * Block relay modes (the network simulator's baseline, issue 19): with compact relay a mined
 * block reaches a peer whose mempool holds its transfers and is rebuilt without a fetch;
 * with the hidden full relay it travels whole on its own topic. Both are counted in the
 * receiving node's /metrics (ourcoin_relayed_blocks_total{outcome}). Two in-process nodes on
 * loopback per mode.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { BlsSingleThreadVerifier } from '../../../src/chain/bls/singleThread.js';
import type { BlockRelay } from '../../../src/network/interface.js';
import { FullNode } from '../../../src/node/fullNode.js';
import { regtest } from '../../../src/protocol/networks.js';
import { testKey, transfer } from '../../helpers/builder.js';
import { waitFor, workspace } from '../../helpers/peers.js';

const ws = workspace('ourcoin-relay-');
const logger = pino({ level: 'silent' });
const miner = testKey(1901);

async function startNode(name: string, relay: BlockRelay): Promise<FullNode> {
  const node = await FullNode.open({
    network: regtest,
    datadir: ws.datadir(name),
    logger,
    verifier: new BlsSingleThreadVerifier(),
    p2p: { host: '127.0.0.1', port: 0, bootstrap: [], mdns: false, relay },
  });
  await node.start();
  ws.onCleanup(() => node.close());
  return node;
}

/** The value of `ourcoin_relayed_blocks_total{outcome}` in `node`'s metrics. */
async function relayed(node: FullNode, outcome: string): Promise<number> {
  const text = await node.ports.metrics!.scrape();
  const m = new RegExp(`^ourcoin_relayed_blocks_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe.each([
  ['compact', 'pool'],
  ['full', 'full'],
] as const)('%s block relay', (relay, outcome) => {
  it(`delivers a mined block with its transfer, counted as "${outcome}"`, async () => {
    const a = await startNode(`${relay}-a`, relay);
    const b = await startNode(`${relay}-b`, relay);
    await b.p2p!.dial(a.p2p!.multiaddrs()[0]!);
    a.miner.mineBlocks(1, miner.address);
    await waitFor('b to sync the funding block', () => b.chain.tip.height === 1);
    const [admitted] = await a.mempool.submit([transfer(miner, testKey(1902).address, 5n, 0)]);
    expect(admitted!.accepted).toBe(true);
    await waitFor('the transfer to reach b', () => b.mempool.size === 1);
    const [block] = a.miner.mineBlocks(1, miner.address);
    expect(block!.transactions).toHaveLength(1);
    await waitFor('b to connect the block', () => b.chain.tip.height === 2);
    expect(await relayed(b, outcome)).toBe(1);
  });
});
