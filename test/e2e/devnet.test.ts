/**
 * `ourcoin devnet`: a real 3-node regtest network on loopback, started, watched until every
 * node is on the same height, and stopped with SIGTERM, after which no node is left running
 * and the temporary directory is gone. Also: a node that fails stops the whole devnet.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ourcoinCommand } from '../../src/cli/devnetCommand.js';
import { PROCESS_TEST_TIMEOUT_MS, WAIT_LIMIT_MS } from '../helpers/nodeProcess.js';

const scratch = mkdtempSync(join(tmpdir(), 'ourcoin-devnet-test-'));
const started: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  // Only if a test failed half way: SIGTERM lets devnet stop its own nodes.
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

function devnet(args: string[]): {
  proc: ChildProcessWithoutNullStreams;
  output: () => string;
  exit: Promise<number | null>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'devnet', ...args], {
    env: { ...process.env, OURCOIN_PASSWORD: '' },
  });
  started.push(proc);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, exit };
}

async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined> | T | undefined,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
}

/** Rejects (or resolves null) when nothing listens there. */
async function height(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/api/v1/status`, { signal: AbortSignal.timeout(2000) });
    return ((await res.json()) as { height: number }).height;
  } catch {
    return null;
  }
}

function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

describe('ourcoin devnet', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('runs 3 regtest nodes, one mining, to one height, and stops them all on SIGTERM', async () => {
    const run = devnet(['--nodes', '3', '--network', 'regtest', '--mining', '1', '--status-interval', '1']);

    // The table: one row per node with its API URL and its p2p multiaddr.
    const rows = await waitFor(
      'the table of nodes',
      WAIT_LIMIT_MS,
      () => {
        const found = [
          ...run
            .output()
            .matchAll(
              /^\s+(\d+)\s+(http:\/\/127\.0\.0\.1:\d+)\s+(\/ip4\/127\.0\.0\.1\/tcp\/(\d+)\/p2p\/\w+)\s+(yes|no)/gm,
            ),
        ];
        return found.length === 3
          ? found.map((m) => ({ index: Number(m[1]), url: m[2]!, p2pPort: Number(m[4]), mining: m[5] === 'yes' }))
          : undefined;
      },
      run.output,
    );
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(rows.map((r) => r.mining)).toEqual([true, false, false]);
    const dir = /data and logs in (\S+)/.exec(run.output())![1]!;
    expect(existsSync(join(dir, 'node-0.log'))).toBe(true);

    const heights = await waitFor(
      'three nodes on one height above 3',
      WAIT_LIMIT_MS,
      async () => {
        const hs = await Promise.all(rows.map((r) => height(r.url)));
        return hs.every((h) => h !== null && h > 3 && h === hs[0]) ? hs : undefined;
      },
      run.output,
    );
    expect(heights[0]).toBeGreaterThan(3);
    await waitFor(
      'a status line',
      WAIT_LIMIT_MS,
      () => (/heights \d+ \d+ \d+ {2}peers \d+ \d+ \d+/.test(run.output()) ? true : undefined),
      run.output,
    );

    run.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      run.exit,
      new Promise<string>((r) => (timer = setTimeout(() => r('still running'), WAIT_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/stopped; removed/);

    // No node is left: neither their APIs nor their p2p ports answer, and the directory is gone.
    for (const r of rows) {
      expect(await height(r.url)).toBeNull();
      expect(await tcpAnswers(r.p2pPort)).toBe(false);
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('says which node failed, stops the others and exits 1, keeping the logs', async () => {
    // Node 0's API port is taken, so node 0 exits at once (API_LISTEN_FAILED).
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = join(scratch, 'failing');
      const run = devnet(['--nodes', '2', '--network', 'regtest', '--base-port', String(port), '--dir', dir]);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        run.exit,
        new Promise<string>((r) => (timer = setTimeout(() => r('still running'), WAIT_LIMIT_MS))),
      ]);
      clearTimeout(timer);
      expect(code, run.output()).toBe(1);
      expect(run.output()).toMatch(/node 0 exited unexpectedly \(code 2\)/);
      expect(run.output()).toContain(`kept in ${dir}`);
      expect(existsSync(join(dir, 'node-0.log'))).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('refuses more miners than nodes', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'devnet', '--nodes', '2', '--mining', '3'],
      { timeout: WAIT_LIMIT_MS },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toContain('DEVNET_BAD_OPTIONS');
  });

  it('spawns nodes the way it runs: dist/cli/main.js when built', () => {
    expect(ourcoinCommand('file:///opt/ourcoin/dist/cli/devnetCommand.js')).toEqual({
      command: process.execPath,
      args: ['/opt/ourcoin/dist/cli/main.js'],
    });
  });
});
