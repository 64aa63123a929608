/**
 * Node processes for the benchmarks (via test/helpers/nodeProcess.ts: `ourcoin node` from
 * the TypeScript sources, on loopback, free ports), with a registry so that every child is
 * stopped at the end whatever happens; /proc readings; and a keep-alive HTTP client bound
 * to a chosen loopback source address.
 */
import { readFileSync } from 'node:fs';
import { startNode } from '../../test/helpers/nodeProcess.js';
import type { NodeProcess } from '../../test/helpers/nodeProcess.js';

export type { NodeProcess };
// Shared with the soak test, which measures the same things.
export { memoryOf } from '../../test/helpers/nodeProcess.js';
export type { MemoryStatus } from '../../test/helpers/nodeProcess.js';
export { LoopbackClient, loopbackClients, portOf } from '../../test/helpers/loopbackClient.js';
export type { HttpReply } from '../../test/helpers/loopbackClient.js';

const running = new Set<NodeProcess>();

/**
 * Starts `ourcoin node --network regtest --datadir <dir>` plus `extra` arguments, through
 * test/helpers/nodeProcess.ts; `nodeFlags` go to node itself (such as --cpu-prof); `fromDist`
 * runs the build in dist/ instead of the sources.
 */
export async function startRegtestNode(
  datadir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  nodeFlags: string[] = [],
  { fromDist = false }: { fromDist?: boolean } = {},
): Promise<NodeProcess> {
  const args = ['--network', 'regtest', '--datadir', datadir, ...extra];
  const node = await startNode(args, env, nodeFlags, { fromDist });
  running.add(node);
  return node;
}

/** Requests a minute per client IP for nodes under load from a few local clients: far above what they send. */
export const HIGH_RATE_LIMIT = '1000000000';

/**
 * A regtest node that only the bench's clients talk to: no p2p, a rate limit no client
 * reaches, under V8's sampling profiler (one file per thread in `profileDir`, written at exit).
 */
export function startLoadTestNode(datadir: string, profileDir: string): Promise<NodeProcess> {
  return startRegtestNode(datadir, ['--no-p2p', '--rate-limit', HIGH_RATE_LIMIT], {}, [
    '--cpu-prof',
    `--cpu-prof-dir=${profileDir}`,
  ]);
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopNode(node: NodeProcess, graceMs = 15_000): Promise<number | null> {
  running.delete(node);
  if (node.proc.exitCode !== null || node.proc.signalCode !== null) return node.proc.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      node.proc.kill('SIGKILL');
      resolve(null);
    }, graceMs);
  });
  const code = await Promise.race([node.stop(), killed]);
  clearTimeout(timer);
  return code;
}

/** Stops every node still running (end of the run, or after a failed part). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map((n) => stopNode(n)));
}

/** Synchronous last resort on exit: kill whatever is left. */
export function killAllNodesNow(): void {
  for (const n of running) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
  running.clear();
}

/**
 * CPU seconds (user + system) used so far by process `pid` (all its threads), or by the
 * calling thread alone with 'thread-self'.
 */
export function cpuSecondsOf(pid: number | 'thread-self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may contain spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
