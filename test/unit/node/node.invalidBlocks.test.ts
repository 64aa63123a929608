/**
 * The invalid-block suite, after Bitcoin Core's p2p_invalid_block.py and feature_block.py:
 * every block in test/helpers/invalidBlocks.ts breaks exactly one consensus rule, and each
 * goes through both ways into a node:
 *
 * - the API (POST /api/v1/blocks on an in-process node): refused with its rule's code,
 *   the tip unchanged, the hash remembered as invalid exactly when the rule says so, and
 *   the next valid block on the old tip connects;
 * - the network: a fresh attacker peer gossips it as a compact block to an honest node
 *   (serving the missing transfers and, when those do not suffice, the full block on
 *   request); the honest node refuses it with the same code, the attacker loses the
 *   rule's penalty (a consensus failure bans it, a transient one costs nothing), the tip
 *   is unchanged, and the next valid block arrives from the attacker when it is still
 *   welcome, else from an honest relay peer.
 *
 * A compact block carries the header, coinbase and aggregate verbatim, so even the
 * commitment mismatches (tx root, signature hash) travel by gossip. Which way the body
 * arrives depends on what the honest node holds: rebuilt from its mempool, completed with
 * transfers the attacker serves (/txs/1), or, when the attacker cannot serve a transfer
 * with a signature (too large, infinity key), fetched whole from it (/blocks/1).
 */
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { Penalty } from '../../../src/network/peerBook.js';
import type { FullNode } from '../../../src/node/fullNode.js';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { regtest } from '../../../src/protocol/networks.js';
import { medianTimePast } from '../../../src/protocol/rules/header.js';
import { buildBlock } from '../../helpers/builder.js';
import { fundingBlocks, invalidBlockCases } from '../../helpers/invalidBlocks.js';
import type { BuiltCase, InvalidBlockCase, InvalidBlockContext } from '../../helpers/invalidBlocks.js';
import { openApiNode, startAttacker, startHonest, startPeer, waitFor, workspace } from '../../helpers/peers.js';
import type { HonestPeer, Peer } from '../../helpers/peers.js';

/** A pinned clock, past every test block, so "too far ahead" means the same on every run. */
const NOW = regtest.genesis.timestamp + 3600;
const now = (): number => NOW;
const ws = workspace('ourcoin-invalid-blocks-');

const PENALTY = { consensus: Penalty.invalidBlock, mutated: Penalty.mutatedBlock, transient: 0 } as const;

function tipBlock(node: FullNode): Block {
  return node.chain.getBlock(node.chain.tip.hash)!;
}

function contextOf(node: FullNode): InvalidBlockContext {
  const tip = node.chain.tip;
  return { parent: tipBlock(node), medianTimePast: medianTimePast(node.chain.headerContext(tip)), now: NOW };
}

/** Builds the case on the node's tip and gives it the blocks that must come first. */
function prepare(node: FullNode, c: InvalidBlockCase): BuiltCase {
  const built = c.build(contextOf(node));
  for (const { block, status } of built.before ?? []) expect(node.chain.processBlock(block).status).toBe(status);
  return built;
}

/** What must hold after the node refused `block`: tip as before, invalid mark as the rule says. */
function expectRefused(node: FullNode, c: InvalidBlockCase, block: Block, tipBefore: string): void {
  expect(toHex(node.chain.tip.hash)).toBe(tipBefore);
  expect(node.chain.getInvalid(blockHash(block.header))?.code).toBe(c.remembered ? c.code : undefined);
}

function connect(node: FullNode, blocks: readonly Block[]): void {
  for (const b of blocks) expect(node.chain.processBlock(b).status).toBe('connected');
}

describe('invalid blocks over the API (POST /api/v1/blocks)', () => {
  let node: FullNode;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ node, app } = await openApiNode(ws, now));
    connect(node, fundingBlocks(tipBlock(node)));
  });

  const submit = async (block: Block) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/blocks',
      payload: { block: toHex(encodeBlock(block)) },
    });
    return { status: r.statusCode, body: r.json<{ error?: { code: string }; status?: string; tipHash?: string }>() };
  };

  it.each(invalidBlockCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const built = prepare(node, c);
    const tipBefore = toHex(node.chain.tip.hash);
    const r = await submit(built.block);
    // A transient failure is "try later" (503); anything else is the client's block (400).
    expect(r.status).toBe(c.kind === 'transient' ? 503 : 400);
    expect(r.body.error?.code).toBe(c.code);
    expectRefused(node, c, built.block, tipBefore);

    const next = built.next ?? buildBlock(tipBlock(node));
    const ok = await submit(next);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status: 'connected', tipHash: toHex(blockHash(next.header)) });
  });
});

describe('invalid blocks over the network (compact block gossip from an attacker)', () => {
  let honest: HonestPeer;
  /** An honest peer that relays the next valid block when the attacker has been banned. */
  let relay: Peer;

  beforeAll(async () => {
    honest = await startHonest(ws.datadir('honest'), now);
    ws.onCleanup(() => honest.stop());
    connect(honest.node, fundingBlocks(tipBlock(honest.node)));
    relay = await startPeer(ws.datadir('relay'), now);
    ws.onCleanup(() => relay.stop());
    await relay.net.dial(honest.address);
    await waitFor('the relay to sync', () => relay.node.chain.tip.height === honest.node.chain.tip.height);
  });

  it.each(invalidBlockCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const attacker = await startAttacker(ws.datadir('attacker'), now, honest);
    try {
      const built = prepare(honest.node, c);
      const tipBefore = toHex(honest.node.chain.tip.hash);
      const hash = blockHash(built.block.header);
      await attacker.publishBlock(built.block, built.signed);

      const verdict = await honest.verdictFrom(attacker.id);
      expect({
        id: verdict.id && toHex(verdict.id),
        code: verdict.code,
        kind: verdict.kind,
        penalty: verdict.penalty,
      }).toEqual({
        id: toHex(hash),
        code: c.code,
        kind: c.kind,
        penalty: PENALTY[c.kind],
      });
      expectRefused(honest.node, c, built.block, tipBefore);
      // One invalid block costs all 100 points a peer has: banned at once.
      const banned = c.kind === 'consensus';
      if (banned) {
        expect(honest.net.book.isBanned(attacker.id)).toBe(true);
        await waitFor('the attacker to be disconnected', () => honest.net.book.get(attacker.id) === undefined);
      } else {
        expect(honest.net.book.isBanned(attacker.id)).toBe(false);
        expect(honest.net.book.get(attacker.id)!.score + PENALTY[c.kind]).toBe(0);
      }

      const next = built.next ?? buildBlock(tipBlock(honest.node));
      if (banned) {
        await waitFor('the relay to follow the honest tip', () => toHex(relay.node.chain.tip.hash) === tipBefore);
        expect(relay.node.chain.processBlock(next).status).toBe('connected');
      } else {
        await attacker.publishBlock(next);
      }
      await waitFor('the next valid block', () => toHex(honest.node.chain.tip.hash) === toHex(blockHash(next.header)));
    } finally {
      await attacker.stop();
    }
  });
});
