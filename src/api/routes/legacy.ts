/**
 * SimpleCoin's routes, kept as aliases: GET /blocks (SimpleCoin returned the whole chain;
 * here the same paged summaries as /api/v1/blocks) and POST /txion (same as
 * POST /api/v1/transactions: signed transfers, never SimpleCoin's unsigned {from, to, amount}).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { blockPage, blockPageRouteSchema } from './blocks.js';
import type { BlockPageQuery } from './blocks.js';
import { submitRoute } from './transactions.js';

export function registerLegacyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: BlockPageQuery }>(
    '/blocks',
    {
      schema: {
        tags: ['legacy'],
        summary: 'SimpleCoin alias of GET /api/v1/blocks',
        deprecated: true,
        ...blockPageRouteSchema,
      },
    },
    (request) => blockPage(ctx, request.query),
  );
  const submit = submitRoute(ctx, {
    summary: 'SimpleCoin alias of POST /api/v1/transactions',
    tags: ['legacy'],
    deprecated: true,
  });
  app.post<{ Body: unknown }>('/txion', submit.options, submit.handler);
}
