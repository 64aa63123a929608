/**
 * A node stays live while it checks the heaviest thing a client can send it: a maximum-size
 * block whose one aggregate signature is wrong. The pairing over all its transfers runs on the
 * verification service's worker threads, so the node's main thread keeps answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockDetail, SubmitBlockResult } from '../../src/api/json.js';
import { solveBlock } from '../../src/miner/solve.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { assembleBlock } from '../../src/protocol/assemble.js';
import { BLOCK_OVERHEAD, blockFromJson, blockHash, encodeBlock } from '../../src/protocol/block.js';
import { toHex } from '../../src/protocol/bytes.js';
import { regtest } from '../../src/protocol/networks.js';
import { blockSubsidy } from '../../src/protocol/rules/subsidy.js';
import { TRANSFER_LENGTH } from '../../src/protocol/transaction.js';
import { testKey, transfer, unsignedTransfers } from '../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-liveness-'));
const nodes: NodeProcess[] = [];
afterAll(async () => {
  for (const n of nodes) await n.stop();
  rmSync(dir, { recursive: true, force: true });
});

const alice = testKey(1);
const bob = testKey(2);

describe('liveness under a maximum-size invalid block', () => {
  it(
    'answers every /status poll while it checks the block, and refuses it with its code',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async () => {
      const node = await startNode(['--network', 'regtest', '--datadir', join(dir, 'node'), '--no-p2p']);
      nodes.push(node);
      const mined = await node.post<{ height: number }>('/api/v1/mine', {
        blocks: 1,
        address: encodeAddress(alice.address, regtest),
      });
      expect(mined.status).toBe(200);
      const parent = blockFromJson((await node.get<BlockDetail>('/api/v1/blocks/1')).body, regtest);

      // As many transfers as the size limit allows, all from funded alice (fee 0, amount 1), and
      // as the aggregate one valid signature of something else: a real point, so the node must
      // run the whole pairing to find it wrong.
      const count = Math.floor((regtest.maxBlockBytes - BLOCK_OVERHEAD) / TRANSFER_LENGTH);
      const transactions = unsignedTransfers(alice, bob.address, count);
      const block = solveBlock(
        assembleBlock({
          version: parent.header.version,
          height: 2,
          prevHash: blockHash(parent.header),
          timestamp: parent.header.timestamp + 1,
          bits: parent.header.bits,
          nonce: 0n,
          coinbase: { chainId: regtest.chainId, height: 2, recipient: bob.address, amount: blockSubsidy(2, regtest) },
          transactions,
          aggregateSignature: transfer(bob, alice.address, 1n, 0).signature,
        }),
      )!;
      const bytes = encodeBlock(block);
      expect(bytes.length).toBeGreaterThan(regtest.maxBlockBytes - TRANSFER_LENGTH - 200);

      let done = false;
      const polls: { status: number; during: boolean }[] = [];
      const poller = (async () => {
        while (!done) {
          const r = await node.get('/api/v1/status');
          polls.push({ status: r.status, during: !done });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const submitted = await node.post<SubmitBlockResult & { error?: { code: string } }>('/api/v1/blocks', {
        block: toHex(bytes),
      });
      done = true;
      await poller;

      expect(submitted.status).toBe(400);
      expect(submitted.body.error?.code).toBe('BLOCK_BAD_AGGREGATE_SIGNATURE');
      expect(polls.every((p) => p.status === 200)).toBe(true);
      // Polls were answered WHILE the block was being checked, not queued behind it: a main
      // thread busy with the pairing would answer them all after the block's refusal.
      expect(polls.filter((p) => p.during).length).toBeGreaterThanOrEqual(3);
      const after = (await node.get<{ height: number }>('/api/v1/status')).body;
      expect(after.height).toBe(1);
    },
  );
});
