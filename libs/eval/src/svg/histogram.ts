import { InputError } from '@sieve/core';
import { attrs, fmt } from './xml';
import { colorAt, drawAxes, drawLegend, noData, svgDocument, xAxis, yAxis, type LegendEntry } from './frame';

export interface HistogramSeries {
  name: string;
  /** Counts or densities of equal-width bins over the chart's range. */
  bins: readonly number[];
  /** CSS colour; default: the palette by series index. */
  color?: string;
}

export interface HistogramSpec {
  title: string;
  /** A single histogram (drawn first, unnamed unless `name` is given). */
  bins?: readonly number[];
  name?: string;
  /** Further histograms overlaid on the same axes; each may have its own bin count. */
  series?: readonly HistogramSeries[];
  range: readonly [number, number];
  xLabel?: string;
  yLabel?: string;
  /** Divide each series by its total so histograms of different sizes compare (y = fraction). */
  normalize?: boolean;
}

function check(spec: HistogramSpec, all: readonly HistogramSeries[]): void {
  const [lo, hi] = spec.range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
    throw new InputError(`histogram range must be finite with hi > lo, got [${lo}, ${hi}]`, { where: `@sieve/eval histogram "${spec.title}"`, hint: 'e.g. range [0, 1] for probabilities' });
  }
  for (const s of all) {
    const bad = s.bins.findIndex((v) => !(Number.isFinite(v) && v >= 0));
    if (bad >= 0) {
      throw new InputError(`bin ${bad} of "${s.name}" is ${s.bins[bad]}: bins must be finite and ≥ 0`, {
        where: `@sieve/eval histogram "${spec.title}"`,
        hint: 'pass counts or densities',
      });
    }
  }
}

/** Overlaid step histograms (outline + light fill) over a fixed x range, as an SVG string. */
export function histogram(spec: HistogramSpec): string {
  const all: HistogramSeries[] = [...(spec.bins ? [{ name: spec.name ?? '', bins: spec.bins }] : []), ...(spec.series ?? [])];
  check(spec, all);
  const shown = all.map((s) => {
    const total = s.bins.reduce((a, b) => a + b, 0);
    return { name: s.name, color: s.color, bins: spec.normalize && total > 0 ? s.bins.map((v) => v / total) : [...s.bins] };
  });
  const [lo, hi] = spec.range;
  const max = Math.max(0, ...shown.flatMap((s) => s.bins));
  const x = xAxis(lo, hi);
  const y = yAxis(0, max > 0 ? max : 1);
  const body = drawAxes(x, y, spec.xLabel ?? '', spec.yLabel ?? (spec.normalize ? 'fraction' : 'count'));
  const legend: LegendEntry[] = [];
  shown.forEach((s, i) => {
    const color = s.color ?? colorAt(i);
    if (s.name !== '' || shown.length > 1) legend.push({ name: s.name, color, muted: s.bins.length === 0 });
    if (s.bins.length === 0) return;
    const w = (hi - lo) / s.bins.length;
    const y0 = fmt(y.at(0));
    const parts = [`M${fmt(x.at(lo))} ${y0}`];
    s.bins.forEach((v, j) => {
      const py = fmt(y.at(v));
      parts.push(`L${fmt(x.at(lo + j * w))} ${py}`, `L${fmt(x.at(lo + (j + 1) * w))} ${py}`);
    });
    parts.push(`L${fmt(x.at(hi))} ${y0} Z`);
    body.push(`<path${attrs({ d: parts.join(' '), fill: color, 'fill-opacity': 0.18, stroke: color, 'stroke-width': 1.6 })}/>`);
  });
  if (shown.every((s) => s.bins.length === 0)) body.push(noData());
  return svgDocument(spec.title, [...body, ...drawLegend(legend)]);
}
