/**
 * How busy the machine was while something was measured: the machine's CPUs are shared
 * with other work, so each measurement can record how many cores everything else used.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuSecondsOf } from './nodes.js';

function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export interface LoadReading {
  readonly seconds: number;
  /** Cores busy on the whole machine, on average. */
  readonly machineCores: number;
  /** Cores used by this process (all its threads). */
  readonly benchCores: number;
  /** Cores used by the watched child processes. */
  readonly childCores: number;
  /** Cores used by everything else on the machine. */
  readonly otherCores: number;
}

export class LoadMeter {
  private readonly t0 = performance.now();
  private readonly m0 = machineJiffies();
  private readonly self0 = process.cpuUsage();
  private readonly child0: Map<number, number>;

  constructor(private readonly pids: readonly number[] = []) {
    this.child0 = new Map(pids.map((p) => [p, safeCpu(p)]));
  }

  read(): LoadReading {
    const seconds = (performance.now() - this.t0) / 1000;
    const m1 = machineJiffies();
    const n = cpus().length;
    const machineCores = m1.total > this.m0.total ? ((m1.busy - this.m0.busy) / (m1.total - this.m0.total)) * n : 0;
    const self = process.cpuUsage(this.self0);
    const benchCores = (self.user + self.system) / 1e6 / Math.max(seconds, 1e-9);
    const childCores =
      this.pids.reduce((s, p) => s + (safeCpu(p) - (this.child0.get(p) ?? 0)), 0) / Math.max(seconds, 1e-9);
    return {
      seconds,
      machineCores,
      benchCores,
      childCores,
      otherCores: Math.max(0, machineCores - benchCores - childCores),
    };
  }
}

function safeCpu(pid: number): number {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return 0;
  }
}

export function fmtLoad(l: LoadReading): string {
  return `machine ${l.machineCores.toFixed(2)} cores busy: bench ${l.benchCores.toFixed(2)}, node(s) ${l.childCores.toFixed(2)}, other processes ${l.otherCores.toFixed(2)}`;
}
