/**
 * The invalid-transaction suite, after Bitcoin Core's p2p_invalid_tx.py: every transfer
 * rule (TX_*), every mempool refusal (MEMPOOL_*) and malformed encodings, each sent
 *
 * - over HTTP (POST /api/v1/transactions on an in-process node): the status and exact
 *   error code, and the mempool unchanged;
 * - over gossip from a fresh attacker peer to an honest node: the code of the verdict,
 *   the honest mempool unchanged, the penalty (20 for a broken rule, 25 for bytes that do
 *   not decode, none for a conflict with the receiver's state), and a valid transfer from
 *   the same attacker still accepted afterwards.
 *
 * Some cases exist on one path only: JSON cannot carry a fee above MAX_MONEY to the rule
 * (the amount parser refuses it first) nor a wrong type byte; the wire format has no hex or
 * addresses; and gossip drops a message it has already seen before any validation, so a
 * duplicate of a relayed transfer never reaches the mempool's duplicate rule.
 */
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { INFINITY_SIGNATURE, SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { Penalty } from '../../../src/network/peerBook.js';
import type { FullNode } from '../../../src/node/fullNode.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { COIN, MAX_MONEY } from '../../../src/protocol/amount.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { encodeSignedTransfer, transferToJson, transferTxid } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';
import { g1CompressedWithX } from '../../helpers/curvePoints.js';
import { INFINITY_PUBLIC_KEY, fundingBlocks, keys } from '../../helpers/invalidBlocks.js';
import { openApiNode, startAttacker, startHonest, waitFor, workspace } from '../../helpers/peers.js';
import type { HonestPeer } from '../../helpers/peers.js';

const NOW = regtest.genesis.timestamp + 3600;
const now = (): number => NOW;
const ws = workspace('ourcoin-invalid-txs-');

const { alice, bob, carol, dave, eve } = keys;
/** bob's nonce 0 is mined in the setup; carol's nonce 0 waits in the mempool. */
const confirmed = transfer(bob, eve.address, 1n * COIN, 0);
const pending = transfer(carol, eve.address, 1n * COIN, 0);

/** Gives a node the shared state: funded senders, one mined transfer, one pending. */
async function setUp(node: FullNode): Promise<void> {
  let tip = node.chain.getBlock(node.chain.tip.hash)!;
  for (const block of [...fundingBlocks(tip), undefined]) {
    // The confirmed transfer goes straight into a block: it never passes through the mempool or gossip.
    const next = block ?? buildBlock(tip, { txs: [confirmed] });
    expect(node.chain.processBlock(next).status).toBe('connected');
    tip = next;
  }
  const [r] = await node.mempool.submit([pending]);
  expect(r!.accepted).toBe(true);
}

const mempoolOf = (node: FullNode): string[] =>
  node.mempool
    .entries()
    .map((e) => toHex(e.txid))
    .sort();

/** A signed transfer with its signature replaced. */
const resigned = (s: SignedTransfer, signature: Uint8Array): SignedTransfer => ({ tx: s.tx, signature });
const withKey = (s: SignedTransfer, senderPublicKey: Uint8Array): SignedTransfer => ({
  tx: { ...s.tx, senderPublicKey },
  signature: s.signature,
});

/** Where a case goes and what it must get there. */
interface TxCase {
  readonly name: string;
  /** The HTTP body, and the status and code it must get (absent: JSON cannot express it). */
  readonly http?: { readonly body: () => unknown; readonly status: number; readonly code: string };
  /** The gossip bytes and the verdict's code (absent: the wire cannot express it). */
  readonly gossip?: {
    readonly bytes: () => Uint8Array;
    /** Undefined: gossipsub drops the message as already seen, and no verdict is given. */
    readonly code: string | undefined;
    readonly penalty: number;
  };
}

const json = (s: SignedTransfer): Record<string, unknown> => ({ ...transferToJson(s.tx, regtest, s.signature) });

/** A signed transfer that both paths carry: HTTP answers `status`, gossip costs `penalty`. */
function signedCase(name: string, stx: () => SignedTransfer, code: string, status: number, penalty: number): TxCase {
  return {
    name,
    http: { body: () => json(stx()), status, code },
    gossip: { bytes: () => encodeSignedTransfer(stx()), code, penalty },
  };
}
const broken = (name: string, stx: () => SignedTransfer, code: string): TxCase =>
  signedCase(name, stx, code, 400, Penalty.invalidTransaction);
const conflict = (name: string, stx: () => SignedTransfer, code: string): TxCase => signedCase(name, stx, code, 409, 0);
/** A JSON body with one field replaced. */
const httpOnly = (name: string, field: string, value: unknown, code: string): TxCase => ({
  name,
  http: { body: () => ({ ...json(transfer(alice, eve.address, 1n, 0)), [field]: value }), status: 400, code },
});
/** Wire bytes of a valid transfer, edited. */
const wireOnly = (name: string, edit: (bytes: Uint8Array) => Uint8Array, code: string): TxCase => ({
  name,
  gossip: {
    bytes: () => edit(encodeSignedTransfer(transfer(alice, eve.address, 1n, 0))),
    code,
    penalty: Penalty.malformedMessage,
  },
});

const cases: readonly TxCase[] = [
  // ---- transfer fields (consensus rules)
  broken('transfer for another network', () => transfer(alice, eve.address, 1n, 0, 1000n, devnet), 'TX_BAD_CHAIN_ID'),
  broken('amount 0', () => transfer(alice, eve.address, 0n, 0), 'TX_BAD_AMOUNT'),
  broken('amount + fee above MAX_MONEY', () => transfer(alice, eve.address, MAX_MONEY, 0), 'TX_BAD_AMOUNT'),
  {
    name: 'fee above MAX_MONEY',
    http: {
      body: () => json(transfer(alice, eve.address, 1n, 0, MAX_MONEY + 1n)),
      status: 400,
      code: 'AMOUNT_OUT_OF_RANGE',
    },
    gossip: {
      bytes: () => encodeSignedTransfer(transfer(alice, eve.address, 1n, 0, MAX_MONEY + 1n)),
      code: 'TX_BAD_FEE',
      penalty: Penalty.invalidTransaction,
    },
  },
  // ---- sender key and signature
  broken(
    'infinity public key with an infinity signature',
    () => resigned(withKey(transfer(alice, eve.address, 1n, 0), INFINITY_PUBLIC_KEY), INFINITY_SIGNATURE),
    'TX_BAD_PUBLIC_KEY',
  ),
  broken(
    'public key off the curve',
    () => withKey(transfer(alice, eve.address, 1n, 0), g1CompressedWithX(false)),
    'TX_BAD_PUBLIC_KEY',
  ),
  broken(
    'public key outside the subgroup',
    () => withKey(transfer(alice, eve.address, 1n, 0), g1CompressedWithX(true)),
    'TX_BAD_PUBLIC_KEY',
  ),
  // From dave, who has nothing pending: a transfer that clashes with a pending one is refused
  // by the replacement rules (MEMPOOL_*, no penalty) before any signature is verified.
  broken(
    'infinity signature',
    () => resigned(transfer(dave, eve.address, 1n, 0), INFINITY_SIGNATURE),
    'TX_BAD_SIGNATURE',
  ),
  broken(
    'signature bytes that are no valid point',
    () => resigned(transfer(dave, eve.address, 1n, 0), new Uint8Array(SIGNATURE_LENGTH).fill(0xaa)),
    'TX_BAD_SIGNATURE',
  ),
  broken(
    'signature of another transfer',
    () => resigned(transfer(dave, eve.address, 1n, 0), transfer(dave, eve.address, 2n, 0).signature),
    'TX_BAD_SIGNATURE',
  ),
  broken(
    'signature by another key',
    () => resigned(transfer(dave, eve.address, 1n, 0), transfer(carol, eve.address, 1n, 0).signature),
    'TX_BAD_SIGNATURE',
  ),
  // ---- the receiver's state and policy (no penalty: an honest relay can send these)
  conflict('fee below the policy minimum', () => transfer(alice, eve.address, 1n, 0, 999n), 'MEMPOOL_FEE_TOO_LOW'),
  conflict('nonce already used', () => transfer(bob, carol.address, 1n, 0), 'MEMPOOL_NONCE_TOO_LOW'),
  conflict('nonce too far ahead', () => transfer(dave, eve.address, 1n, 65), 'MEMPOOL_NONCE_TOO_HIGH'),
  conflict('sender without funds', () => transfer(testKey(201), alice.address, 1n, 0), 'MEMPOOL_INSUFFICIENT_BALANCE'),
  conflict('already in a block', () => confirmed, 'MEMPOOL_ALREADY_CONFIRMED'),
  conflict(
    'same nonce as a pending transfer, same fee',
    () => transfer(carol, bob.address, 1n, 0),
    'MEMPOOL_REPLACEMENT_FEE_TOO_LOW',
  ),
  {
    name: 'duplicate of a pending transfer',
    http: { body: () => json(pending), status: 409, code: 'MEMPOOL_DUPLICATE' },
    gossip: { bytes: () => encodeSignedTransfer(pending), code: undefined, penalty: 0 },
  },
  // ---- malformed JSON (HTTP)
  httpOnly('public key not hex', 'senderPublicKey', `0x${'zz'.repeat(48)}`, 'ENCODING_BAD_HEX'),
  httpOnly('public key of 47 bytes', 'senderPublicKey', toHex(alice.publicKey.slice(1)), 'ENCODING_BAD_LENGTH'),
  httpOnly('signature of 95 bytes', 'signature', toHex(new Uint8Array(95)), 'ENCODING_BAD_LENGTH'),
  httpOnly(
    'recipient with a bad checksum',
    'recipient',
    `${encodeAddress(eve.address, regtest).slice(0, -1)}q`,
    'ADDRESS_BAD_CHECKSUM',
  ),
  httpOnly('recipient on another network', 'recipient', encodeAddress(eve.address, devnet), 'ADDRESS_WRONG_NETWORK'),
  httpOnly('amount not a decimal string', 'amount', '1e3', 'AMOUNT_INVALID'),
  httpOnly('negative nonce (refused by the body schema)', 'nonce', -1, 'BAD_REQUEST'),
  // ---- malformed wire bytes (gossip)
  wireOnly('one byte short', (b) => b.slice(0, -1), 'ENCODING_TRUNCATED'),
  wireOnly('one byte too many', (b) => Uint8Array.from([...b, 0]), 'ENCODING_TRAILING_BYTES'),
  wireOnly('coinbase type byte', (b) => Uint8Array.from([0x00, ...b.slice(1)]), 'ENCODING_BAD_TYPE'),
  wireOnly(
    'nonce above 2^53 - 1',
    (b) => Uint8Array.from([...b.slice(0, 89), ...new Uint8Array(8).fill(0xff), ...b.slice(97)]),
    'ENCODING_OUT_OF_RANGE',
  ),
];

describe('invalid transactions over HTTP (POST /api/v1/transactions)', () => {
  let node: FullNode;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ node, app } = await openApiNode(ws, now));
    await setUp(node);
  });

  const httpCases = cases.flatMap((c) => (c.http ? [[c.name, c.http] as const] : []));
  it.each(httpCases)('%s', async (_name, http) => {
    const before = mempoolOf(node);
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      payload: http.body() as Record<string, unknown>,
    });
    expect({ status: r.statusCode, code: r.json<{ error?: { code: string } }>().error?.code }).toEqual({
      status: http.status,
      code: http.code,
    });
    expect(mempoolOf(node)).toEqual(before);
  });
});

