/**
 * The `ourcoin admin` CLI against a real node process: invalidate-block and
 * reconsider-block on its tip, and a bad hash refused.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from '../helpers/nodeProcess.js';
import { dir, miner } from '../helpers/admin.js';

const exec = promisify(execFile);

describe('ourcoin admin (CLI against a node process)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('invalidates and reconsiders the tip of a running node', async () => {
    const n = await startNode(['--network', 'regtest', '--datadir', join(dir, 'cli'), '--no-p2p']);
    try {
      await n.post('/api/v1/mine', { blocks: 3, address: encodeAddress(miner.address, regtest) });
      const tip = (await n.get<{ tipHash: string; height: number }>('/api/v1/status')).body;
      const cli = (...args: string[]) =>
        exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'admin', '--node', n.url, ...args]);
      const inv = await cli('invalidate-block', tip.tipHash);
      expect(inv.stdout).toContain(`invalidated ${tip.tipHash}`);
      expect(inv.stdout).toMatch(/height 2\)/);
      expect((await n.get<{ height: number }>('/api/v1/status')).body.height).toBe(2);
      const rec = await cli('reconsider-block', tip.tipHash);
      expect(rec.stdout).toMatch(/height 3\)/);
      expect((await n.get<{ tipHash: string }>('/api/v1/status')).body.tipHash).toBe(tip.tipHash);
      const bad = await cli('invalidate-block', '0x1234').catch((e: { stderr: string; code: number }) => e);
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toMatch(/hash/);
    } finally {
      await n.stop();
    }
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
