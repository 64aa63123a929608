/**
 * Blocks that break exactly one consensus rule each, on top of a given tip: the table shared
 * by test/unit/node/node.invalidBlocks.test.ts (API and network paths). Every block is otherwise valid, so
 * the code asserted is the one of the rule named and not of an earlier check: proof of work
 * is solved after every header change, the coinbase claims what the block allows, and
 * senders are funded by `fundingBlocks`.
 */
import { blstBls } from '../../src/crypto/blst.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../../src/crypto/interface.js';
import type { ProcessStatus } from '../../src/chain/interface.js';
import { addressHashOf } from '../../src/protocol/address.js';
import { COIN, MAX_MONEY } from '../../src/protocol/amount.js';
import { BLOCK_OVERHEAD, blockHash } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { devnet, regtest } from '../../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget } from '../../src/protocol/pow.js';
import { RuleCode } from '../../src/protocol/rules/codes.js';
import type { RuleCodeValue } from '../../src/protocol/rules/codes.js';
import { blockSubsidy } from '../../src/protocol/rules/subsidy.js';
import { aggregateSignature } from '../../src/protocol/signing.js';
import { TRANSFER_LENGTH } from '../../src/protocol/transaction.js';
import type { SignedTransfer, Transfer } from '../../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from './builder.js';
import type { BuildOptions } from './builder.js';

/** Senders with 50 OUR each once `fundingBlocks` are connected; eve never has anything. */
export const keys = {
  alice: testKey(101),
  bob: testKey(102),
  carol: testKey(103),
  dave: testKey(104),
  eve: testKey(105),
};

/** The G1 point at infinity as a sender key: with an infinity signature it would pass a naive pairing check. */
export const INFINITY_PUBLIC_KEY: Uint8Array = (() => {
  const pk = new Uint8Array(PUBLIC_KEY_LENGTH);
  pk[0] = 0xc0;
  return pk;
})();

/**
 * One block per funded address on top of `parent`. The infinity key's address is funded
 * too, so a transfer from it gets past the balance rule to the signature rule.
 */
export function fundingBlocks(parent: Block): Block[] {
  const recipients = [
    keys.alice.address,
    keys.bob.address,
    keys.carol.address,
    keys.dave.address,
    addressHashOf(INFINITY_PUBLIC_KEY),
  ];
  const blocks: Block[] = [];
  for (const miner of recipients) blocks.push(buildBlock(blocks.at(-1) ?? parent, { miner }));
  return blocks;
}

export interface InvalidBlockContext {
  /** The node's tip. */
  readonly parent: Block;
  /** Median time past of the tip's branch. */
  readonly medianTimePast: number;
  /** The node's (pinned) clock. */
  readonly now: number;
}

export interface BuiltCase {
  readonly block: Block;
  /** Given to the node first (they are not under test), each with the status it must get. */
  readonly before?: readonly { readonly block: Block; readonly status: ProcessStatus }[];
  /** The block's transfers with their signatures, for a peer to serve when asked. */
  readonly signed?: readonly SignedTransfer[];
  /** The valid block to accept afterwards (default: an empty block on the tip). */
  readonly next?: Block;
}

export interface InvalidBlockCase {
  readonly name: string;
  readonly code: RuleCodeValue;
  /** What the rejection means: consensus (invalid forever), mutated (relayer's fault) or transient. */
  readonly kind: 'consensus' | 'mutated' | 'transient';
  /** Whether the node remembers the hash as invalid (context-free header failures are not kept: no work). */
  readonly remembered: boolean;
  build(ctx: InvalidBlockContext): BuiltCase;
}

/** The header with the first nonce whose hash does (or does not) meet its bits. */
function withPow(header: Block['header'], meets: boolean): Block['header'] {
  const target = decodeCompact(header.bits);
  for (let nonce = 0n; ; nonce++) {
    const candidate = { ...header, nonce };
    if (hashMeetsTarget(blockHash(candidate), target) === meets) return candidate;
  }
}

/** Valid transfers from the funded senders (alice, bob, carol at nonce 0). */
const pay = {
  a0: transfer(keys.alice, keys.eve.address, 1n * COIN, 0),
  b0: transfer(keys.bob, keys.eve.address, 2n * COIN, 0),
  c0: transfer(keys.carol, keys.eve.address, 3n * COIN, 0),
  /** Valid, but never in any block of the table: its signature is one too many. */
  a1: transfer(keys.alice, keys.eve.address, 4n * COIN, 1),
};
const three = [pay.a0, pay.b0, pay.c0];
const sigs = (list: readonly SignedTransfer[]): Uint8Array =>
  aggregateSignature(
    list.map((s) => s.signature),
    blstBls,
  );

