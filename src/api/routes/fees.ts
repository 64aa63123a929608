/**
 * GET /api/v1/fees: fee estimates for the next block, 3 and 6 blocks, from the pending transfers
 * and the last blocks of the main chain (src/mempool/feeEstimate.ts; policy, docs/protocol.md 13.6).
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MEMPOOL_LIMITS } from '../../mempool/interface.js';
import { FEE_HISTORY_BLOCKS, FEE_TARGETS, estimateFees } from '../../mempool/feeEstimate.js';
import { formatCoins } from '../../protocol/amount.js';
import { BLOCK_OVERHEAD } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import { TRANSFER_LENGTH } from '../../protocol/transaction.js';
import type { ApiContext } from '../context.js';
import type { FeeTargetJson, FeesJson } from '../json.js';
import { responses } from '../schemas.js';

const baseUnits = { type: 'string', pattern: '^[0-9]+$', description: 'decimal string of base units' } as const;
const feeTarget = {
  type: 'object',
  required: ['blocks', 'fee', 'feeOur'],
  properties: {
    blocks: { type: 'integer', description: 'mined within this many blocks', examples: [3] },
    fee: { ...baseUnits, examples: ['1000'] },
    feeOur: { type: 'string', description: 'the fee in OUR', examples: ['0.00001'] },
  },
} as const;

export const feesSchema = {
  type: 'object',
  required: ['fast', 'normal', 'slow', 'minimumFee', 'blockCapacity', 'mempool', 'recentBlocks'],
  properties: {
    fast: { ...feeTarget, description: 'the next block' },
    normal: { ...feeTarget, description: 'within 3 blocks (the wallet default)' },
    slow: { ...feeTarget, description: 'within 6 blocks' },
    minimumFee: { ...baseUnits, description: "the node's minimum fee (base units)", examples: ['1000'] },
    blockCapacity: { type: 'integer', description: 'transfers one block holds', examples: [10306] },
    mempool: {
      type: 'object',
      description: 'the pending transfers behind the estimate',
      required: ['count', 'blocks'],
      properties: {
        count: { type: 'integer', description: 'pending transfers', examples: [24210] },
        blocks: { type: 'integer', description: 'blocks they would fill', examples: [3] },
      },
    },
    recentBlocks: {
      type: 'object',
      description: 'the recent blocks behind the estimate',
      required: ['count', 'full'],
      properties: {
        count: { type: 'integer', description: 'recent main-chain blocks read', examples: [6] },
        full: { type: 'integer', description: 'of which full (their lowest fee is a clearing price)', examples: [4] },
      },
    },
  },
  examples: [
    {
      fast: { blocks: 1, fee: '25001', feeOur: '0.00025001' },
      normal: { blocks: 3, fee: '4000', feeOur: '0.00004' },
      slow: { blocks: 6, fee: '1000', feeOur: '0.00001' },
      minimumFee: '1000',
      blockCapacity: 10306,
      mempool: { count: 24210, blocks: 3 },
      recentBlocks: { count: 6, full: 4 },
    },
  ],
} as const;

export function registerFeeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { chain, pool, network } = ctx;
  const capacity = Math.floor((network.maxBlockBytes - BLOCK_OVERHEAD) / TRANSFER_LENGTH);
  // The recent blocks change only with the tip: read them once per tip.
  let history: { tip: string; blocks: bigint[][] } | undefined;
  const recentBlocks = (): bigint[][] => {
    const tip = toHex(chain.tip.hash);
    if (history?.tip !== tip) {
      const blocks: bigint[][] = [];
      for (let h = chain.tip.height; h > 0 && blocks.length < FEE_HISTORY_BLOCKS; h--) {
        const hash = chain.mainHashAt(h);
        const block = hash && chain.getBlock(hash);
        if (!block) break;
        blocks.push(block.transactions.map((tx) => tx.fee));
      }
      history = { tip, blocks };
    }
    return history.blocks;
  };

  app.get(
    '/fees',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Fee estimates: the next block, within 3 and within 6 blocks (policy, not consensus)',
        response: responses({ 200: feesSchema }, []),
      },
    },
    (): FeesJson => {
      const minFee = DEFAULT_MEMPOOL_LIMITS.minFee;
      const blocks = recentBlocks();
      const estimate = estimateFees({
        pendingFees: pool.entries().map((e) => e.tx.fee),
        recentBlocks: blocks,
        capacity,
        minFee,
      });
      const target = (priority: keyof typeof FEE_TARGETS): FeeTargetJson => ({
        blocks: FEE_TARGETS[priority],
        fee: estimate.fees[priority].toString(),
        feeOur: formatCoins(estimate.fees[priority]),
      });
      return {
        fast: target('fast'),
        normal: target('normal'),
        slow: target('slow'),
        minimumFee: minFee.toString(),
        blockCapacity: capacity,
        mempool: { count: pool.size, blocks: estimate.pendingBlocks },
        recentBlocks: { count: blocks.length, full: estimate.fullBlocks },
      };
    },
  );
}
