/**
 * Gossiped transfers count against the relaying peer: its replacement storms are refused by
 * the mempool's policy (no penalty: an honest relay may send them, but nothing is forwarded),
 * within a budget per sender and per peer, while its junk costs it score by the table in
 * scoring.ts. Real nodes on loopback.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Penalty } from '../../../src/network/peerBook.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { regtest } from '../../../src/protocol/networks.js';
import { encodeSignedTransfer, transferTxid } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { buildBlock, transfer } from '../../helpers/builder.js';
import type { TestKey } from '../../helpers/builder.js';
import { fundingBlocks, keys } from '../../helpers/invalidBlocks.js';
import { startAttacker, startHonest, waitFor, workspace } from '../../helpers/peers.js';
import type { Attacker, HonestPeer } from '../../helpers/peers.js';

const NOW = regtest.genesis.timestamp + 3600;
const now = (): number => NOW;
const ws = workspace('ourcoin-gossip-');
const { alice, bob, carol, eve } = keys;

describe('transfers gossiped by one peer', () => {
  let honest: HonestPeer;

  beforeAll(async () => {
    // Small budgets, so that a storm reaches them in a few messages.
    honest = await startHonest(ws.datadir('honest'), now, { maxReplacementsPerSender: 2, maxReplacementsPerSource: 3 });
    ws.onCleanup(() => honest.stop());
    let tip = honest.node.chain.getBlock(honest.node.chain.tip.hash)!;
    for (const block of fundingBlocks(tip)) {
      expect(honest.node.chain.processBlock(block).status).toBe('connected');
      tip = block;
    }
  });

  /** Gossips `stx` from `peer` and waits for its outcome: admitted, or the verdict on it. */
  async function relay(peer: Attacker, stx: SignedTransfer): Promise<string> {
    const txid = toHex(transferTxid(stx.tx));
    const verdict = (): string | undefined => {
      if (honest.node.mempool.get(transferTxid(stx.tx))) return 'accepted';
      const r = honest.rejections.find((x) => x.peerId === peer.id && x.id && toHex(x.id) === txid);
      return r && `${r.code} ${r.penalty}`;
    };
    await peer.publishTransfer(encodeSignedTransfer(stx));
    await waitFor(`the verdict on ${txid}`, () => verdict() !== undefined);
    return verdict()!;
  }

  const bump = (from: TestKey, fee: bigint): SignedTransfer => transfer(from, eve.address, 1n, 0, fee);

  it('ignores its one-unit bumps and replacements past the budgets without penalty, and penalises its junk', async () => {
    const attacker = await startAttacker(ws.datadir('attacker'), now, honest);
    ws.onCleanup(() => attacker.stop());
    expect(await relay(attacker, bump(alice, 1000n))).toBe('accepted');
    // A storm of one-unit bumps: each refused before its signature is checked, without penalty.
    const verifiedBefore = honest.verifier.stats().setsVerified;
    for (let fee = 1001n; fee <= 1020n; fee++)
      expect(await relay(attacker, bump(alice, fee))).toBe('MEMPOOL_REPLACEMENT_FEE_TOO_LOW 0');
    expect(honest.verifier.stats().setsVerified).toBe(verifiedBefore);
    // alice's budget: two replacements until the next block.
    expect(await relay(attacker, bump(alice, 2000n))).toBe('accepted');
    expect(await relay(attacker, bump(alice, 3000n))).toBe('accepted');
    expect(await relay(attacker, bump(alice, 4000n))).toBe('MEMPOOL_TOO_MANY_REPLACEMENTS 0');
    // The peer's budget: three replacements over all senders; another peer still has its own.
    expect(await relay(attacker, bump(bob, 1000n))).toBe('accepted');
    expect(await relay(attacker, bump(bob, 2000n))).toBe('accepted');
    expect(await relay(attacker, bump(bob, 3000n))).toBe('MEMPOOL_TOO_MANY_REPLACEMENTS 0');
    const other = await startAttacker(ws.datadir('other'), now, honest);
    ws.onCleanup(() => other.stop());
    // (Another fee than the refused one: gossip drops a message it has seen, whoever sends it.)
    expect(await relay(other, bump(bob, 3500n))).toBe('accepted');
    expect(honest.net.book.get(attacker.id)!.score).toBe(0);

    // Junk is the relayer's fault: a transfer carrying another transfer's signature.
    const junk = { tx: bump(carol, 1000n).tx, signature: bump(carol, 2000n).signature };
    expect(await relay(attacker, junk)).toBe(`TX_BAD_SIGNATURE ${Penalty.invalidTransaction}`);
    expect(honest.net.book.get(attacker.id)!.score).toBe(-Penalty.invalidTransaction);
    expect(honest.node.mempool.pendingFrom(alice.address).map((e) => e.tx.fee)).toEqual([3000n]);

    // A block renews the budgets (a new fee: the refused message itself would be dropped as seen).
    const next = buildBlock(honest.node.chain.getBlock(honest.node.chain.tip.hash)!, { miner: eve.address });
    expect(honest.node.chain.processBlock(next).status).toBe('connected');
    expect(await relay(attacker, bump(alice, 5000n))).toBe('accepted');
  });
});
