/**
 * The syncer without libp2p: its wire is a PeerRequest that serves a second chain in this
 * process through the node's own request handlers (serveHeaders, serveBlocks), or hands
 * over what a dishonest peer would send. What is checked is where the local chain ends up,
 * who was penalised, and which requests were made.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../../src/chain/chain.js';
import { serveBlocks, serveHeaders } from '../../../src/network/handlers.js';
import { STATUS_VERSION, decodeHeaders, encodeHeaders } from '../../../src/network/messages.js';
import type { PeerStatus } from '../../../src/network/messages.js';
import type { SyncProgress } from '../../../src/network/interface.js';
import { PeerBook, Penalty } from '../../../src/network/peerBook.js';
import { Syncer } from '../../../src/network/sync/syncer.js';
import type { PeerRequest, SyncProtocol } from '../../../src/network/sync/transport.js';
import { blockHash, decodeBlock, encodeBlock } from '../../../src/protocol/block.js';
import type { Block, BlockHeader } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { decodeCompact, hashMeetsTarget } from '../../../src/protocol/pow.js';
import { buildBlock, testKey } from '../../helpers/builder.js';
import { openTestChain } from '../../helpers/chain.js';
import type { TestChain } from '../../helpers/chain.js';

const logger = pino({ level: 'silent' });
const opened: TestChain[] = [];
const syncers: Syncer[] = [];

afterEach(() => {
  for (const s of syncers.splice(0)) s.stop();
  for (const t of opened.splice(0)) t.cleanup();
});

function chainOf(length: number): Chain {
  const t = openTestChain();
  opened.push(t);
  let parent = t.chain.getBlock(t.chain.tip.hash)!;
  for (let i = 0; i < length; i++) {
    parent = buildBlock(parent, { miner: testKey(i % 3).address });
    expect(t.chain.processBlock(parent).status).toBe('connected');
  }
  return t.chain;
}

function statusOf(chain: Chain): PeerStatus {
  const tip = chain.tip;
  return {
    version: STATUS_VERSION,
    networkName: chain.network.name,
    chainId: chain.network.chainId,
    genesisHash: chain.mainHashAt(0)!,
    tipHash: tip.hash,
    height: tip.height,
    cumulativeWork: tip.cumulativeWork,
  };
}

interface Harness {
  readonly syncer: Syncer;
  readonly requests: { peer: string; protocol: SyncProtocol }[];
  readonly penalties: { peer: string; amount: number; why: string }[];
  caughtUp: number;
}

/** A syncer for `local` whose peers (connected, with their statuses) answer through `serve`. */
function harness(
  local: Chain,
  peers: Record<string, Chain>,
  serve: (peer: string, protocol: SyncProtocol, payload: Uint8Array) => Uint8Array[],
): Harness {
  const book = new PeerBook();
  for (const [id, chain] of Object.entries(peers)) book.add(id, 'outbound', '').status = statusOf(chain);
  const requests: Harness['requests'] = [];
  const penalties: Harness['penalties'] = [];
  const request: PeerRequest = (peer, protocol, payload, limits) => {
    requests.push({ peer, protocol });
    const frames = serve(peer, protocol, payload);
    expect(frames.length).toBeLessThanOrEqual(limits.maxFrames);
    return Promise.resolve(frames);
  };
  const h: Harness = {
    syncer: new Syncer({
      chain: local,
      book,
      request,
      logger,
      penalize: (peer, amount, why) => penalties.push({ peer, amount, why }),
      onCaughtUp: () => h.caughtUp++,
    }),
    requests,
    penalties,
    caughtUp: 0,
  };
  syncers.push(h.syncer);
  return h;
}

/** Serves `chain` as an honest node does. */
const honestly =
  (chain: Chain) =>
  (_peer: string, protocol: SyncProtocol, payload: Uint8Array): Uint8Array[] =>
    protocol === 'headers' ? serveHeaders(chain, payload) : serveBlocks(chain, payload);

/** The header with the first nonce from `header.nonce + 1` whose hash misses its target. */
function withBadPow(header: BlockHeader): BlockHeader {
  const target = decodeCompact(header.bits);
  for (let nonce = header.nonce + 1n; ; nonce++) {
    const h = { ...header, nonce };
    if (!hashMeetsTarget(blockHash(h), target)) return h;
  }
}