/** A block on the tip with `opts`, serving `txs`' signatures. */
function on(ctx: InvalidBlockContext, opts: BuildOptions = {}): BuiltCase {
  return { block: buildBlock(ctx.parent, opts), signed: opts.txs };
}

/** A block of `body` whose aggregate is `aggregate` instead of the sum of their signatures. */
function aggregateCase(name: string, body: readonly SignedTransfer[], aggregate: () => Uint8Array): InvalidBlockCase {
  return {
    name,
    code: RuleCode.badAggregateSignature,
    kind: 'consensus',
    remembered: true,
    build: (ctx) => on(ctx, { txs: body, aggregateSignature: aggregate() }),
  };
}

const consensus = (name: string, code: RuleCodeValue, build: InvalidBlockCase['build']): InvalidBlockCase => ({
  name,
  code,
  kind: 'consensus',
  remembered: true,
  build,
});
const headerOnly = (name: string, code: RuleCodeValue, build: InvalidBlockCase['build']): InvalidBlockCase => ({
  name,
  code,
  kind: 'consensus',
  remembered: false,
  build,
});

const tooManyTransfers = Math.floor((regtest.maxBlockBytes - BLOCK_OVERHEAD) / TRANSFER_LENGTH) + 1;

export const invalidBlockCases: readonly InvalidBlockCase[] = [
  // ---- header, context-free (refused before anything is stored)
  headerOnly('version 1 (a 120-byte header claiming the old version)', RuleCode.badVersion, (ctx) =>
    on(ctx, { version: 1 }),
  ),
  headerOnly('proof of work above the target', RuleCode.badPow, (ctx) => {
    const valid = buildBlock(ctx.parent);
    return { block: { ...valid, header: withPow(valid.header, false) } };
  }),
  headerOnly('bits above the network limit', RuleCode.badBits, (ctx) =>
    on(ctx, { bits: encodeCompact(regtest.powLimit + 1n) }),
  ),
  // ---- header, contextual
  consensus('wrong target (half the required one)', RuleCode.badTarget, (ctx) =>
    on(ctx, { bits: encodeCompact(decodeCompact(regtest.genesisBits) / 2n) }),
  ),
  consensus('height skips one', RuleCode.badHeight, (ctx) => on(ctx, { height: ctx.parent.header.height + 2 })),
  consensus('timestamp before the median of the last 11', RuleCode.timeTooOld, (ctx) =>
    on(ctx, { timestamp: ctx.medianTimePast - 1 }),
  ),
  {
    name: 'timestamp beyond the future limit',
    code: RuleCode.timeTooNew,
    kind: 'transient',
    remembered: false,
    build: (ctx) => on(ctx, { timestamp: ctx.now + regtest.maxFutureBlockTime + 1 }),
  },
  consensus('child of an invalid block', RuleCode.parentInvalid, (ctx) => {
    const parent = buildBlock(ctx.parent, { coinbaseAmount: blockSubsidy(ctx.parent.header.height + 1, regtest) + 1n });
    return { block: buildBlock(parent), before: [{ block: parent, status: 'rejected' }] };
  }),
  // ---- body: commitments (mutated: never remembered, the sender pays less)
  {
    name: 'tx root does not match the transactions',
    code: RuleCode.badTxRoot,
    kind: 'mutated',
    remembered: false,
    build: (ctx) => {
      const valid = buildBlock(ctx.parent, { txs: [pay.a0] });
      // Re-solved: the commitment, not the proof of work, must be what fails.
      return {
        block: { ...valid, header: withPow({ ...valid.header, txRoot: new Uint8Array(32).fill(7) }, true) },
        signed: [pay.a0],
      };
    },
  },
  {
    name: 'aggregate swapped after the header committed to it',
    code: RuleCode.badSignatureHash,
    kind: 'mutated',
    remembered: false,
    build: (ctx) => {
      const valid = buildBlock(ctx.parent);
      // Same header, so the same hash as the valid block: accepting that block next shows
      // the mutated copy did not get its hash marked invalid.
      return { block: { ...valid, aggregateSignature: pay.a0.signature }, next: valid };
    },
  },
  // ---- body: consensus
  consensus(`too large (${tooManyTransfers} transfers)`, RuleCode.tooLarge, (ctx) => {
    const transfers: Transfer[] = Array.from({ length: tooManyTransfers }, (_, nonce) => ({ ...pay.a0.tx, nonce }));
    return on(ctx, { transactions: transfers, aggregateSignature: INFINITY_SIGNATURE });
  }),
  consensus('coinbase for another network', RuleCode.coinbaseBadChainId, (ctx) =>
    on(ctx, { coinbase: { chainId: devnet.chainId } }),
  ),
  consensus('coinbase height differs from the header', RuleCode.coinbaseBadHeight, (ctx) =>
    on(ctx, { coinbase: { height: ctx.parent.header.height + 2 } }),
  ),
  consensus('coinbase above MAX_MONEY', RuleCode.coinbaseTooLarge, (ctx) =>
    on(ctx, { coinbaseAmount: MAX_MONEY + 1n }),
  ),
  consensus('overpaying coinbase (subsidy + fees + 1)', RuleCode.coinbaseTooLarge, (ctx) => {
    const txs = [pay.a0];
    return on(ctx, { txs, coinbaseAmount: blockSubsidy(ctx.parent.header.height + 1, regtest) + pay.a0.tx.fee + 1n });
  }),
  consensus('transfer for another network', RuleCode.txBadChainId, (ctx) =>
    on(ctx, { txs: [transfer(keys.alice, keys.eve.address, 1n, 0, 1000n, devnet)] }),
  ),
  consensus('transfer of amount 0', RuleCode.txBadAmount, (ctx) =>
    on(ctx, { txs: [transfer(keys.alice, keys.eve.address, 0n, 0)] }),
  ),
  // The coinbase claims only the subsidy: subsidy + that fee would break COINBASE_TOO_LARGE first.
  consensus('transfer fee above MAX_MONEY', RuleCode.txBadFee, (ctx) =>
    on(ctx, {
      txs: [transfer(keys.alice, keys.eve.address, 1n, 0, MAX_MONEY + 1n)],
      coinbaseAmount: blockSubsidy(ctx.parent.header.height + 1, regtest),
    }),
  ),
  consensus('duplicate transfer', RuleCode.txDuplicate, (ctx) => on(ctx, { txs: [pay.a0, pay.b0, pay.a0] })),
  consensus('nonce ahead of the account', RuleCode.txBadNonce, (ctx) => on(ctx, { txs: [pay.a1] })),
  consensus('sender without funds', RuleCode.txInsufficientBalance, (ctx) =>
    on(ctx, { txs: [transfer(keys.eve, keys.alice.address, 1n, 0)] }),
  ),
  consensus('double spend across blocks in a reorg', RuleCode.txBadNonce, (ctx) => {
    // Common history spends dave's nonce 0; the main chain goes on with M1; a side branch
    // S1 (equal work: M1 stays, first seen) then S2, heavier, spends nonce 0 again.
    const spend = transfer(keys.dave, keys.eve.address, 30n * COIN, 0);
    const again = transfer(keys.dave, keys.carol.address, 30n * COIN, 0);
    const common = buildBlock(ctx.parent, { txs: [spend] });
    const m1 = buildBlock(common);
    const s1 = buildBlock(common, { miner: keys.eve.address });
    return {
      block: buildBlock(s1, { txs: [again] }),
      signed: [again],
      before: [
        { block: common, status: 'connected' },
        { block: m1, status: 'connected' },
        { block: s1, status: 'side' },
      ],
    };
  }),
  // ---- signature
  consensus('infinity public key with an infinity signature', RuleCode.txBadPublicKey, (ctx) => {
    const tx: Transfer = { ...pay.a0.tx, senderPublicKey: INFINITY_PUBLIC_KEY };
    return on(ctx, {
      transactions: [tx],
      coinbaseAmount: blockSubsidy(ctx.parent.header.height + 1, regtest) + tx.fee,
      aggregateSignature: INFINITY_SIGNATURE,
    });
  }),
  consensus('a signature in a block without transfers', RuleCode.badEmptySignature, (ctx) =>
    on(ctx, { aggregateSignature: pay.a0.signature }),
  ),
  aggregateCase('forged aggregate (another transfer signed in place of one)', three, () =>
    sigs([pay.a1, pay.b0, pay.c0]),
  ),
  aggregateCase('missing aggregate (infinity with transfers)', three, () => INFINITY_SIGNATURE),
  aggregateCase('aggregate that is not a curve point', three, () => new Uint8Array(SIGNATURE_LENGTH).fill(0xaa)),
  aggregateCase('aggregate covering one transfer fewer', three, () => sigs([pay.a0, pay.b0])),
  aggregateCase('aggregate covering one transfer more', three, () => sigs([...three, pay.a1])),
  // Block A = [a0, b0] is valid on its own; b0 moves into [b0, c0], which keeps A's aggregate.
  aggregateCase('transfer moved from another block, with that block aggregate', [pay.b0, pay.c0], () =>
    sigs([pay.a0, pay.b0]),
  ),
];
