import { attrs, escapeXml, fmt, textEl, truncate } from './xml';
import { linear, niceTicks, tickLabel, type Ticks } from './scale';

/** Shared layout of every chart: title on top, plot area, legend on the right. */
export const WIDTH = 720;
export const HEIGHT = 420;
export const PLOT = { left: 68, right: WIDTH - 176, top: 44, bottom: HEIGHT - 56 };

/** Tableau-10: distinguishable, colour-blind friendlier than defaults. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000';

const FONT = { 'font-family': 'system-ui, sans-serif', 'font-size': 12 };

export function svgDocument(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title, ...FONT })}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect${attrs({ x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: '#ffffff' })}/>`,
    textEl(truncate(title, 90), { x: WIDTH / 2, y: 24, 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export interface Axis {
  ticks: Ticks;
  /** Data value → pixel. */
  at: (v: number) => number;
}

export function xAxis(lo: number, hi: number, target = 6): Axis {
  const ticks = niceTicks(lo, hi, target);
  return { ticks, at: linear(ticks.lo, ticks.hi, PLOT.left, PLOT.right) };
}

export function yAxis(lo: number, hi: number, target = 5): Axis {
  const ticks = niceTicks(lo, hi, target);
  return { ticks, at: linear(ticks.lo, ticks.hi, PLOT.bottom, PLOT.top) };
}

/** Grid lines, tick labels and axis titles. `x` may be null when the x axis is categorical. */
export function drawAxes(x: Axis | null, y: Axis, xLabel: string, yLabel: string): string[] {
  const out: string[] = [];
  for (const v of y.ticks.values) {
    const py = y.at(v);
    out.push(`<line${attrs({ x1: PLOT.left, x2: PLOT.right, y1: py, y2: py, stroke: '#e5e5e5' })}/>`);
    out.push(textEl(tickLabel(v, y.ticks.step), { x: PLOT.left - 6, y: py + 4, 'text-anchor': 'end', fill: '#444' }));
  }
  if (x) {
    for (const v of x.ticks.values) {
      const px = x.at(v);
      out.push(`<line${attrs({ x1: px, x2: px, y1: PLOT.bottom, y2: PLOT.bottom + 5, stroke: '#444' })}/>`);
      out.push(textEl(tickLabel(v, x.ticks.step), { x: px, y: PLOT.bottom + 18, 'text-anchor': 'middle', fill: '#444' }));
    }
  }
  out.push(`<line${attrs({ x1: PLOT.left, x2: PLOT.right, y1: PLOT.bottom, y2: PLOT.bottom, stroke: '#444' })}/>`);
  out.push(`<line${attrs({ x1: PLOT.left, x2: PLOT.left, y1: PLOT.top, y2: PLOT.bottom, stroke: '#444' })}/>`);
  out.push(textEl(truncate(xLabel, 80), { x: (PLOT.left + PLOT.right) / 2, y: HEIGHT - 14, 'text-anchor': 'middle' }));
  const cy = (PLOT.top + PLOT.bottom) / 2;
  out.push(textEl(truncate(yLabel, 50), { x: 18, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 18 ${fmt(cy)})` }));
  return out;
}

export interface LegendEntry {
  name: string;
  color: string;
  /** Greyed-out entry, e.g. a series without data. */
  muted?: boolean;
  /** Draw a line sample (with this dash pattern, '' for solid) instead of a swatch. */
  line?: string;
}

/** Entries stacked at the right of the plot; what does not fit is counted as "+N more". */
export function drawLegend(entries: readonly LegendEntry[]): string[] {
  const out: string[] = [];
  const x = PLOT.right + 16;
  const rowH = 18;
  const fit = Math.floor((PLOT.bottom - PLOT.top) / rowH);
  const shown = entries.length > fit ? entries.slice(0, fit - 1) : entries;
  shown.forEach((e, i) => {
    const y = PLOT.top + 6 + i * rowH;
    const opacity = e.muted ? 0.35 : undefined;
    if (e.line === undefined) out.push(`<rect${attrs({ x, y: y - 9, width: 14, height: 10, fill: e.color, opacity })}/>`);
    else out.push(`<line${attrs({ x1: x - 2, x2: x + 16, y1: y - 4, y2: y - 4, stroke: e.color, 'stroke-width': 2, 'stroke-dasharray': e.line || undefined, opacity })}/>`);
    out.push(textEl(truncate(e.name, 22), { x: x + 20, y, fill: e.muted ? '#999' : '#222' }));
  });
  if (shown.length < entries.length) {
    out.push(textEl(`+${entries.length - shown.length} more`, { x: x + 20, y: PLOT.top + 6 + shown.length * rowH, fill: '#666' }));
  }
  return out;
}

export function noData(message = 'no data'): string {
  return textEl(message, { x: (PLOT.left + PLOT.right) / 2, y: (PLOT.top + PLOT.bottom) / 2, 'text-anchor': 'middle', fill: '#888', 'font-size': 14 });
}
