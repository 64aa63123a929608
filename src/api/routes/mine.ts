/**
 * POST /api/v1/mine { blocks, address }: regtest only, mines blocks on demand (like
 * bitcoind's generatetoaddress) including what the mempool holds. Elsewhere 403 NOT_REGTEST:
 * the route exists on every network (it is in the OpenAPI document), it is just refused.
 * Like the operator routes it answers loopback clients only (`ourcoin mine` is one), and one
 * request at a time (409 MINE_BUSY): a request may ask for up to MAX_MINE_BLOCKS blocks.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { decodeAddress } from '../../protocol/address.js';
import { blockHash } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import type { MineResult } from '../json.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import { mineBodySchema, mineResultSchema, responses } from '../schemas.js';
import { strictValidator } from '../strictBody.js';
import { localOnly } from '../loopback.js';

/** Blocks mined between two turns of the event loop, so that the API and peers are served meanwhile. */
const BLOCKS_PER_TURN = 10;

export interface MineBody {
  blocks: number;
  address: string;
}

export type { MineResult } from '../json.js';

export function registerMineRoutes(app: FastifyInstance, ctx: ApiContext): void {
  let busy = false;
  app.post<{ Body: MineBody }>(
    '/mine',
    {
      schema: {
        tags: ['node'],
        summary: 'Regtest only: mine blocks now, paying the coinbases to `address`',
        body: mineBodySchema,
        // 409 NODE_MINE_TIME_AHEAD: blocks stamped far ahead pushed the median time past the future limit;
        // 409 MINE_BUSY: another request is mining.
        response: responses({ 200: mineResultSchema }, [400, 403, 409, 413, 415]),
      },
      validatorCompiler: ({ schema }) => strictValidator(schema),
      onRequest: localOnly,
    },
    async (request): Promise<MineResult> => {
      const { network } = ctx;
      if (network.name !== 'regtest') {
        throw new ApiError(
          403,
          ApiErrorCode.notRegtest,
          `mining on demand is only available on regtest (this node runs ${network.name})`,
        );
      }
      const address = decodeAddress(request.body.address, network);
      if (busy)
        throw new ApiError(409, ApiErrorCode.mineBusy, 'another mine request is running; try again when it ends');
      busy = true;
      try {
        const hashes: string[] = [];
        for (let left = request.body.blocks; left > 0; left -= BLOCKS_PER_TURN) {
          if (hashes.length > 0) await nextTurn();
          const mined = ctx.mining.mineBlocks(Math.min(left, BLOCKS_PER_TURN), address);
          hashes.push(...mined.map((b) => toHex(blockHash(b.header))));
        }
        return { hashes, height: ctx.chain.tip.height };
      } finally {
        busy = false;
      }
    },
  );
}
