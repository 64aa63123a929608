/**
 * Settings and logs through the real `ourcoin` CLI: a config file and the environment as
 * `config show --json` reports them, a node that takes its API port and log settings from a
 * config file (JSON lines on stderr and in its --log-file), and bad settings refused in one
 * line with exit code 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatusJson } from '../../src/api/json.js';
import { PROCESS_TEST_TIMEOUT_MS, WAIT_LIMIT_MS, waitFor } from '../helpers/nodeProcess.js';

const home = mkdtempSync(join(tmpdir(), 'ourcoin-config-e2e-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cli = ['--import', 'tsx', 'src/cli/main.ts'];
/** A regtest address nobody here holds. */
const ELSEWHERE = 'ourreg1q977cfspqwl9tap8jzx5atg0995ky6mfmqygvda';
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, OURCOIN_HOME: home, OURCOIN_PASSWORD: '' };
  delete env.OURCOIN_NETWORK;
  delete env.OURCOIN_NODE;
  return env;
};

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cli, ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: WAIT_LIMIT_MS, // only a CLI that hangs for good
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Shown {
  file: { path: string; found: boolean };
  settings: Record<string, Record<string, { value: unknown; source: string }>>;
}

describe('ourcoin settings and logs (real CLI)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('config show --json ranks the environment over the default file, and flags are its own', () => {
    writeFileSync(
      join(home, 'ourcoin.toml'),
      'network = "regtest"\nnode = "http://127.0.0.1:1111"\n\n[wallet]\nnode = "http://127.0.0.1:2222"\n',
    );
    const { code, stdout } = run(['config', 'show', '--json'], { OURCOIN_NETWORK: 'devnet' });
    expect(code).toBe(0);
    const shown = JSON.parse(stdout) as Shown;
    expect(shown.file).toEqual({ path: join(home, 'ourcoin.toml'), found: true });
    expect(shown.settings.node!.network).toEqual({ value: 'devnet', source: 'env' });
    expect(shown.settings.node!['api-host']).toEqual({ value: '127.0.0.1', source: 'default' });
    expect(shown.settings.wallet!.node).toEqual({ value: 'http://127.0.0.1:2222', source: 'file' });
    expect(shown.settings.admin!.node).toEqual({ value: 'http://127.0.0.1:1111', source: 'file' });

    const fromEnv = JSON.parse(
      run(['config', 'show', '--json'], { OURCOIN_NODE: 'http://127.0.0.1:3333' }).stdout,
    ) as Shown;
    expect(fromEnv.settings.wallet!.node).toEqual({ value: 'http://127.0.0.1:3333', source: 'env' });
    rmSync(join(home, 'ourcoin.toml'));
  });

  it.each([
    [['node', '--log-level', 'verbose'], 'expected one of fatal, error, warn, info, debug, trace, silent'],
    [['node', '--log-format', 'xml'], 'expected one of pretty, json'],
    [['--config', 'NOWHERE', 'node'], 'CONFIG_UNREADABLE'],
    [['--config', 'BAD', 'config', 'show'], ', line 2: unknown key "api-prot" in [node]'],
    [['node', '--network', 'regtest', '--log-file', join(home, 'no', 'such', 'dir.log')], 'LOG_FILE_UNWRITABLE'],
  ])('%j fails in one line with exit code 2: %s', (args, expected) => {
    writeFileSync(join(home, 'bad.toml'), '[node]\napi-prot = 8330\n');
    const resolved = args.map((a) => (a === 'BAD' ? join(home, 'bad.toml') : a === 'NOWHERE' ? join(home, 'x') : a));
    const { code, stdout, stderr } = run(resolved);
    expect(code).toBe(2);
    expect(stdout + stderr).toContain(expected);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs a node with its API port and logs from a config file: JSON lines on stderr and in the log file', async () => {
    const port = await freePort();
    const logFile = join(home, 'node.log');
    const config = join(home, 'node.toml');
    writeFileSync(
      config,
      [
        'network = "regtest"',
        '[node]',
        `datadir = "${join(home, 'node')}"`,
        `api-port = ${port}`,
        'p2p = false',
        'log-format = "json"',
        `log-file = "${logFile}"`,
        'status-interval = 1',
      ].join('\n'),
    );
    const proc = spawn(process.execPath, [...cli, '--config', config, 'node'], { env: baseEnv() });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${stdout}${stderr}`)), WAIT_LIMIT_MS);
        proc.stdout.on('data', () => {
          const m = /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        void exited.then((code) => reject(new Error(`node exited with ${code}:\n${stdout}${stderr}`)));
      });
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const status = (await (await fetch(`${url}/api/v1/status`)).json()) as StatusJson;
      expect(status.network).toBe('regtest');
      expect(status.sync).toEqual({
        syncing: false,
        targetHeight: null,
        height: 0,
        blocksPerSecond: 0,
        etaSeconds: null,
      });
      // The first status check logs a line (the ones after only on a change).
      await waitFor('a status line', () => Promise.resolve(stderr.includes('not mining')));
      // Blocks for the reindex below.
      const mined = await fetch(`${url}/api/v1/mine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blocks: 30, address: ELSEWHERE }),
      });
      expect(mined.status).toBe(200);
      // A new tip is worth a status line at the next check.
      await waitFor('a status line at height 30', () => Promise.resolve(stderr.includes('"msg":"height 30 ')));
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = stderr.trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; time: string; level: number });
    expect(parsed.map((l) => l.msg)).toEqual(expect.arrayContaining(['chain opened', 'node started', 'node stopped']));
    expect(parsed.find((l) => l.msg === 'node started')).toMatchObject({ api: `http://127.0.0.1:${port}/api/v1` });
    expect(parsed.filter((l) => l.msg.startsWith('height 0 '))).toHaveLength(1);
    // The file holds the same lines, appended.
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toEqual(lines);
    expect(stdout).not.toContain('{');
  });

  it('draws a progress bar for --reindex on a terminal', async () => {
    const config = join(home, 'node.toml');
    // python3's pty.spawn runs the CLI on a pseudo-terminal and relays our pipes to it.
    const p = spawn(
      'python3',
      [
        '-c',
        'import pty,sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)',
        process.execPath,
        ...cli,
        '--config',
        config,
        'node',
        '--reindex',
        '--log-format',
        'pretty',
        '--log-file',
        join(home, 'reindex.log'),
      ],
      { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let raw = '';
    p.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    p.stderr.on('data', (d: Buffer) => (raw += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    // eslint-disable-next-line no-control-regex
    const screen = (): string => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
    try {
      await waitFor('the banner', () => Promise.resolve(/api\s+http:/.test(screen())));
    } finally {
      p.stdin.write('\x03'); // Ctrl-C: SIGINT to the node
    }
    expect(await exited).toBe(0);
    expect(screen()).toMatch(/reindex \[█+\] 100% \| block 30 of 30/);
    // Readable lines with local times, not JSON, on the terminal.
    expect(screen()).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: reindex: done/);
    expect(screen()).not.toContain('"level":30');
  });
});
