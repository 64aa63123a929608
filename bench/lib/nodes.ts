/**
 * Node processes for the benchmarks (via test/helpers/nodeProcess.ts: `ourcoin node` from
 * the TypeScript sources, on loopback, free ports), with a registry so that every child is
 * stopped at the end whatever happens; /proc readings; and a keep-alive HTTP client bound
 * to a chosen loopback source address.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startNode } from '../../test/helpers/nodeProcess.js';
import type { NodeProcess } from '../../test/helpers/nodeProcess.js';

export type { NodeProcess };

const running = new Set<NodeProcess>();

/**
 * Starts `ourcoin node --network regtest --datadir <dir>` plus `extra` arguments, through
 * test/helpers/nodeProcess.ts; `nodeFlags` go to node itself (such as --cpu-prof).
 */
export async function startRegtestNode(datadir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []): Promise<NodeProcess> {
  const args = ['--network', 'regtest', '--datadir', datadir, ...extra];
  const node = await startNode(args, env, nodeFlags);
  running.add(node);
  return node;
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

/** CPU seconds (user + system, all threads) used so far by process `pid`. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may contain spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTP/1.1 keep-alive connection from a given loopback source address: the node's API
 * limits requests per client IP, so a load generator standing for many clients uses many
 * source addresses (127.0.0.0/8 is all loopback).
 */
export class LoopbackClient {
  private readonly agent: http.Agent;
  requests = 0;

  constructor(
    private readonly port: number,
    readonly localAddress: string,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method: string, path: string, body?: string): Promise<HttpReply> {
    this.requests++;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          agent: this.agent,
          localAddress: this.localAddress,
          headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `count` clients on source addresses 127.<subnet>.<1..>.<1..254>. */
export function loopbackClients(port: number, subnet: number, count: number): LoopbackClient[] {
  return Array.from({ length: count }, (_, i) => new LoopbackClient(port, `127.${subnet}.${Math.floor(i / 254)}.${(i % 254) + 1}`));
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
