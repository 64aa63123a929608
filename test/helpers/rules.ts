/**
 * Keys, blocks and contexts shared by the consensus rule tests in test/unit/protocol/rules/.
 */
import { expect } from 'vitest';
import { blstBls } from '../../src/crypto/blst.js';
import { INFINITY_SIGNATURE } from '../../src/crypto/interface.js';
import { MAX_MONEY } from '../../src/protocol/amount.js';
import { assembleBlock } from '../../src/protocol/assemble.js';
import { BLOCK_VERSION } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { OurCoinError } from '../../src/errors.js';
import type { ErrorKind } from '../../src/errors.js';
import { ZERO_HASH } from '../../src/protocol/hash.js';
import { regtest } from '../../src/protocol/networks.js';
import type { NetworkParams } from '../../src/protocol/networks.js';
import type { RuleCodeValue } from '../../src/protocol/rules/codes.js';
import { blockSubsidy } from '../../src/protocol/rules/subsidy.js';
import { aggregateSignature } from '../../src/protocol/signing.js';
import type { Coinbase, SignedTransfer, Transfer } from '../../src/protocol/transaction.js';
import { testKey } from './builder.js';
import type { TestKey } from './builder.js';

export const alice = testKey(1);
export const bob = testKey(2);
export const carol = testKey(3);
export const minerKey = testKey(4);

/** Runs `fn`, which must throw an OurCoinError, and returns it. */
export function catchError(fn: () => unknown): OurCoinError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OurCoinError) return err;
    throw err;
  }
  throw new Error('expected an OurCoinError, but nothing was thrown');
}

/** Asserts `fn` fails with exactly `code` and `kind`. */
export function expectRule(fn: () => unknown, code: RuleCodeValue, kind: ErrorKind = 'consensus'): OurCoinError {
  const err = catchError(fn);
  expect({ code: err.code, kind: err.kind }, err.message).toEqual({ code, kind });
  return err;
}

/** An unsigned transfer (body and state rules never look at signatures). */
export function tx(
  from: TestKey,
  to: Uint8Array,
  amount: bigint,
  nonce: number,
  fee = 1000n,
  network: NetworkParams = regtest,
): Transfer {
  return { chainId: network.chainId, senderPublicKey: from.publicKey, recipient: to, amount, fee, nonce };
}

export interface BlockOptions {
  readonly height?: number;
  readonly network?: NetworkParams;
  readonly coinbase?: Partial<Coinbase>;
  readonly aggregate?: Uint8Array;
}

/** A block whose header commitments match its body (PoW not solved: body/state/signature rules ignore it). */
export function blockOf(transactions: readonly Transfer[], opts: BlockOptions = {}): Block {
  const network = opts.network ?? regtest;
  const height = opts.height ?? 1;
  const fees = transactions.reduce((n, t) => n + t.fee, 0n);
  // Subsidy + fees by default, kept within MAX_MONEY so huge test fees still reach the transfer checks.
  const claim = blockSubsidy(height, network) + fees;
  return assembleBlock({
    version: BLOCK_VERSION,
    height,
    prevHash: ZERO_HASH,
    timestamp: network.genesis.timestamp + height,
    bits: network.genesisBits,
    nonce: 0n,
    coinbase: {
      chainId: network.chainId,
      height,
      recipient: minerKey.address,
      amount: claim > MAX_MONEY ? MAX_MONEY : claim,
      ...opts.coinbase,
    },
    transactions,
    aggregateSignature: opts.aggregate ?? INFINITY_SIGNATURE,
  });
}

/** A block of signed transfers whose aggregate is the sum of their signatures (or `aggregate`). */
export function signedBlock(signed: readonly SignedTransfer[], aggregate?: Uint8Array): Block {
  return blockOf(
    signed.map((s) => s.tx),
    {
      aggregate:
        aggregate ??
        aggregateSignature(
          signed.map((s) => s.signature),
          blstBls,
        ),
    },
  );
}
