/**
 * Block templates: the next block this node would mine, before its proof of work.
 *
 * The highest-fee valid set of mempool transfers that fits the size limit, a coinbase
 * paying subsidy + fees to the miner, and the aggregate signature made by adding the
 * transfers' stored individual signatures (nobody re-signs anything).
 */
import type { Bls } from '../crypto/interface.js';
import type { ChainReader } from '../chain/interface.js';
import type { TransferPool } from '../mempool/interface.js';
import type { MempoolEntry } from '../mempool/interface.js';
import { assembleBlock } from '../protocol/assemble.js';
import { BLOCK_OVERHEAD, BLOCK_VERSION } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { expectedBits, medianTimePast } from '../protocol/rules/header.js';
import { blockSubsidy } from '../protocol/rules/subsidy.js';
import { aggregateSignature } from '../protocol/signing.js';
import { TRANSFER_LENGTH } from '../protocol/transaction.js';

export interface BlockTemplate {
  readonly block: Block;
  readonly entries: readonly MempoolEntry[];
  readonly fees: bigint;
}

export interface TemplateOptions {
  readonly chain: ChainReader;
  readonly mempool: TransferPool;
  readonly bls: Bls;
  readonly minerAddress: Uint8Array;
  /** Unix seconds; the template's timestamp is max(now, median time past + 1). */
  readonly now: number;
  /** Fewer transfers than the size limit allows (tests, small blocks). */
  readonly maxTransfers?: number;
}

export function buildTemplate(opts: TemplateOptions): BlockTemplate {
  const { chain, mempool, bls } = opts;
  const network = chain.network;
  const tip = chain.tip;
  const ctx = chain.headerContext(tip);
  const fit = Math.floor((network.maxBlockBytes - BLOCK_OVERHEAD) / TRANSFER_LENGTH);
  const entries = mempool.selectForBlock(Math.min(fit, opts.maxTransfers ?? fit));
  const fees = entries.reduce((n, e) => n + e.tx.fee, 0n);
  const height = tip.height + 1;
  const block = assembleBlock({
    version: BLOCK_VERSION,
    height,
    prevHash: tip.hash,
    timestamp: Math.max(opts.now, medianTimePast(ctx) + 1),
    bits: expectedBits(ctx, network),
    nonce: 0n,
    coinbase: {
      chainId: network.chainId,
      height,
      recipient: opts.minerAddress,
      amount: blockSubsidy(height, network) + fees,
    },
    transactions: entries.map((e) => e.tx),
    aggregateSignature: aggregateSignature(
      entries.map((e) => e.signature),
      bls,
    ),
  });
  return { block, entries, fees };
}