describe('Syncer', () => {
  it('catches up with a peer 150 blocks ahead, in chunks, and announces once', async () => {
    const remote = chainOf(150);
    const local = chainOf(0);
    const h = harness(local, { honest: remote }, honestly(remote));

    h.syncer.onPeerStatus('honest', statusOf(remote));
    expect(h.syncer.isSyncing).toBe(true);
    await h.syncer.idle;

    expect(local.tip.height).toBe(150);
    expect(toHex(local.tip.hash)).toBe(toHex(remote.tip.hash));
    expect(h.penalties).toEqual([]);
    expect(h.caughtUp).toBe(1);
    // One headers request (fewer than MAX_HEADERS came back), then 64 + 64 + 22 blocks.
    expect(h.requests.map((r) => r.protocol)).toEqual(['headers', 'blocks', 'blocks', 'blocks']);
  });

  it('reports its target and rate while it runs, and nothing once caught up', async () => {
    const remote = chainOf(150);
    const local = chainOf(0);
    const h = harness(local, { honest: remote }, honestly(remote));
    const seen: SyncProgress[] = [];
    const unsubscribe = local.onTipChange(() => seen.push(h.syncer.progress()));
    const idle = { syncing: false, targetHeight: null, blocksPerSecond: 0, etaSeconds: null };
    expect(h.syncer.progress()).toEqual({ ...idle, height: 0 });

    h.syncer.onPeerStatus('honest', statusOf(remote));
    await h.syncer.idle;
    unsubscribe();
    expect(seen.length).toBeGreaterThan(1);
    for (const p of seen) {
      expect(p).toMatchObject({ syncing: true, targetHeight: 150 });
      expect(p.height).toBeLessThanOrEqual(150);
    }
    // Once blocks were imported: a rate and an ETA.
    const later = seen.at(-1)!;
    expect(later.height).toBeGreaterThan(0);
    expect(later.blocksPerSecond).toBeGreaterThan(0);
    expect(later.etaSeconds).not.toBeNull();
    expect(h.syncer.progress()).toEqual({ ...idle, height: 150 });
  });

  it('ignores a peer with no more work than our tip', async () => {
    const remote = chainOf(3);
    const local = chainOf(3);
    const h = harness(local, { same: remote }, honestly(remote));
    h.syncer.onPeerStatus('same', statusOf(remote));
    expect(h.syncer.isSyncing).toBe(false);
    await h.syncer.idle;
    expect(h.requests).toEqual([]);
  });

  it('refuses headers with bad proof of work, asks for no block and penalises the peer', async () => {
    const remote = chainOf(20);
    const local = chainOf(0);
    const h = harness(local, { liar: remote }, (peer, protocol, payload) => {
      if (protocol === 'blocks') return serveBlocks(remote, payload);
      const headers = decodeHeaders(serveHeaders(remote, payload)[0]!);
      // The 20th header's nonce changed: it still links to the 19th, but misses its target.
      return [encodeHeaders([...headers.slice(0, 19), withBadPow(headers[19]!)])];
    });

    h.syncer.requestSync('liar');
    await h.syncer.idle;

    expect(local.tip.height).toBe(0);
    expect(h.requests).toEqual([{ peer: 'liar', protocol: 'headers' }]);
    expect(h.penalties).toHaveLength(1);
    expect(h.penalties[0]).toMatchObject({ peer: 'liar', amount: Penalty.invalidBlock });
    expect(h.penalties[0]!.why).toContain('BLOCK_BAD_POW');
    expect(h.caughtUp).toBe(0);
  });

  it('stops at a block whose body does not match its header and penalises the sync peer', async () => {
    const remote = chainOf(10);
    const local = chainOf(0);
    const mutated = (block: Block): Block => ({
      ...block,
      coinbase: { ...block.coinbase, recipient: testKey(77).address },
    });
    const h = harness(local, { tamperer: remote }, (peer, protocol, payload) => {
      const frames = honestly(remote)(peer, protocol, payload);
      if (protocol === 'headers') return frames;
      // Block 6 with another coinbase: its header (and hash) are right, its tx root is not.
      return frames.map((bytes) => {
        const block = decodeBlock(bytes);
        return block.header.height === 6 ? encodeBlock(mutated(block)) : bytes;
      });
    });

    h.syncer.requestSync('tamperer');
    await h.syncer.idle;

    expect(local.tip.height).toBe(5);
    expect(h.penalties).toHaveLength(1);
    expect(h.penalties[0]).toMatchObject({ peer: 'tamperer', amount: Penalty.mutatedBlock });
    expect(h.penalties[0]!.why).toContain('BLOCK_BAD_TX_ROOT');
    // Blocks 1 to 5 joined the chain: the tip moved, so it is announced.
    expect(h.caughtUp).toBe(1);
  });
});
