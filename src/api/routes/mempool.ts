/**
 * GET /api/v1/mempool: the pending transfers, highest fee first (ties: earliest arrival
 * first, the order a miner takes them in), at most 1000 listed; `count` is all of them.
 * GET /api/v1/mempool/summary: count, bytes and fees of all of them, and a histogram of
 * their fee rates (fee per byte a transfer takes in a block) over FEE_RATE_EDGES.
 */
import type { FastifyInstance } from 'fastify';

import { TRANSFER_LENGTH, transferToJson } from '../../protocol/transaction.js';
import type { ApiContext } from '../context.js';
import {
  MAX_MEMPOOL_LIST,
  amountString,
  field,
  integer,
  mempoolQuerySchema,
  mempoolSchema,
  responses,
} from '../schemas.js';
import type { MempoolJson, MempoolSummary } from '../json.js';
export type { MempoolJson } from '../json.js';

/**
 * Lower edges of the fee-rate buckets, base units per byte (a transfer takes TRANSFER_LENGTH
 * = 97 bytes of a block; its signature is folded into the aggregate). The default minimum fee,
 * 1000, is 10.3 a byte: the first bucket below 10 holds only what another policy let in.
 */
export const FEE_RATE_EDGES = [0, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

export function mempoolSummary(fees: readonly bigint[]): MempoolSummary {
  const histogram = FEE_RATE_EDGES.map((from, i) => ({
    from,
    to: FEE_RATE_EDGES[i + 1] ?? null,
    count: 0,
    bytes: 0,
    fees: 0n,
  }));
  let total = 0n;
  for (const fee of fees) {
    total += fee;
    const rate = Number(fee) / TRANSFER_LENGTH;
    let i = FEE_RATE_EDGES.length - 1;
    while (i > 0 && rate < FEE_RATE_EDGES[i]!) i--;
    const bucket = histogram[i]!;
    bucket.count++;
    bucket.bytes += TRANSFER_LENGTH;
    bucket.fees += fee;
  }
  return {
    count: fees.length,
    bytes: fees.length * TRANSFER_LENGTH,
    totalFees: total.toString(),
    feeRateUnit: 'base units per byte',
    histogram: histogram.map((b) => ({ ...b, fees: b.fees.toString() })),
  };
}

const mempoolSummarySchema = {
  type: 'object',
  required: ['count', 'bytes', 'totalFees', 'feeRateUnit', 'histogram'],
  properties: {
    count: integer('pending transfers', 3),
    bytes: integer(`bytes they take in blocks (${TRANSFER_LENGTH} each)`, 291),
    totalFees: field(amountString, 'sum of their fees, base units', '3000'),
    feeRateUnit: field({ type: 'string' } as const, 'the unit of the bucket edges', 'base units per byte'),
    histogram: {
      type: 'array',
      description: `one bucket per lower edge (${FEE_RATE_EDGES.join(', ')}), lowest first; empty ones included`,
      items: {
        type: 'object',
        required: ['from', 'to', 'count', 'bytes', 'fees'],
        properties: {
          from: integer('lowest fee rate in the bucket (inclusive)', 10),
          to: field(
            { type: ['integer', 'null'] } as const,
            'fee rate where the next bucket starts (exclusive); null for the last',
            20,
          ),
          count: integer('transfers in the bucket', 3),
          bytes: integer('their bytes', 291),
          fees: field(amountString, 'their fees, base units', '3000'),
        },
      },
    },
  },
  examples: [mempoolSummary([1000n, 1000n, 1000n])],
} as const;

export function registerMempoolRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { limit?: number } }>(
    '/mempool',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Pending transfers, highest fee first',
        querystring: mempoolQuerySchema,
        response: responses({ 200: mempoolSchema }),
      },
    },
    (request): MempoolJson => {
      const { pool: mempool, network } = ctx;
      const entries = mempool.entries();
      entries.sort((a, b) => (a.tx.fee === b.tx.fee ? a.seq - b.seq : a.tx.fee > b.tx.fee ? -1 : 1));
      const listed = entries.slice(0, request.query.limit ?? MAX_MEMPOOL_LIST);
      return { count: entries.length, transactions: listed.map((e) => transferToJson(e.tx, network, e.signature)) };
    },
  );
  app.get(
    '/mempool/summary',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Pending transfers in numbers: count, bytes, fees and a fee-rate histogram',
        response: responses({ 200: mempoolSummarySchema }, []),
      },
    },
    (): MempoolSummary => mempoolSummary(ctx.pool.entries().map((e) => e.tx.fee)),
  );
}
