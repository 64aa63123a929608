/**
 * Reads the V8 CPU profiles a node process wrote with `--cpu-prof` (one file per thread)
 * and summarizes the samples taken inside a time window: where each thread spent its time,
 * by function (self time). V8 stamps samples with the monotonic clock in microseconds, the
 * same clock as process.hrtime here, so a window measured by the bench selects the samples.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ThreadSummary {
  /** "main" or "worker <tid>" */
  readonly thread: string;
  readonly samples: number;
  /** Share of the window's samples that were not idle, percent. */
  readonly busyPercent: number;
  /** Functions by self time, percent of the window's samples. */
  readonly top: readonly { readonly fn: string; readonly percent: number }[];
  /** The project's own functions (src/) by total time (self and callees), percent of the window's samples. */
  readonly topInclusive: readonly { readonly fn: string; readonly percent: number }[];
}

/** Monotonic clock in microseconds, comparable with the profiles' timestamps. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function where(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/')
    .replace(/^node:internal\//, 'node:');
  const name = functionName || '(anonymous)';
  return file ? `${name} (${file}${lineNumber >= 0 ? `:${lineNumber + 1}` : ''})` : name;
}

/** Summaries of every profile in `dir` (one per thread), restricted to [fromUs, toUs]. */
export function summarizeProfiles(dir: string, fromUs: number, toUs: number, topN = 10): ThreadSummary[] {
  const out: ThreadSummary[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()) {
    const tid = Number(file.split('.')[4] ?? NaN);
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, ProfileNode>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    let t = p.startTime;
    let total = 0;
    let idle = 0;
    p.samples.forEach((id, i) => {
      t += p.timeDeltas[i] ?? 0;
      if (t < fromUs || t > toUs) return;
      const node = byId.get(id);
      if (!node) return;
      total++;
      if (node.callFrame.functionName === '(idle)') {
        idle++;
        return;
      }
      // Each src/ function on the sample's stack, once.
      const onStack = new Set<string>();
      for (let n: ProfileNode | undefined = node; n; n = parent.get(n.id))
        if (/\/src\//.test(n.callFrame.url) && !n.callFrame.url.includes('/node_modules/')) onStack.add(where(n));
      for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
      // An anonymous function (a callback, a native call's wrapper) is named with its caller.
      const caller = node.callFrame.functionName === '' ? parent.get(node.id) : undefined;
      const key =
        caller && caller.callFrame.functionName !== '(root)'
          ? `${where(node)} called from ${where(caller)}`
          : where(node);
      self.set(key, (self.get(key) ?? 0) + 1);
    });
    if (total === 0) continue;
    out.push({
      thread: tid === 0 ? 'main' : `worker ${tid}`,
      samples: total,
      busyPercent: (100 * (total - idle)) / total,
      top: [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, topN)
        .map(([fn, n]) => ({ fn, percent: (100 * n) / total })),
      topInclusive: [...inclusive]
        .sort((a, b) => b[1] - a[1])
        .slice(0, topN)
        .map(([fn, n]) => ({ fn, percent: (100 * n) / total })),
    });
  }
  return out;
}

/** Markdown for the busy threads of a summary. */
export function profileMarkdown(summaries: readonly ThreadSummary[], minBusyPercent = 5): string {
  const lines: string[] = [];
  for (const s of summaries) {
    if (s.busyPercent < minBusyPercent) continue;
    lines.push(
      `${s.thread} thread: busy ${s.busyPercent.toFixed(0)}% of ${s.samples.toLocaleString('en-US')} samples. Top functions by self time:`,
      '',
    );
    lines.push("| function (file:line of the code V8 ran) | % of the thread's samples |", '| --- | --- |');
    for (const f of s.top) lines.push(`| ${f.fn.replace(/\|/g, '\\|')} | ${f.percent.toFixed(1)} |`);
    lines.push('');
    if (s.thread === 'main' && s.topInclusive.length > 0) {
      lines.push(
        "The project's functions on the main thread by total time (their own and their callees'):",
        '',
        "| function | % of the thread's samples |",
        '| --- | --- |',
      );
      for (const f of s.topInclusive) lines.push(`| ${f.fn.replace(/\|/g, '\\|')} | ${f.percent.toFixed(1)} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}
