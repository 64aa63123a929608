/**
 * Hand-written SVG charts: a line chart (optionally log-log) and a bar chart with min-max
 * whiskers. Plain strings, no dependencies; the output opens in any browser.
 */

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const W = 760;
const H = 440;
const M = { left: 80, right: 220, top: 50, bottom: 60 };
/** The plot area inside the margins (y0 is its bottom edge: SVG's y grows downwards). */
const PLOT = { x0: M.left, x1: W - M.right, y0: H - M.bottom, y1: M.top };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function label(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${+(x / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${+(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${+(x / 1e3).toPrecision(3)}k`;
  return `${+x.toPrecision(3)}`;
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    body,
    `</svg>`,
  ].join('\n');
}

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
}

function axis(values: number[], log: boolean, zeroBased: boolean): Axis {
  const pos = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (pos.length === 0) return { min: log ? 1 : 0, max: log ? 10 : 1, log };
  let min = Math.min(...pos);
  let max = Math.max(...pos);
  if (log) {
    min = 10 ** Math.floor(Math.log10(min));
    max = 10 ** Math.ceil(Math.log10(max));
    if (min === max) max = min * 10;
  } else {
    if (zeroBased) min = Math.min(0, min);
    max = max === min ? min + 1 : max * 1.1;
  }
  return { min, max, log };
}

function project(a: Axis, v: number, from: number, to: number): number {
  const t = a.log
    ? (Math.log10(v) - Math.log10(a.min)) / (Math.log10(a.max) - Math.log10(a.min))
    : (v - a.min) / (a.max - a.min);
  return from + t * (to - from);
}

function ticks(a: Axis): number[] {
  if (a.log) {
    const out: number[] = [];
    for (let e = Math.round(Math.log10(a.min)); e <= Math.round(Math.log10(a.max)); e++) out.push(10 ** e);
    return out;
  }
  const step = niceStep((a.max - a.min) / 5);
  const out: number[] = [];
  for (let v = Math.ceil(a.min / step) * step; v <= a.max + 1e-9; v += step) out.push(v);
  return out;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

export interface Series {
  readonly name: string;
  /** [x, y, yMin?, yMax?] */
  readonly points: readonly (readonly [number, number, number?, number?])[];
  readonly dashed?: boolean;
}

/** Horizontal grid lines with value labels on the left, and the plot area's frame. */
function valueGridAndFrame(ay: Axis): string[] {
  const { x0, x1, y0, y1 } = PLOT;
  const parts: string[] = [];
  for (const t of ticks(ay)) {
    const y = project(ay, t, y0, y1);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${label(t)}</text>`,
    );
  }
  parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#444"/>`);
  return parts;
}

export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logX?: boolean;
  logY?: boolean;
}): string {
  const xs = opts.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = opts.series.flatMap((s) => s.points.flatMap((p) => [p[1], p[2] ?? p[1], p[3] ?? p[1]]));
  const ax = axis(xs, opts.logX ?? false, false);
  const ay = axis(ys, opts.logY ?? false, true);
  const { x0, x1, y0, y1 } = PLOT;
  const parts: string[] = [];
  for (const t of ticks(ax)) {
    const x = project(ax, t, x0, x1);
    parts.push(
      `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#eee"/>`,
      `<text x="${x}" y="${y0 + 16}" text-anchor="middle">${label(t)}</text>`,
    );
  }
  parts.push(...valueGridAndFrame(ay));
  opts.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((p) => (!ax.log || p[0] > 0) && (!ay.log || p[1] > 0));
    const d = pts
      .map(
        (p, j) =>
          `${j === 0 ? 'M' : 'L'}${project(ax, p[0], x0, x1).toFixed(1)},${project(ay, p[1], y0, y1).toFixed(1)}`,
      )
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of pts) {
      const x = project(ax, p[0], x0, x1);
      if (p[2] !== undefined && p[3] !== undefined && (!ay.log || p[2] > 0)) {
        parts.push(
          `<line x1="${x}" y1="${project(ay, p[2], y0, y1)}" x2="${x}" y2="${project(ay, p[3], y0, y1)}" stroke="${color}"/>`,
        );
      }
      parts.push(`<circle cx="${x}" cy="${project(ay, p[1], y0, y1)}" r="3" fill="${color}"/>`);
    }
    const ly = y1 + 10 + i * 20;
    parts.push(
      `<line x1="${x1 + 12}" y1="${ly}" x2="${x1 + 36}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x1 + 42}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  return frame(opts.title, opts.xLabel, opts.yLabel, parts.join('\n'));
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
}

export function barChart(opts: {
  title: string;
  yLabel: string;
  bars: readonly Bar[];
  lines?: readonly { value: number; label: string }[];
}): string {
  const values = opts.bars.flatMap((b) => [b.value, b.max ?? b.value]).concat((opts.lines ?? []).map((l) => l.value));
  const ay = axis(values, false, true);
  const { x0, x1, y0, y1 } = PLOT;
  const parts: string[] = [];
  parts.push(...valueGridAndFrame(ay));
  const slot = (x1 - x0) / Math.max(1, opts.bars.length);
  opts.bars.forEach((b, i) => {
    const color = COLORS[i % COLORS.length]!;
    const cx = x0 + slot * (i + 0.5);
    const bw = slot * 0.6;
    const top = project(ay, b.value, y0, y1);
    parts.push(
      `<rect x="${cx - bw / 2}" y="${top}" width="${bw}" height="${y0 - top}" fill="${color}" opacity="0.8"/>`,
    );
    if (b.min !== undefined && b.max !== undefined) {
      const a = project(ay, b.min, y0, y1);
      const c = project(ay, b.max, y0, y1);
      parts.push(
        `<line x1="${cx}" y1="${a}" x2="${cx}" y2="${c}" stroke="black"/>`,
        `<line x1="${cx - 6}" y1="${a}" x2="${cx + 6}" y2="${a}" stroke="black"/>`,
        `<line x1="${cx - 6}" y1="${c}" x2="${cx + 6}" y2="${c}" stroke="black"/>`,
      );
    }
    parts.push(`<text x="${cx}" y="${top - 6}" text-anchor="middle">${label(b.value)}</text>`);
    parts.push(`<text x="${cx}" y="${y0 + 16}" text-anchor="middle" font-size="11">${esc(b.label)}</text>`);
  });
  (opts.lines ?? []).forEach((l, i) => {
    const y = project(ay, l.value, y0, y1);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#d62728" stroke-dasharray="6 4"/>`,
      `<text x="${x1 + 8}" y="${y + 4 + i * 0}" fill="#d62728">${esc(l.label)}</text>`,
    );
  });
  return frame(opts.title, '', opts.yLabel, parts.join('\n'));
}
