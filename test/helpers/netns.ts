/**
 * Linux network namespaces for tests that need real multicast (mDNS) without touching any
 * real network: each namespace is created by the test, has only its own loopback (with
 * multicast enabled and a 224.0.0.0/4 route on it), and is deleted afterwards.
 * Needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN) and iproute2; without them `createNamespace`
 * throws a clear error, so the test fails rather than skips.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { WAIT_LIMIT_MS } from './nodeProcess.js';

const run = promisify(execFile);

async function ip(args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

/**
 * Creates namespace `name` with loopback up, multicast on, and multicast routed to loopback,
 * so processes inside it can use 224.0.0.251:5353 among themselves and nothing else.
 */
export async function createNamespace(name: string): Promise<void> {
  try {
    await ip(['netns', 'add', name]);
  } catch (err) {
    const e = err as { message?: string; stderr?: string; code?: string | number };
    const why =
      e.code === 'ENOENT'
        ? 'the `ip` command (iproute2) is not installed'
        : (e.stderr ?? e.message ?? String(err)).trim();
    throw new Error(
      `cannot create network namespace ${name} (${why}). This test needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2 ` +
        `to run nodes in an isolated namespace; CI runs it as root.`,
      { cause: err },
    );
  }
  try {
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    await ip(['-n', name, 'link', 'set', 'lo', 'multicast', 'on']);
    await ip(['-n', name, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
  } catch (err) {
    await deleteNamespace(name);
    throw new Error(`cannot set up loopback multicast in network namespace ${name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Deletes namespace `name`; never throws (safe in afterAll, also when it was never created). */
export async function deleteNamespace(name: string): Promise<void> {
  await ip(['netns', 'delete', name]).catch(() => undefined);
}

/** Runs `node <args>` inside namespace `ns` and returns what it prints on stdout. */
export async function execNodeInNamespace(ns: string, args: string[], timeoutMs = WAIT_LIMIT_MS): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, ...args], { timeout: timeoutMs });
  return stdout;
}

export interface NamespacedNode {
  readonly ns: string;
  readonly proc: ChildProcessWithoutNullStreams;
  /** Everything the node printed so far, stdout and stderr interleaved. */
  output(): string;
  /** The `msg`-bearing JSON log lines printed so far. */
  logs(): Record<string, unknown>[];
  /** Resolves once `check(output)` returns a value other than undefined; rejects after `ms` or if the node exits. */
  waitFor<T>(what: string, ms: number, check: (output: string) => T | undefined): Promise<T>;
  /** Calls the node's HTTP API from inside its namespace. */
  call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** SIGTERM, wait up to `ms`, then SIGKILL; resolves to the exit code (null when killed). */
  stop(ms?: number): Promise<number | null>;
}

/**
 * Starts `ourcoin node <args>` (from the TypeScript sources, via tsx) inside namespace `ns`.
 * `ip netns exec` execs the command, so the child's pid is the node's own pid.
 */
export function startNodeInNamespace(ns: string, args: string[]): NamespacedNode {
  const proc = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'node', ...args],
    {
      env: { ...process.env },
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let apiUrl: string | undefined;

  const logs = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const waitFor = <T>(what: string, ms: number, check: (output: string) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        proc.off('exit', onExit);
      };
      const tick = (): void => {
        const v = check(out);
        if (v !== undefined) {
          done();
          resolve(v);
        }
      };
      const onExit = (code: number | null): void => {
        done();
        reject(new Error(`node in ${ns} exited (${code}) while waiting for ${what}:\n${out}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what} (node in ${ns}):\n${out}`));
      }, ms);
      const poll = setInterval(tick, 100);
      proc.once('exit', onExit);
      if (proc.exitCode !== null || proc.signalCode !== null) onExit(proc.exitCode);
      else tick();
    });

  const call = async <T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    apiUrl ??= await waitFor(
      'the API banner',
      WAIT_LIMIT_MS,
      (o) => /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(o)?.[1],
    );
    const script =
      'const [u, m, b] = process.argv.slice(1);' +
      "fetch(u, { method: m, headers: b ? { 'content-type': 'application/json' } : {}, body: b || undefined })" +
      '.then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() })))' +
      '.catch((e) => { console.error(String(e)); process.exit(1); });';
    const stdout = await execNodeInNamespace(ns, [
      '-e',
      script,
      apiUrl + path,
      method,
      body === undefined ? '' : JSON.stringify(body),
    ]);
    return JSON.parse(stdout) as { status: number; body: T };
  };

  const stop = async (ms = 10_000): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return { ns, proc, output: () => out, logs, waitFor, call, stop };
}
