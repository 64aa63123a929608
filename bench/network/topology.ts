/**
 * The simulated network's shape: a random connected graph of a chosen degree, one-way link
 * delays drawn from a distribution, and a seeded random source so that a run can be repeated.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same topology and schedule. */
export { prng as randomSource } from '../../test/helpers/replay.js';

/** An undirected link; `from` dials `to` (through the link's relay). */
export interface Edge {
  readonly from: number;
  readonly to: number;
}

/**
 * A connected random graph on `nodes` nodes where every node has `degree` links or close to
 * it: a random ring first (connected whatever happens next), then random pairs of nodes still
 * short of `degree`, until no such pair is left.
 */
export function randomTopology(nodes: number, degree: number, random: () => number): Edge[] {
  if (nodes < 2) return [];
  const order = shuffle([...Array(nodes).keys()], random);
  const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const seen = new Set<string>();
  const edges: Edge[] = [];
  const deg = new Array<number>(nodes).fill(0);
  const add = (a: number, b: number): void => {
    if (a === b || seen.has(key(a, b))) return;
    seen.add(key(a, b));
    edges.push({ from: a, to: b });
    deg[a]!++;
    deg[b]!++;
  };
  for (let i = 0; i < nodes; i++) add(order[i]!, order[(i + 1) % nodes]!);
  for (let tries = 0; tries < nodes * degree * 20; tries++) {
    const short = [...deg.keys()].filter((n) => deg[n]! < degree);
    if (short.length < 2) break;
    const a = short[Math.floor(random() * short.length)]!;
    const b = short[Math.floor(random() * short.length)]!;
    add(a, b);
  }
  return edges;
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** One-way link delays: a fixed value (`50`) or uniform over a range (`20-200`), in ms. */
export interface DelayDistribution {
  readonly minMs: number;
  readonly maxMs: number;
}

export function parseDelay(text: string): DelayDistribution {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m) throw new Error(`--delay-ms: expected a number of ms (50) or a range (20-200), got "${text}"`);
  const minMs = Number(m[1]);
  const maxMs = m[2] === undefined ? minMs : Number(m[2]);
  if (maxMs < minMs) throw new Error(`--delay-ms: the range ${text} ends below its start`);
  return { minMs, maxMs };
}

export function drawDelays(edges: readonly Edge[], d: DelayDistribution, random: () => number): number[] {
  return edges.map(() => d.minMs + random() * (d.maxMs - d.minMs));
}

export const describeDelay = (d: DelayDistribution): string =>
  d.minMs === d.maxMs ? `${d.minMs} ms` : `${d.minMs}-${d.maxMs} ms (uniform)`;

/** Parses a bandwidth like `20mbit`, `512kbit`, `1gbit` or `none` into bytes a second (null: no cap). */
export function parseBandwidth(text: string): number | null {
  if (text === 'none') return null;
  const m = /^(\d+(?:\.\d+)?)(k|m|g)bit$/i.exec(text.trim());
  if (!m) throw new Error(`--bandwidth: expected e.g. 20mbit, 512kbit or none, got "${text}"`);
  const unit = { k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'];
  return (Number(m[1]) * unit) / 8;
}
