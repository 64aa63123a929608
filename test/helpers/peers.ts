/**
 * In-process OurCoin nodes for tests: one behind the HTTP API (app.inject), and peers on
 * loopback: an honest node with its network, and attackers whose transfer and block
 * responders serve whatever a test hands them (as a misbehaving peer would), each with a
 * fresh identity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { buildApiServer } from '../../src/api/server.js';
import type { BlsVerifier } from '../../src/chain/bls/interface.js';
import { BlsSingleThreadVerifier } from '../../src/chain/bls/singleThread.js';
import type { MempoolLimits } from '../../src/mempool/interface.js';
import { toCompactBlock } from '../../src/network/compactBlock.js';
import {
  MAX_BLOCKS_PER_REQUEST,
  MAX_TXIDS,
  decodeBlocksRequest,
  decodeTxsRequest,
  encodeCompactBlock,
  encodeSignedTransfers,
} from '../../src/network/messages.js';
import type { P2PNetwork } from '../../src/network/network.js';
import type { GossipRejection } from '../../src/network/interface.js';
import { respond } from '../../src/network/reqresp.js';
import { FullNode } from '../../src/node/fullNode.js';
import { blockHash, encodeBlock } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { toHex } from '../../src/protocol/bytes.js';
import { regtest } from '../../src/protocol/networks.js';
import { transferTxid } from '../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../src/protocol/transaction.js';

const logger = pino({ level: 'silent' });

/** Polls `check` every 20 ms until it holds, for at most `ms`. */
export async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Peer {
  readonly node: FullNode;
  readonly net: P2PNetwork;
  /** The node's signature service (to count the signatures it checked). */
  readonly verifier: BlsVerifier;
  stop(): Promise<void>;
}

/** A regtest node and its network on 127.0.0.1 (a new datadir is a new peer id). */
export async function startPeer(
  datadir: string,
  now: () => number,
  mempoolLimits?: Partial<MempoolLimits>,
): Promise<Peer> {
  const verifier = new BlsSingleThreadVerifier();
  const node = await FullNode.open({
    network: regtest,
    datadir,
    logger,
    verifier,
    mempoolLimits,
    now,
    p2p: { host: '127.0.0.1', port: 0, bootstrap: [], mdns: false },
  });
  await node.start();
  return { node, net: node.p2p!, verifier, stop: () => node.close() };
}

/** The honest node under test, recording every gossip verdict against a peer. */
export interface HonestPeer extends Peer {
  readonly rejections: GossipRejection[];
  readonly address: string;
  /** The first verdict on a message from `peerId` (each test's attacker is a fresh peer). */
  verdictFrom(peerId: string): Promise<GossipRejection>;
}

export async function startHonest(
  datadir: string,
  now: () => number,
  mempoolLimits?: Partial<MempoolLimits>,
): Promise<HonestPeer> {
  const peer = await startPeer(datadir, now, mempoolLimits);
  const rejections: GossipRejection[] = [];
  peer.net.onGossipRejected((r) => rejections.push(r));
  const find = (peerId: string): GossipRejection | undefined => rejections.find((r) => r.peerId === peerId);
  return {
    ...peer,
    rejections,
    address: peer.net.multiaddrs()[0]!,
    async verdictFrom(peerId) {
      await waitFor(`a verdict on gossip from ${peerId}`, () => find(peerId) !== undefined);
      return find(peerId)!;
    },
  };
}

/**
 * libp2p refuses more than 5 inbound connections a second from one host: a test that
 * starts peers back to back meets that limit, so a refused dial is tried again shortly.
 */
async function dialWithRetries(net: P2PNetwork, address: string, attempts = 6): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await net.dial(address);
      return;
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

export interface Attacker extends Peer {
  readonly id: string;
  /** Requests the honest node made of it. */
  readonly requests: { txs: number; blocks: number };
  /** Serves `block` (and these transfers) on request, then gossips it as a compact block. */
  publishBlock(block: Block, signed?: readonly SignedTransfer[]): Promise<void>;
  /** Gossips raw bytes on the transfer topic. */
  publishTransfer(bytes: Uint8Array): Promise<void>;
}

/** A fresh peer connected to `honest`, ready to gossip to it. */
export async function startAttacker(datadir: string, now: () => number, honest: HonestPeer): Promise<Attacker> {
  const peer = await startPeer(datadir, now);
  const { libp2p, ids } = peer.net;
  const txs = new Map<string, SignedTransfer>();
  const blocks = new Map<string, Uint8Array>();
  const requests = { txs: 0, blocks: 0 };
  // Its own responders replace the node's: it answers with what the test gives it.
  await libp2p.unhandle([ids.txs, ids.blocks]);
  await respond(libp2p, ids.txs, 4 + 32 * MAX_TXIDS, (payload) => {
    requests.txs++;
    return [encodeSignedTransfers(decodeTxsRequest(payload).flatMap((id) => txs.get(toHex(id)) ?? []))];
  });
  await respond(libp2p, ids.blocks, 4 + 32 * MAX_BLOCKS_PER_REQUEST, (payload) => {
    requests.blocks++;
    const frames: Uint8Array[] = [];
    for (const hash of decodeBlocksRequest(payload)) {
      const bytes = blocks.get(toHex(hash)) ?? peer.node.chain.getBlockBytes(hash);
      if (!bytes) break;
      frames.push(bytes);
    }
    return frames;
  });
  await dialWithRetries(peer.net, honest.address);
  const id = peer.net.peerId;
  const honestId = honest.net.peerId;
  await waitFor('the attacker to see the honest node subscribed', () => {
    const pubsub = libp2p.services.pubsub;
    const subscribed = (topic: string): boolean => pubsub.getSubscribers(topic).some((p) => p.toString() === honestId);
    return subscribed(ids.blockTopic) && subscribed(ids.txTopic) && honest.net.book.get(id) !== undefined;
  });
  return {
    ...peer,
    id,
    requests,
    async publishBlock(block, signed = []) {
      blocks.set(toHex(blockHash(block.header)), encodeBlock(block));
      for (const s of signed) txs.set(toHex(transferTxid(s.tx)), s);
      await libp2p.services.pubsub.publish(ids.blockTopic, encodeCompactBlock(toCompactBlock(block)));
    },
    async publishTransfer(bytes) {
      await libp2p.services.pubsub.publish(ids.txTopic, bytes);
    },
  };
}

export interface Workspace {
  /** A fresh data directory per call (a new one is a new peer id). */
  datadir(name: string): string;
  /** Stops something after the file's tests, the last registered first. */
  onCleanup(stop: () => Promise<void>): void;
}

/** A temporary directory for one test file's nodes, removed after its tests. */
export function workspace(prefix: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const stops: (() => Promise<void>)[] = [];
  let n = 0;
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { datadir: (name) => join(dir, `${name}-${n++}`), onCleanup: (stop) => stops.push(stop) };
}

/** A regtest node behind the HTTP API, stopped after the file's tests. */
export async function openApiNode(ws: Workspace, now: () => number): Promise<{ node: FullNode; app: FastifyInstance }> {
  const node = await FullNode.open({
    network: regtest,
    datadir: ws.datadir('api'),
    logger,
    verifier: new BlsSingleThreadVerifier(),
    now,
  });
  const app = await buildApiServer(node.ports, { logger });
  ws.onCleanup(async () => {
    await app.close();
    await node.close();
  });
  return { node, app };
}
