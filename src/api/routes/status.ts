/**
 * GET /api/v1/status (the node at a glance) and GET /api/v1/peers.
 */
import type { FastifyInstance } from 'fastify';
import { encodeAddress } from '../../protocol/address.js';
import { bigIntToBytes, toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import { peersSchema, responses, statusSchema } from '../schemas.js';

export interface StatusJson {
  network: string;
  chainId: number;
  height: number;
  tipHash: string;
  cumulativeWork: string;
  bits: string;
  target: string;
  difficulty: number;
  peers: number;
  mempool: number;
  orphans: number;
  mining: boolean;
  hashRate: number;
  minerAddress: string | null;
}

export function statusJson(ctx: ApiContext): StatusJson {
  const { node } = ctx;
  const s = node.status();
  return {
    network: s.network,
    chainId: s.chainId,
    height: s.height,
    tipHash: toHex(s.tipHash),
    cumulativeWork: s.cumulativeWork.toString(),
    bits: '0x' + s.bits.toString(16).padStart(8, '0'),
    target: toHex(bigIntToBytes(s.target, 32)),
    difficulty: Number(node.network.powLimit) / Number(s.target),
    peers: ctx.peers().length,
    mempool: s.mempool,
    orphans: s.orphans,
    mining: s.mining,
    hashRate: s.hashRate,
    minerAddress: s.minerAddress ? encodeAddress(s.minerAddress, node.network) : null,
  };
}

export function registerStatusRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/status',
    { schema: { tags: ['node'], summary: 'Node status: network, tip, difficulty, mempool, mining', response: responses({ 200: statusSchema }, []) } },
    () => statusJson(ctx),
  );
  app.get(
    '/peers',
    { schema: { tags: ['node'], summary: 'Connected peers (empty until networking exists)', response: responses({ 200: peersSchema }, []) } },
    () => ctx.peers(),
  );
}
