/**
 * Operator routes, like bitcoind's invalidateblock / reconsiderblock RPCs, for recovering
 * from a bad chain by hand: POST /api/v1/admin/invalidate-block and
 * /api/v1/admin/reconsider-block, each { hash }.
 *
 * Local only: they answer a client on the loopback interface and refuse everyone else with
 * 403 ADMIN_LOCAL_ONLY, even when the operator exposes the API with --api-host. The check
 * reads the socket's address (trustProxy is off), so a forwarded header cannot fake it.
 */
import type { FastifyInstance } from 'fastify';
import { blockHash } from '../../protocol/block.js';
import type { Block } from '../../protocol/block.js';
import { fromHex, toHex } from '../../protocol/bytes.js';
import type { TipChange } from '../../chain/interface.js';
import type { ApiContext } from '../context.js';
import { localOnly } from '../loopback.js';
import type { ChainChangeJson } from '../json.js';
import { blockHashBodySchema, chainChangeSchema, responses } from '../schemas.js';
import { strictValidator } from '../strictBody.js';

const hashes = (blocks: readonly Block[]): string[] => blocks.map((b) => toHex(blockHash(b.header)));

function changeJson(ctx: ApiContext, change: TipChange): ChainChangeJson {
  const tip = ctx.chain.tip;
  return {
    height: tip.height,
    tipHash: toHex(tip.hash),
    disconnected: hashes(change.disconnected),
    connected: hashes(change.connected),
  };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const options = (summary: string) => ({
    schema: {
      tags: ['admin'],
      summary,
      body: blockHashBodySchema,
      response: responses({ 200: chainChangeSchema }, [400, 403, 413, 415]),
    },
    validatorCompiler: ({ schema }: { schema: unknown }) => strictValidator(schema),
    onRequest: localOnly,
  });
  app.post<{ Body: { hash: string } }>(
    '/admin/invalidate-block',
    options('Loopback only: mark a block and its descendants invalid, moving the main chain off them'),
    (request): ChainChangeJson => {
      const hash = fromHex(request.body.hash, 'hash', 32);
      const change = ctx.admin.invalidateBlock(hash);
      request.log.warn(
        { hash: request.body.hash, disconnected: change.disconnected.length },
        'block invalidated by the operator',
      );
      return changeJson(ctx, change);
    },
  );
  app.post<{ Body: { hash: string } }>(
    '/admin/reconsider-block',
    options(
      'Loopback only: forget the invalid marks of a block, its descendants and ancestors, and validate them again',
    ),
    (request): ChainChangeJson => {
      const hash = fromHex(request.body.hash, 'hash', 32);
      const result = ctx.admin.reconsiderBlock(hash);
      request.log.warn({ hash: request.body.hash, cleared: result.cleared }, 'block reconsidered by the operator');
      return {
        ...changeJson(ctx, result),
        cleared: result.cleared,
        failures: [...result.failures].map(([hash, err]) => ({ hash, code: err.code, message: err.message })),
      };
    },
  );
}
