/**
 * Blocks: GET /api/v1/blocks (paged main-chain summaries, newest first by default),
 * GET /api/v1/blocks/:hashOrHeight (a full block with its place in the chain),
 * GET /api/v1/blocks/:hashOrHeight/raw (its exact encoding: hex, or bytes by Accept) and
 * POST /api/v1/blocks (submit a block mined elsewhere, like bitcoind's submitblock: it goes
 * through exactly the checks a block from a peer gets, and is relayed if it connects).
 */
import type { FastifyInstance } from 'fastify';
import { fromHex, toHex } from '../../protocol/bytes.js';
import { BLOCK_OVERHEAD, MAX_BLOCK_ENCODING_BYTES } from '../../protocol/block.js';
import { TRANSFER_LENGTH } from '../../protocol/transaction.js';
import type { BlockRecord } from '../../chain/interface.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import {
  DEFAULT_PAGE,
  RAW_BLOCK_EXAMPLE,
  blockDetailSchema,
  blockPageQuerySchema,
  blockPageSchema,
  blockParamsSchema,
  rawBlockSchema,
  responses,
  submitBlockBodySchema,
  submitBlockResultSchema,
} from '../schemas.js';
import { strictValidator } from '../strictBody.js';
import { blockDetail, blockSummary } from '../views.js';
import type { BlockDetail, BlockSummary } from '../views.js';
import type { BlockPage, SubmitBlockResult } from '../json.js';
export type { BlockPage, SubmitBlockResult } from '../json.js';