describe('invalid transactions over gossip (from an attacker peer)', () => {
  let honest: HonestPeer;
  /** The valid transfer each attacker sends last: alice's next nonce, so each is new. */
  let nextNonce = 0;

  beforeAll(async () => {
    honest = await startHonest(ws.datadir('honest'), now);
    ws.onCleanup(() => honest.stop());
    await setUp(honest.node);
  });

  const gossipCases = cases.flatMap((c) => (c.gossip ? [[c.name, c.gossip] as const] : []));
  it.each(gossipCases)('%s', async (_name, gossip) => {
    const attacker = await startAttacker(ws.datadir('attacker'), now, honest);
    try {
      const before = mempoolOf(honest.node);
      // A message the attacker already saw relayed is refused by its own gossipsub: also "dropped".
      await attacker.publishTransfer(gossip.bytes()).catch((err: unknown) => expect(String(err)).toMatch(/Duplicate/));
      if (gossip.code !== undefined) {
        const verdict = await honest.verdictFrom(attacker.id);
        expect({ code: verdict.code, penalty: verdict.penalty }).toEqual({
          code: gossip.code,
          penalty: gossip.penalty,
        });
      }
      expect(mempoolOf(honest.node)).toEqual(before);
      expect(honest.net.book.get(attacker.id)!.score + gossip.penalty).toBe(0);

      // Still heard: a valid transfer from the same peer gets in. (Gossip from one peer is
      // validated in order, so a dropped message would have had its verdict by now.)
      const valid = transfer(alice, testKey(200).address, 1n, nextNonce++);
      await attacker.publishTransfer(encodeSignedTransfer(valid));
      await waitFor('the valid transfer', () => honest.node.mempool.get(transferTxid(valid.tx)) !== undefined);
      expect(honest.rejections.filter((r) => r.peerId === attacker.id)).toHaveLength(gossip.code === undefined ? 0 : 1);
    } finally {
      await attacker.stop();
    }
  });
});
