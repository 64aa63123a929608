/**
 * Test fixtures: deterministic keys and a block builder for regtest chains.
 */
import { SecretKey } from '@chainsafe/blst';
import { blstBls } from '../../src/crypto/blst.js';
import { addressHashOf } from '../../src/protocol/address.js';
import { assembleBlock } from '../../src/protocol/assemble.js';
import { BLOCK_VERSION, blockHash } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import type { NetworkParams } from '../../src/protocol/networks.js';
import { regtest } from '../../src/protocol/networks.js';
import { blockSubsidy } from '../../src/protocol/rules/subsidy.js';
import { aggregateSignature, signTransfer } from '../../src/protocol/signing.js';
import type { Coinbase, SignedTransfer, Transfer } from '../../src/protocol/transaction.js';
import { solveBlock } from '../../src/miner/solve.js';

export interface TestKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
}

export function testKey(i: number): TestKey {
  const ikm = new Uint8Array(32).fill(0);
  new DataView(ikm.buffer).setUint32(0, i + 1);
  const secretKey = SecretKey.fromKeygen(ikm).toBytes();
  const publicKey = blstBls.secretKeyToPublicKey(secretKey);
  return { secretKey, publicKey, address: addressHashOf(publicKey) };
}

export function transfer(
  from: TestKey,
  to: Uint8Array,
  amount: bigint,
  nonce: number,
  fee = 1000n,
  network: NetworkParams = regtest,
): SignedTransfer {
  const tx: Transfer = { chainId: network.chainId, senderPublicKey: from.publicKey, recipient: to, amount, fee, nonce };
  return signTransfer(tx, from.secretKey, blstBls);
}

/**
 * `count` transfers from `from` (nonces 0..count-1, amount 1, fee 0), never signed: the body
 * of a large block that is cheap to make, whose aggregate a test chooses.
 */
export function unsignedTransfers(from: TestKey, to: Uint8Array, count: number, network = regtest): Transfer[] {
  return Array.from({ length: count }, (_, nonce) => ({
    chainId: network.chainId,
    senderPublicKey: from.publicKey,
    recipient: to,
    amount: 1n,
    fee: 0n,
    nonce,
  }));
}

export interface BuildOptions {
  readonly txs?: readonly SignedTransfer[];
  readonly miner?: Uint8Array;
  /** Defaults to parent timestamp + 1 (always past the median). */
  readonly timestamp?: number;
  readonly network?: NetworkParams;
  /** Coinbase amount; defaults to subsidy + fees. */
  readonly coinbaseAmount?: bigint;
  readonly bits?: number;
  // Overrides for blocks that break a rule (test/helpers/invalidBlocks.ts):
  readonly version?: number;
  /** Instead of the parent's hash (an orphan: a parent nobody has). */
  readonly prevHash?: Uint8Array;
  /** Header height (and, unless `coinbase.height` says otherwise, the coinbase's). */
  readonly height?: number;
  readonly coinbase?: Partial<Coinbase>;
  /** The block's transfers instead of those of `txs` (which then only supply signatures and fees). */
  readonly transactions?: readonly Transfer[];
  /** Instead of the sum of the signatures of `txs`. */
  readonly aggregateSignature?: Uint8Array;
}

/** A solved block on top of `parent` with the given signed transfers. */
export function buildBlock(parent: Block, opts: BuildOptions = {}): Block {
  const network = opts.network ?? regtest;
  const txs = opts.txs ?? [];
  const height = opts.height ?? parent.header.height + 1;
  const fees = txs.reduce((n, s) => n + s.tx.fee, 0n);
  const block = assembleBlock({
    version: opts.version ?? BLOCK_VERSION,
    height,
    prevHash: opts.prevHash ?? blockHash(parent.header),
    timestamp: opts.timestamp ?? parent.header.timestamp + 1,
    bits: opts.bits ?? parent.header.bits,
    nonce: 0n,
    coinbase: {
      chainId: network.chainId,
      height,
      recipient: opts.miner ?? testKey(999).address,
      amount: opts.coinbaseAmount ?? blockSubsidy(height, network) + fees,
      ...opts.coinbase,
    },
    transactions: opts.transactions ?? txs.map((s) => s.tx),
    aggregateSignature:
      opts.aggregateSignature ??
      aggregateSignature(
        txs.map((s) => s.signature),
        blstBls,
      ),
  });
  return solveBlock(block)!;
}
