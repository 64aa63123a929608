/**
 * Nodes, keys and chains shared by the admin-route, --reindex and admin CLI tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { BlsSingleThreadVerifier } from '../../src/chain/bls/singleThread.js';
import { FullNode } from '../../src/node/fullNode.js';
import type { Block } from '../../src/protocol/block.js';
import { regtest } from '../../src/protocol/networks.js';
import type { SignedTransfer } from '../../src/protocol/transaction.js';
import { buildBlock, testKey } from './builder.js';

export const logger = pino({ level: 'silent' });
export const dir = mkdtempSync(join(tmpdir(), 'ourcoin-admin-'));
export const miner = testKey(41);
export const alice = testKey(42);

export async function openNode(name: string, reindex = false): Promise<FullNode> {
  return FullNode.open({
    network: regtest,
    datadir: join(dir, name),
    logger,
    verifier: new BlsSingleThreadVerifier(),
    reindex,
  });
}

/** A chain of `n` blocks on `parent`, mined to `to`, each with the given transfers. */
export function extend(parent: Block, n: number, to = miner.address, txs: readonly SignedTransfer[] = []): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) out.push(buildBlock(out.at(-1) ?? parent, { miner: to, txs: i === 0 ? txs : [] }));
  return out;
}
