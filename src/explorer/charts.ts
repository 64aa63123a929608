/**
 * Hand-written inline SVG charts: a line (block interval, difficulty, a balance) and bars
 * (transfers per block, a fee-rate histogram). Colours come from CSS classes, so they follow
 * the theme. Every chart names its unit under its title, and puts its axis range on the figure
 * (`data-axis-min`, `data-axis-max`) for tests and tools.
 */
import { h, svg } from './dom.js';

export interface Series {
  readonly title: string;
  /** x labels (block heights), same length as values. */
  readonly heights: readonly number[];
  readonly values: readonly number[];
  readonly format: (v: number) => string;
  readonly kind: 'line' | 'bars';
  /** What the values are in, shown under the title. */
  readonly unit: string;
  /** x labels instead of `#height` (a histogram's buckets): the first and last are drawn. */
  readonly labels?: readonly string[];
}

const W = 320;
const H = 130;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

export function chart(series: Series): HTMLElement {
  const { values, heights } = series;
  const fig = h('figure', { class: 'chart', 'data-chart': series.title });
  fig.appendChild(h('figcaption', {}, series.title, ' ', h('span', { class: 'unit' }, `(${series.unit})`)));
  if (values.length === 0) {
    fig.appendChild(h('p', { class: 'muted' }, 'not enough blocks yet'));
    return fig;
  }
  const max = Math.max(...values);
  const min = series.kind === 'bars' ? 0 : Math.min(...values);
  const span = max - min || Math.abs(max) || 1;
  const lo = series.kind === 'bars' ? 0 : min - span * 0.1;
  const hi = max + span * 0.1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (values.length === 1 ? plotW / 2 : (i * plotW) / (values.length - 1));
  const y = (v: number): number => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  fig.dataset.axisMin = String(lo);
  fig.dataset.axisMax = String(hi);
  const xLabel = (i: number): string => series.labels?.[i] ?? `#${heights[i]}`;

  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': series.title,
    preserveAspectRatio: 'none',
  });
  root.appendChild(
    svg(
      'title',
      {},
      `${series.title}: ${values.length} blocks, min ${series.format(Math.min(...values))}, max ${series.format(max)}`,
    ),
  );
  // Axes and the max/min labels.
  root.appendChild(svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }));
  root.appendChild(
    svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top + plotH, x2: W - PAD.right, y2: PAD.top + plotH }),
  );
  // Labels are HTML over the SVG, placed in percent: the SVG stretches to its box
  // (preserveAspectRatio none), which would stretch SVG text with it.
  const ticks: HTMLElement[] = [tick(PAD.left - 4, y(max), 'y', series.format(max))];
  if (series.kind === 'line' && max !== min) ticks.push(tick(PAD.left - 4, y(min), 'y', series.format(min)));
  if (series.kind === 'bars') ticks.push(tick(PAD.left - 4, PAD.top + plotH, 'y', '0'));
  ticks.push(tick(PAD.left, PAD.top + plotH + 4, 'x-start', xLabel(0)));
  ticks.push(tick(W - PAD.right, PAD.top + plotH + 4, 'x-end', xLabel(values.length - 1)));

  if (series.kind === 'line') {
    const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    root.appendChild(svg('polyline', { class: 'line', points }));
    values.forEach((v, i) => {
      root.appendChild(
        svg(
          'circle',
          { class: 'dot', cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2 },
          svg('title', {}, `${xLabel(i)}: ${series.format(v)}`),
        ),
      );
    });
  } else {
    const slot = plotW / values.length;
    const bw = Math.max(1, slot * 0.7);
    values.forEach((v, i) => {
      const top = y(v);
      root.appendChild(
        svg(
          'rect',
          {
            class: 'bar',
            x: (PAD.left + i * slot + (slot - bw) / 2).toFixed(1),
            y: top.toFixed(1),
            width: bw.toFixed(1),
            height: Math.max(0, PAD.top + plotH - top).toFixed(1),
          },
          svg('title', {}, `${xLabel(i)}: ${series.format(v)}`),
        ),
      );
    });
  }
  fig.appendChild(h('div', { class: 'plot' }, root, ...ticks));
  return fig;
}

/** An axis label at (x, y) in the SVG's coordinates: `y` labels end left of x, centred on y. */
function tick(x: number, y: number, kind: 'y' | 'x-start' | 'x-end', text: string): HTMLElement {
  const el = h('span', { class: `tick ${kind}` }, text);
  // Through the CSSOM: the page's CSP refuses style attributes.
  el.style.left = `${((x / W) * 100).toFixed(2)}%`;
  el.style.top = `${((y / H) * 100).toFixed(2)}%`;
  return el;
}
