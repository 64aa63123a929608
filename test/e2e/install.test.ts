/**
 * Install anywhere: the package is packable (not private, ships dist/ and no sources), `npx
 * ourcoin` in the repository never builds (no `prepare`), and, in the long run, the packed
 * tarball installs into a temporary prefix whose `ourcoin` runs a regtest node from another
 * folder. The install takes minutes (it compiles better-sqlite3 when no prebuilt binary can
 * be fetched), so only `npm run test:long` does it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LONG } from '../helpers/long.js';
import { PROCESS_TEST_TIMEOUT_MS, WAIT_LIMIT_MS } from '../helpers/nodeProcess.js';
import type { StatusJson } from '../../src/api/json.js';

interface PackageJson {
  private?: boolean;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
const tmp = mkdtempSync(join(tmpdir(), 'ourcoin-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the package', () => {
  it('is packable, builds only when asked, and refuses to be published', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin.ourcoin).toBe('./dist/cli/main.js');
    // npm runs `prepare` on every `npx ourcoin` in the repository: the build must not be there.
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    const listed = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' });
    const files = (JSON.parse(listed) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'scripts/build-if-stale.mjs']));
    expect(files.filter((f) => !f.startsWith('dist/') && f.includes('/'))).toEqual(['scripts/build-if-stale.mjs']);
    const publish = (() => {
      try {
        execFileSync('npm', ['publish', '--dry-run', '--ignore-scripts=false'], { encoding: 'utf8', stdio: 'pipe' });
        return 'published';
      } catch (err) {
        return String((err as { stderr?: string }).stderr);
      }
    })();
    expect(publish).toContain('not published to the npm registry');
  });
});

describe.runIf(LONG)('installed from its tarball', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('runs `ourcoin --version` and a regtest node from another folder', async () => {
    const run = (cmd: string, args: string[], cwd = process.cwd()): string =>
      execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: WAIT_LIMIT_MS * 2 });
    const tarball = join(tmp, run('npm', ['pack', '--pack-destination', tmp, '--silent']).trim().split('\n').at(-1)!);
    const prefix = join(tmp, 'prefix');
    // --prefer-offline: the npm cache serves what it holds, the registry the rest.
    run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball]);
    const ourcoin = join(prefix, 'bin', 'ourcoin');
    const elsewhere = mkdtempSync(join(tmp, 'cwd-'));
    expect(run(ourcoin, ['--version'], elsewhere).trim()).toBe('0.1.0');

    const node = spawn(
      ourcoin,
      ['node', '--network', 'regtest', '--no-p2p', '--datadir', join(tmp, 'data'), '--api-port', '0'],
      { cwd: elsewhere, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (d: Buffer): void => {
          out += d.toString();
          const m = /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(out);
          if (m) resolve(m[1]!);
        };
        node.stdout.on('data', onData);
        node.stderr.on('data', onData);
        node.on('exit', (code) => reject(new Error(`node exited with ${code}:\n${out}`)));
      });
      const status = (await (await fetch(`${url}/api/v1/status`)).json()) as StatusJson;
      expect(status).toMatchObject({ network: 'regtest', height: 0 });
    } finally {
      node.kill('SIGKILL');
    }
  });
});
