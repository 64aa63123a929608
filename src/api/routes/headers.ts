/**
 * GET /api/v1/headers?from=<height>&count=<n>: main-chain headers as bytes, for light clients
 * (the explorer's "Verify the chain" page): `application/octet-stream`, the 120-byte headers
 * of docs/protocol.md 5.1 concatenated in height order, fewer than `count` at the tip and none
 * past it. At most MAX_HEADERS_PER_REQUEST (2,000: the p2p `headers` limit, 240 KB, a bounded
 * walk of the store on the main thread); a client pipelines requests for more.
 *
 * Cacheable: the ETag names the range's first height and last hash, which fix its content (each
 * header commits to its parent), so a client revalidates with If-None-Match and gets a 304 until
 * a reorg changes the range.
 */
import type { FastifyInstance } from 'fastify';
import { mainChainHeaders } from '../../chain/interface.js';
import { HEADER_LENGTH, blockHash, encodeHeader } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import { MAX_HEADERS_PER_REQUEST, headersQuerySchema, responses } from '../schemas.js';

export function registerHeaderRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { from: number; count?: number } }>(
    '/headers',
    {
      schema: {
        tags: ['blocks'],
        summary: `Main-chain headers from a height, 120 bytes each, concatenated (at most ${MAX_HEADERS_PER_REQUEST})`,
        description:
          'application/octet-stream: `count` headers (docs/protocol.md 5.1) from height `from`, fewer at the tip, ' +
          'none past it. For light clients, which check every rule a header carries themselves. ' +
          'ETag/If-None-Match: 304 while the range is unchanged.',
        querystring: headersQuerySchema,
        response: responses({
          200: {
            content: {
              'application/octet-stream': {
                schema: { type: 'string', format: 'binary', description: 'count x 120 bytes' },
              },
            },
          },
        }),
      },
    },
    (request, reply) => {
      const { from, count = MAX_HEADERS_PER_REQUEST } = request.query;
      const headers = mainChainHeaders(ctx.chain, from, count);
      const body = Buffer.alloc(headers.length * HEADER_LENGTH);
      headers.forEach((h, i) => body.set(encodeHeader(h), i * HEADER_LENGTH));
      const last = headers[headers.length - 1];
      const etag = `"${from}-${last ? toHex(blockHash(last, body.subarray(body.length - HEADER_LENGTH))) : 'none'}"`;
      void reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/octet-stream').send(body);
    },
  );
}