export interface BlockPageQuery {
  from?: number;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** One page of main-chain block summaries; `from` past the tip starts at the tip. */
export function blockPage(ctx: ApiContext, query: BlockPageQuery): BlockPage {
  const { chain } = ctx;
  const tipHeight = chain.tip.height;
  const limit = query.limit ?? DEFAULT_PAGE;
  const asc = query.order === 'asc';
  const blocks: BlockSummary[] = [];
  let h = asc ? (query.from ?? 0) : Math.min(query.from ?? tipHeight, tipHeight);
  // Everything below runs synchronously, so the main chain cannot move during the walk.
  for (; blocks.length < limit && h >= 0 && h <= tipHeight; h += asc ? 1 : -1) {
    const hash = chain.mainHashAt(h);
    const block = hash && chain.getBlock(hash);
    if (!block) break;
    blocks.push(blockSummary(block));
  }
  return { tipHeight, blocks, next: h >= 0 && h <= tipHeight ? h : null };
}

/** A stored block by hash or main-chain height, read with `read` (decoded, or its bytes); 404 if none. */
function findBlock<T>(
  ctx: ApiContext,
  hashOrHeight: string,
  read: (hash: Uint8Array) => T | undefined,
): { rec: BlockRecord; block: T } {
  const { chain } = ctx;
  const hash = hashOrHeight.startsWith('0x')
    ? fromHex(hashOrHeight.toLowerCase(), 'hash', 32)
    : chain.mainHashAt(Number(hashOrHeight));
  const rec = hash && chain.getRecord(hash);
  const block = rec && read(rec.hash);
  if (!rec || !block) throw new ApiError(404, ApiErrorCode.blockNotFound, `no block ${hashOrHeight}`);
  return { rec, block };
}

/** The encodings GET /blocks/:id/raw answers in, by the Accept header's media type. */
const RAW_TYPES = ['application/json', 'text/plain', 'application/octet-stream'] as const;
type RawType = (typeof RAW_TYPES)[number];

/**
 * The first of the client's listed types this route serves (JSON when none is, or for a
 * wildcard): clients list their preference first, and q-values are rarely used to reorder.
 */
export function rawType(accept: string | undefined): RawType {
  for (const part of (accept ?? '').split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    const found = RAW_TYPES.find((t) => t === type);
    if (found) return found;
    if (type === '*/*' || type === 'application/*') return 'application/json';
  }
  return 'application/json';
}

export const blockPageRouteSchema = {
  querystring: blockPageQuerySchema,
  response: responses({ 200: blockPageSchema }),
} as const;

export function registerBlockRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: BlockPageQuery }>(
    '/blocks',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Main-chain block summaries, paged (newest first unless order=asc)',
        ...blockPageRouteSchema,
      },
    },
    (request) => blockPage(ctx, request.query),
  );
  app.get<{ Params: { hashOrHeight: string } }>(
    '/blocks/:hashOrHeight',
    {
      schema: {
        tags: ['blocks'],
        summary: 'A full block by hash (any stored block) or by main-chain height',
        params: blockParamsSchema,
        response: responses({ 200: blockDetailSchema }, [400, 404]),
      },
    },
    (request): BlockDetail => {
      const { rec, block } = findBlock(ctx, request.params.hashOrHeight, (h) => ctx.chain.getBlock(h));
      return blockDetail(ctx.chain, ctx.network, rec, block);
    },
  );
  app.get<{ Params: { hashOrHeight: string } }>(
    '/blocks/:hashOrHeight/raw',
    {
      schema: {
        tags: ['blocks'],
        summary: "A block's exact canonical encoding (docs/protocol.md): JSON with 0x-hex by default",
        description:
          'Accept: application/octet-stream answers the bytes themselves, text/plain the 0x-hex alone; ' +
          'otherwise JSON `{ hash, block }`, whose `block` POST /blocks takes back as it is.',
        params: blockParamsSchema,
        response: responses(
          {
            200: {
              content: {
                'application/json': { schema: rawBlockSchema },
                'text/plain': {
                  schema: { type: 'string', description: 'the encoding, 0x-hex', examples: [RAW_BLOCK_EXAMPLE] },
                },
                'application/octet-stream': {
                  schema: { type: 'string', format: 'binary', description: 'the encoding, raw bytes' },
                },
              },
            },
          },
          [400, 404],
        ),
      },
    },
    (request, reply) => {
      // The stored bytes as they are: no decoding, no re-encoding.
      const { rec, block: bytes } = findBlock(ctx, request.params.hashOrHeight, (h) => ctx.chain.getBlockBytes(h));
      const type = rawType(request.headers.accept);
      void reply.header('vary', 'accept');
      if (type === 'application/octet-stream') return reply.type(type).send(Buffer.from(bytes));
      if (type === 'text/plain') return reply.type('text/plain; charset=utf-8').send(toHex(bytes));
      return reply.type('application/json; charset=utf-8').send({ hash: toHex(rec.hash), block: toHex(bytes) });
    },
  );
  app.post<{ Body: { block: string } }>(
    '/blocks',
    {
      schema: {
        tags: ['blocks'],
        summary: 'Submit a block (its canonical encoding as 0x-hex); refused blocks answer with their rule code',
        body: submitBlockBodySchema,
        response: responses({ 200: submitBlockResultSchema }, [400, 413, 415, 503]),
      },
      // The largest block is 4 MB, 8 MB as hex: more than the API's default body limit.
      bodyLimit: 2 * MAX_BLOCK_ENCODING_BYTES + 1024,
      validatorCompiler: ({ schema }) => strictValidator(schema),
    },
    async (request): Promise<SubmitBlockResult> => {
      const bytes = fromHex(request.body.block, 'block');
      // A block costs its transfers (counted from its size, before any check: junk pays too).
      ctx.chargeRequest(request, Math.floor(Math.max(0, bytes.length - BLOCK_OVERHEAD) / TRANSFER_LENGTH));
      // The client's orphans count against its own share of the orphan pool.
      const result = await ctx.chain.importBlock(bytes, 'block', { source: `api:${request.ip}` });
      if (result.status === 'rejected') throw result.error!;
      const tip = ctx.chain.tip;
      return { hash: toHex(result.hash), status: result.status, height: tip.height, tipHash: toHex(tip.hash) };
    },
  );
}
