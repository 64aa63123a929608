/**
 * POST /api/v1/mine { blocks, address }: regtest only, mines blocks on demand (like
 * bitcoind's generatetoaddress) including what the mempool holds. Elsewhere 403 NOT_REGTEST:
 * the route exists on every network (it is in the OpenAPI document), it is just refused.
 */
import type { FastifyInstance } from 'fastify';
import { decodeAddress } from '../../protocol/address.js';
import { blockHash } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import { mineBodySchema, mineResultSchema, responses } from '../schemas.js';
import { strictValidator } from '../strictBody.js';

export interface MineBody {
  blocks: number;
  address: string;
}

export interface MineResult {
  hashes: string[];
  height: number;
}

export function registerMineRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: MineBody }>(
    '/mine',
    {
      schema: {
        tags: ['node'],
        summary: 'Regtest only: mine blocks now, paying the coinbases to `address`',
        body: mineBodySchema,
        // 409 NODE_MINE_TIME_AHEAD: blocks stamped far ahead pushed the median time past the future limit.
        response: responses({ 200: mineResultSchema }, [400, 403, 409, 413, 415]),
      },
      validatorCompiler: ({ schema }) => strictValidator(schema),
    },
    (request): MineResult => {
      const { network } = ctx;
      if (network.name !== 'regtest') {
        throw new ApiError(
          403,
          ApiErrorCode.notRegtest,
          `mining on demand is only available on regtest (this node runs ${network.name})`,
        );
      }
      const address = decodeAddress(request.body.address, network);
      const mined = ctx.mining.mineBlocks(request.body.blocks, address);
      return { hashes: mined.map((b) => toHex(blockHash(b.header))), height: ctx.chain.tip.height };
    },
  );
}
