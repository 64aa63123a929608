/**
 * The node-facing CLI against one real regtest node process: `ourcoin admin` (invalidate-block,
 * reconsider-block, a bad hash refused), `ourcoin mine`, the queries `status`, `block` and
 * `tx`, and the root `--json` convention: one JSON document on stdout, errors included.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockDetail, ChainChangeJson, MineResult, StatusJson } from '../../src/api/json.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';
import { dir, miner } from '../helpers/admin.js';

const exec = promisify(execFile);
const minerAddress = encodeAddress(miner.address, regtest);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the node-facing CLI against a node process', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let n: NodeProcess;
  const cli = (...args: string[]): Promise<Ran> =>
    exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: Ran) => e,
    );
  /** Runs with --json; stdout must be exactly one JSON document. */
  const json = async <T>(...args: string[]): Promise<{ code: number; body: T }> => {
    const r = await cli('--json', ...args);
    return { code: r.code, body: JSON.parse(r.stdout) as T };
  };

  beforeAll(async () => {
    n = await startNode(['--network', 'regtest', '--datadir', join(dir, 'cli'), '--no-p2p']);
  });
  afterAll(async () => {
    await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mines on demand with `ourcoin mine`, printing the hashes', async () => {
    const text = await cli('mine', '2', '--address', minerAddress, '--node', n.url);
    expect(text.code).toBe(0);
    const hashes = text.stdout.trim().split('\n');
    expect(hashes).toHaveLength(2);
    const mined = await json<MineResult>('mine', '1', '--address', minerAddress, '--node', n.url);
    expect(mined.body.height).toBe(3);
    const status = (await n.get<StatusJson>('/api/v1/status')).body;
    expect([status.height, status.tipHash]).toEqual([3, mined.body.hashes[0]]);
    // No miner address on the node, and none given.
    const none = await json<{ error: { code: string } }>('mine', '1', '--node', n.url);
    expect([none.code, none.body.error.code]).toEqual([2, 'MINE_ADDRESS_REQUIRED']);
  });

  it('reads status, blocks and transactions, as text or JSON', async () => {
    // Independent reads: run at once.
    const [status, byHeight] = await Promise.all([
      json<StatusJson>('status', '--node', n.url),
      json<BlockDetail>('block', '2', '--node', n.url),
    ]);
    expect(status.body).toMatchObject({ network: 'regtest', height: 3 });
    expect(byHeight.body).toMatchObject({ height: 2, onMainChain: true, confirmations: 2 });
    const [byHash, tx] = await Promise.all([
      cli('block', byHeight.body.hash, '--node', n.url),
      cli('tx', byHeight.body.coinbase.txid, '--node', n.url),
    ]);
    expect(byHash.stdout).toContain(`block         ${byHeight.body.hash}`);
    expect(byHash.stdout).toContain(`to ${minerAddress}`);
    expect(tx.stdout).toContain(`transaction   ${byHeight.body.coinbase.txid}`);
    expect(tx.stdout).toMatch(/confirmed in block .* \(height 2, 2 confirmations\)/);
  });

  it('invalidates and reconsiders the tip, and names the field of a bad hash', async () => {
    const tip = (await n.get<{ tipHash: string; height: number }>('/api/v1/status')).body;
    const inv = await cli('admin', '--node', n.url, 'invalidate-block', tip.tipHash);
    expect(inv.stdout).toContain(`invalidated ${tip.tipHash}`);
    expect(inv.stdout).toMatch(/height 2\)/);
    expect((await n.get<{ height: number }>('/api/v1/status')).body.height).toBe(2);
    const rec = await json<ChainChangeJson>('admin', '--node', n.url, 'reconsider-block', tip.tipHash);
    expect(rec.body).toMatchObject({ height: 3, tipHash: tip.tipHash, connected: [tip.tipHash], cleared: 1 });
    expect((await n.get<{ tipHash: string }>('/api/v1/status')).body.tipHash).toBe(tip.tipHash);
    const bad = await cli('admin', '--node', n.url, 'invalidate-block', '0x1234');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: field "hash" must be at least 66 characters long (BAD_REQUEST)\n');
  });

  it('answers usage errors with one line, or one JSON document with --json, and exit code 2', async () => {
    const [text, asJson, level] = await Promise.all([
      cli('status', '--bogus'),
      cli('--json', 'block'),
      cli('node', '--log-level', 'verbose'),
    ]);
    expect([text.code, text.stdout, text.stderr]).toEqual([2, '', "error: unknown option '--bogus'\n"]);
    expect([asJson.code, asJson.stderr]).toEqual([2, '']);
    expect(JSON.parse(asJson.stdout)).toEqual({
      error: { code: 'CLI_USAGE', message: "missing required argument 'hashOrHeight'" },
    });
    expect(level.code).toBe(2);
    expect(level.stderr.trim().split('\n')).toHaveLength(1);
    expect(level.stderr).toContain("argument 'verbose' is invalid");
  });
});
