/**
 * GET /api/v1/mempool: the pending transfers, highest fee first (ties: earliest arrival
 * first, the order a miner takes them in), at most 1000 listed; `count` is all of them.
 */
import type { FastifyInstance } from 'fastify';

import { transferToJson } from '../../protocol/transaction.js';
import type { ApiContext } from '../context.js';
import { MAX_MEMPOOL_LIST, mempoolQuerySchema, mempoolSchema, responses } from '../schemas.js';
import type { MempoolJson } from '../json.js';
export type { MempoolJson } from '../json.js';

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
}
