/**
 * GET /api/v1/status (the node at a glance) and GET /api/v1/peers.
 */
import type { FastifyInstance } from 'fastify';
import { encodeAddress } from '../../protocol/address.js';
import { bigIntToBytes, toHex } from '../../protocol/bytes.js';
import { decodeCompact } from '../../protocol/pow.js';
import type { ApiContext } from '../context.js';
import { connectBodySchema, connectResultSchema, peersSchema, responses, statusSchema } from '../schemas.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import { strictValidator } from '../strictBody.js';
import type { StatusJson } from '../json.js';

export function statusJson(ctx: ApiContext): StatusJson {
  const { chain, network, mining } = ctx;
  const tip = chain.tip;
  const target = decodeCompact(tip.header.bits);
  const minerAddress = mining.minerAddress;
  return {
    network: network.name,
    chainId: network.chainId,
    height: tip.height,
    tipHash: toHex(tip.hash),
    cumulativeWork: tip.cumulativeWork.toString(),
    bits: '0x' + tip.header.bits.toString(16).padStart(8, '0'),
    target: toHex(bigIntToBytes(target, 32)),
    difficulty: Number(network.powLimit) / Number(target),
    peers: ctx.peers().length,
    mempool: ctx.pool.size,
    orphans: chain.orphanCount,
    mining: mining.isMining,
    hashRate: mining.hashRate(),
    minerAddress: minerAddress ? encodeAddress(minerAddress, network) : null,
    p2p: ctx.p2p(),
    eventLoop: ctx.eventLoopDelay?.() ?? null,
    sync: ctx.syncProgress?.() ?? {
      syncing: false,
      targetHeight: null,
      height: tip.height,
      blocksPerSecond: 0,
      etaSeconds: null,
    },
  };
}

export function registerStatusRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/status',
    {
      schema: {
        tags: ['node'],
        summary: 'Node status: network, tip, difficulty, mempool, mining',
        response: responses({ 200: statusSchema }, []),
      },
    },
    () => statusJson(ctx),
  );
  app.get(
    '/peers',
    {
      schema: {
        tags: ['node'],
        summary: 'Connected peers: address, direction, height, score',
        response: responses({ 200: peersSchema }, []),
      },
    },
    () => ctx.peers(),
  );
  // Like bitcoin-cli addnode: the API binds to loopback unless the operator exposes it.
  app.post<{ Body: { address: string } }>(
    '/peers',
    {
      schema: {
        tags: ['node'],
        summary: 'Connect to a peer by multiaddr (/ip4/…/tcp/…/p2p/…)',
        body: connectBodySchema,
        response: responses({ 200: connectResultSchema }, [400, 409, 413, 415, 502]),
      },
      validatorCompiler: ({ schema }) => strictValidator(schema),
    },
    async (request) => {
      if (!ctx.connect)
        throw new ApiError(409, ApiErrorCode.p2pOff, 'this node runs without the peer-to-peer network (--no-p2p)');
      try {
        await ctx.connect(request.body.address);
      } catch (err) {
        throw new ApiError(
          502,
          ApiErrorCode.peerDialFailed,
          `could not connect to ${request.body.address}: ${(err as Error).message}`,
        );
      }
      return { connected: request.body.address };
    },
  );
}
