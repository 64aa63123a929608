/**
 * Runs a real `ourcoin node` process (from the TypeScript sources, via tsx) on loopback
 * with a free port, and talks to its HTTP API.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { StatusJson } from '../../src/api/json.js';

export interface NodeProcess {
  readonly url: string;
  readonly proc: ChildProcessWithoutNullStreams;
  output(): string;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  /** SIGTERM, then wait for a clean exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (no chance to clean up), then wait for the process to be gone. */
  kill(): Promise<void>;
}

/**
 * `nodeFlags` go to node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses). `fromDist` runs
 * the built dist/cli/main.js instead of the sources: it starts in a fraction of the time and
 * memory, which counts when dozens of nodes start (the network simulator).
 */
export async function startNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
  { fromDist = false }: { fromDist?: boolean } = {},
): Promise<NodeProcess> {
  const proc = spawn(
    process.execPath,
    [
      ...nodeFlags,
      ...(fromDist ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts']),
      'node',
      '--api-host',
      '127.0.0.1',
      '--api-port',
      '0',
      '--p2p-host',
      '127.0.0.1',
      '--p2p-port',
      '0',
      '--status-interval',
      '0',
      ...args,
    ],
    {
      env: { ...process.env, ...env },
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // Waits for the API banner line; the limit only catches a node that never gets there.
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${out}`)), WAIT_LIMIT_MS);
    const onData = (): void => {
      const m = /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${out}`));
    });
  });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    url,
    proc,
    output: () => out,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    stop: () =>
      new Promise((resolve) => {
        // Gone already (a SIGKILLed process has no exit code, only a signal).
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      }),
    kill: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

export const status = async (n: NodeProcess): Promise<StatusJson> => (await n.get<StatusJson>('/api/v1/status')).body;

/** The node's first p2p listen address, to give another node as --peer. */
export const multiaddr = async (n: NodeProcess): Promise<string> => (await status(n)).p2p!.multiaddrs[0]!;

/**
 * How long one wait on a real process may take. Tests wait for progress (a height, a tip, a
 * log line), never for a time budget: on a loaded 2-core machine a step that takes seconds
 * idle can take minutes, so the limit only catches a process that is stuck for good.
 */
export const WAIT_LIMIT_MS = 5 * 60_000;

/** The overall limit of a test that runs real processes: a few waits at their limit. */
export const PROCESS_TEST_TIMEOUT_MS = 15 * 60_000;

/** Polls `check` every 200 ms until it holds; fails after `timeoutMs` (default WAIT_LIMIT_MS). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs = WAIT_LIMIT_MS }: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export const sameTip = async (nodes: readonly NodeProcess[]): Promise<boolean> => {
  const tips = await Promise.all(nodes.map(status));
  return tips.every((t) => t.tipHash === tips[0]!.tipHash);
};

export interface MemoryStatus {
  /** Resident set size now, MB. */
  readonly rssMb: number;
  /** Peak resident set size (VmHWM), MB. */
  readonly peakMb: number;
}

export function memoryOf(pid: number): MemoryStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
