import { attrs, escapeXml, fmt, textEl, truncate } from './xml';
import { PLOT, colorAt, drawAxes, drawLegend, noData, svgDocument, yAxis, type LegendEntry } from './frame';

export interface Bar {
  name: string;
  value: number;
  /** Error bar ends (e.g. a confidence interval); drawn when both are finite. */
  lo?: number;
  hi?: number;
}

export interface BarGroup {
  label: string;
  bars: readonly Bar[];
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  groups: readonly BarGroup[];
}

const isNum = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** Grouped bars with optional error bars; one colour per bar name across groups. A NaN bar shows "—". */
export function barChart(spec: BarChartSpec): string {
  const names: string[] = [];
  for (const g of spec.groups) for (const b of g.bars) if (!names.includes(b.name)) names.push(b.name);
  const values = spec.groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.lo, b.hi].filter(isNum)));
  const legend: LegendEntry[] = names.map((n, i) => ({ name: n, color: colorAt(i) }));
  if (values.length === 0) {
    return svgDocument(spec.title, [...drawAxes(null, yAxis(0, 1), '', spec.yLabel), noData(), ...drawLegend(legend)]);
  }
  const y = yAxis(Math.min(0, ...values), Math.max(0, ...values));
  const body = drawAxes(null, y, '', spec.yLabel);
  const groupW = (PLOT.right - PLOT.left) / spec.groups.length;
  const base = y.at(Math.max(y.ticks.lo, Math.min(0, y.ticks.hi)));
  spec.groups.forEach((g, gi) => {
    const gx = PLOT.left + gi * groupW;
    const inner = groupW * 0.8;
    const barW = inner / Math.max(1, g.bars.length);
    g.bars.forEach((b, bi) => {
      const bx = gx + groupW * 0.1 + bi * barW;
      const cx = bx + barW / 2;
      const color = colorAt(names.indexOf(b.name));
      if (!isNum(b.value)) {
        body.push(textEl('—', { x: cx, y: base - 4, 'text-anchor': 'middle', fill: '#888' }));
        return;
      }
      const top = y.at(b.value);
      body.push(
        `<rect${attrs({ class: 'bar', x: bx + 1, y: Math.min(top, base), width: Math.max(1, barW - 2), height: Math.abs(base - top), fill: color })}><title>${textTitle(g.label, b)}</title></rect>`,
      );
      if (isNum(b.lo) && isNum(b.hi)) {
        const y0 = y.at(b.lo);
        const y1 = y.at(b.hi);
        const cap = Math.min(6, barW / 4);
        const [c, l, r, a, z] = [cx, cx - cap, cx + cap, y0, y1].map(fmt);
        body.push(`<path${attrs({ d: `M${c} ${a} L${c} ${z} M${l} ${a} L${r} ${a} M${l} ${z} L${r} ${z}`, stroke: '#222', 'stroke-width': 1.2, fill: 'none' })}/>`);
      }
    });
    body.push(textEl(truncate(g.label, Math.max(6, Math.floor(groupW / 7))), { x: gx + groupW / 2, y: PLOT.bottom + 18, 'text-anchor': 'middle', fill: '#222' }));
  });
  return svgDocument(spec.title, [...body, ...drawLegend(legend)]);
}

function textTitle(group: string, b: Bar): string {
  const ci = isNum(b.lo) && isNum(b.hi) ? ` [${b.lo.toFixed(3)}, ${b.hi.toFixed(3)}]` : '';
  return escapeXml(`${group} · ${b.name}: ${b.value.toFixed(3)}${ci}`);
}
