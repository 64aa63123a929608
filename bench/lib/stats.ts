/**
 * Small measurement helpers: timing, median/min/max, ratios, formatting, progress lines.
 */
import { performance } from 'node:perf_hooks';

/** Median, min and max of repeated measurements (all in the same unit). */
export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function stat(samples: readonly number[]): Stat {
  if (samples.length === 0) throw new Error('stat of no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** A rate (per second) from a Stat of durations in ms: the fastest run gives the max rate. */
export function rateOf(ms: Stat, count: number): Stat {
  return {
    median: (count * 1000) / ms.median,
    min: (count * 1000) / ms.max,
    max: (count * 1000) / ms.min,
    runs: ms.runs,
  };
}

/** Scales every field of a Stat. */
export function scale(s: Stat, k: number): Stat {
  return { median: s.median * k, min: s.min * k, max: s.max * k, runs: s.runs };
}

/** Milliseconds taken by `fn`, and its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Percentile (0..100) of unsorted samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** A number with about 3 significant digits, thousands separated. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs === 0) return '0';
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return x.toFixed(Math.min(decimals, 6));
}

/** "median (min-max)" */
export function fmtStat(s: Stat, unit = ''): string {
  return `${fmt(s.median)}${unit} (${fmt(s.min)}-${fmt(s.max)}, n=${s.runs})`;
}

export function fmtRatio(x: number): string {
  return `${fmt(x)}x`;
}

const startedAt = performance.now();

/** One progress line on stdout, with the time since the bench started. */
export function progress(part: string, message: string): void {
  const s = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${s}s] ${part}: ${message}\n`);
}

/** Seconds since the bench started. */
export function elapsedSeconds(): number {
  return (performance.now() - startedAt) / 1000;
}
