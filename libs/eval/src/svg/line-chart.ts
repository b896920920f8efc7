import { attrs, fmt } from './xml';
import { colorAt, drawAxes, drawLegend, noData, svgDocument, xAxis, yAxis, type LegendEntry } from './frame';

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** CSS colour; default: the palette by series index. */
  color?: string;
  /** SVG stroke-dasharray, e.g. "6 3" (to tell seeds of one method apart). */
  dash?: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Longer series are thinned to this many evenly spaced points (first and last kept). Default 800. */
  maxPoints?: number;
}

const finite = (p: readonly [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);

function thin<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max || max < 2) return items;
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))] as T);
}

/** Splits a series at non-finite points, so a NaN leaves a gap instead of a wrong line. */
function runs(points: readonly (readonly [number, number])[]): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [];
  let cur: (readonly [number, number])[] = [];
  for (const p of points) {
    if (finite(p)) cur.push(p);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A line chart as a self-contained SVG string: axes, ticks, legend; NaN points leave gaps. */
export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((s) => s.points.filter(finite));
  const body: string[] = [];
  const legend: LegendEntry[] = [];
  if (all.length === 0) {
    body.push(...drawAxes(xAxis(0, 1), yAxis(0, 1), spec.xLabel, spec.yLabel), noData());
    spec.series.forEach((s, i) => legend.push({ name: s.name, color: s.color ?? colorAt(i), muted: true, line: s.dash ?? '' }));
    return svgDocument(spec.title, [...body, ...drawLegend(legend)]);
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x = xAxis(Math.min(...xs), Math.max(...xs));
  const y = yAxis(Math.min(...ys), Math.max(...ys));
  body.push(...drawAxes(x, y, spec.xLabel, spec.yLabel));
  spec.series.forEach((s, i) => {
    const color = s.color ?? colorAt(i);
    const segments = runs(thin(s.points, spec.maxPoints ?? 800));
    legend.push({ name: s.name, color, muted: segments.length === 0, line: s.dash ?? '' });
    for (const seg of segments) {
      const first = seg[0];
      if (seg.length === 1 && first) {
        body.push(`<circle${attrs({ cx: x.at(first[0]), cy: y.at(first[1]), r: 2.5, fill: color })}/>`);
        continue;
      }
      const d = seg.map((p, j) => `${j === 0 ? 'M' : 'L'}${fmt(x.at(p[0]))} ${fmt(y.at(p[1]))}`).join(' ');
      body.push(`<path${attrs({ d, fill: 'none', stroke: color, 'stroke-width': 1.6, 'stroke-linejoin': 'round', 'stroke-dasharray': s.dash })}/>`);
    }
  });
  return svgDocument(spec.title, [...body, ...drawLegend(legend)]);
}
