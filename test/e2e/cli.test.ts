/**
 * `ourcoin` command-line errors: bad input is one clear line naming the problem, a non-zero
 * exit code, and no stack trace; nothing is created that should not be.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, startNode, WAIT_LIMIT_MS } from '../helpers/nodeProcess.js';

const home = mkdtempSync(join(tmpdir(), 'ourcoin-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, OURCOIN_HOME: home, OURCOIN_PASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: WAIT_LIMIT_MS, // only a CLI that hangs for good
  });
  return { code: r.status, out: r.stdout.toString() + r.stderr.toString() };
}

describe('ourcoin node: bad input', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it.each([
    [['node', '--network', 'mainnet'], 'NETWORK_UNKNOWN'],
    [['node', '--network', 'regtest', '--miner-address', 'ourreg1qqqqqqqq'], 'ADDRESS_'],
    [
      ['node', '--network', 'regtest', '--miner-address', 'ourdev1qfeu0tf0swjnpw3fxmy69uvjzjfny6zx940rwdq'],
      'ADDRESS_WRONG_NETWORK',
    ],
    [['node', '--threads', '0'], 'expected an integer from 1 to 256'],
    [['node', '--api-port', '70000'], 'expected an integer from 0 to 65535'],
    [['node', '--network', 'regtest', '--mine', '--password-file', '/nonexistent/pw'], 'PASSWORD_FILE_UNREADABLE'],
  ])('%j fails with %s', (args, expected) => {
    const { code, out } = run(args);
    expect(code).not.toBe(0);
    expect(out).toContain(expected);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('refuses to create a miner key without a password when nobody can be asked, and creates nothing', () => {
    const { code, out } = run(['node', '--network', 'regtest', '--mine']);
    expect(code).toBe(2);
    expect(out).toContain('PASSWORD_REQUIRED');
    expect(existsSync(join(home, 'regtest', 'miner-keystore.json'))).toBe(false);
  });

  it('says so when the API port is taken or the data directory is in use', async () => {
    const datadir = join(home, 'busy');
    const first = await startNode(['--network', 'regtest', '--datadir', datadir]);
    try {
      const port = new URL(first.url).port;
      const taken = run(['node', '--network', 'regtest', '--datadir', join(home, 'other'), '--api-port', port]);
      expect(taken.code).toBe(2);
      expect(taken.out).toContain('API_LISTEN_FAILED');
      const locked = run(['node', '--network', 'regtest', '--datadir', datadir, '--api-port', '0']);
      expect(locked.code).toBe(2);
      expect(locked.out).toContain('STORE_LOCKED');
    } finally {
      await first.stop();
    }
  });
});

describe('ourcoin commands load only what they need', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  // A module hook that makes the node's heavy dependencies impossible to load: a command that
  // reaches one fails instead of printing its answer.
  const hook = `data:text/javascript,export async function resolve(s, c, next) {
    if (/^(libp2p|@libp2p\\/|@chainsafe\\/libp2p|fastify|better-sqlite3)/.test(s)) throw new Error('loaded ' + s);
    return next(s, c);
  }`;
  const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(hook)});`;

  it.each([
    [['--version'], '0.1.0'],
    [['wallet', 'list'], 'No wallets'],
  ])('%j loads neither libp2p, the API server nor SQLite', (args, expected) => {
    const r = spawnSync(process.execPath, ['--import', register, '--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, OURCOIN_HOME: home },
      encoding: 'utf8',
      timeout: WAIT_LIMIT_MS,
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(expected);
  });

  it('the hook does stop a command that loads them', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', register, '--import', 'tsx', 'src/cli/main.ts', 'node', '--help'],
      {
        encoding: 'utf8',
        timeout: WAIT_LIMIT_MS,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/loaded (libp2p|@libp2p\/|@chainsafe\/libp2p|fastify|better-sqlite3)/);
  });
});
