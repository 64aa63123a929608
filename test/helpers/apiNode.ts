/**
 * A regtest node in a temporary directory with its API built on it (not listening: tests
 * call it with `app.inject`), for the route, OpenAPI and metrics tests; one per test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApiServer } from '../../src/api/server.js';
import { BlsSingleThreadVerifier } from '../../src/chain/bls/singleThread.js';
import { FullNode } from '../../src/node/fullNode.js';
import type { FullNodeOptions } from '../../src/node/fullNode.js';
import { regtest } from '../../src/protocol/networks.js';

export const silentLogger = pino({ level: 'silent' });

export interface ApiNode {
  readonly node: FullNode;
  readonly app: FastifyInstance;
  readonly close: () => Promise<void>;
}

export async function openApiNode(
  name: string,
  opts: Partial<Omit<FullNodeOptions, 'network' | 'datadir' | 'logger'>> = {},
): Promise<ApiNode> {
  const dir = mkdtempSync(join(tmpdir(), `ourcoin-${name}-`));
  const node = await FullNode.open({
    network: regtest,
    datadir: join(dir, 'node'),
    logger: silentLogger,
    verifier: new BlsSingleThreadVerifier(),
    ...opts,
  });
  const app = await buildApiServer(node.ports, { logger: silentLogger });
  return {
    node,
    app,
    close: async () => {
      await app.close();
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST /api/v1/mine through `app.inject`: `blocks` regtest blocks paying `address` (bech32m). */
export function mineVia(app: FastifyInstance, blocks: number, address: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/mine', payload: { blocks, address } });
}
