import { barChart, type BarGroup } from '../svg/bar-chart';
import { histogram, type HistogramSeries } from '../svg/histogram';
import { lineChart } from '../svg/line-chart';
import { colorAt } from '../svg/frame';
import { avgLabel } from './format';
import type { ReportData } from './types';

export interface Figure {
  file: string;
  title: string;
  svg: string;
}

/** The report's figure files and their captions, in reading order. */
export const FIGURE_TITLES: Readonly<Record<string, string>> = {
  'accuracy.svg': 'Accuracy per method and split',
  'loss.svg': 'Training loss',
  'ce.svg': 'Cross-entropy on training batches',
  'mean-p.svg': 'Mean p(y_t) of response tokens',
  'p-hist.svg': 'p(y_t) histograms, start vs end of training',
};

const fig = (file: string, svg: string): Figure => ({ file, title: FIGURE_TITLES[file] ?? file, svg });

/** One colour per method across every figure (as in the accuracy bars); seeds differ by dash. */
const methodColor = (data: ReportData, method: string): string => colorAt(Math.max(0, data.methods.indexOf(method)));
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3'];

function curveChart(data: ReportData, key: 'loss' | 'ce' | 'meanP', title: string, yLabel: string): string {
  return lineChart({
    title,
    xLabel: 'step',
    yLabel,
    series: data.curves.map((c) => {
      const nth = data.curves.filter((o) => o.method === c.method).indexOf(c);
      return {
        name: `${c.method} seed ${c.seed}`,
        color: methodColor(data, c.method),
        dash: DASHES[nth % DASHES.length],
        points: c.points.map((p) => [p.step, p[key] ?? NaN] as [number, number]),
      };
    }),
  });
}

function accuracyChart(data: ReportData): string {
  const groups: BarGroup[] = [];
  const avg = avgLabel(data);
  for (const s of data.splits) {
    for (const metric of ['avgAtN', 'greedy'] as const) {
      groups.push({
        label: `${s.label} · ${metric === 'avgAtN' ? avg : 'greedy'}`,
        bars: data.methods.map((method) => {
          const ci = data.rows.find((r) => r.method === method && r.set === s.set && r.split === s.split)?.[metric] ?? null;
          // Accuracies live in [0, 1]; a t interval over few seeds can overshoot, so its bar is clipped (the tables keep it whole).
          return ci && ci.n > 1 ? { name: method, value: ci.mean, lo: Math.max(0, ci.lo), hi: Math.min(1, ci.hi) } : { name: method, value: ci ? ci.mean : NaN };
        }),
      });
    }
  }
  return barChart({ title: `Accuracy (mean over seeds, ${Math.round(data.level * 100)}% t interval clipped to [0, 1])`, yLabel: 'accuracy', groups });
}

/** Start of training pooled over methods (same base model), then each method's end of training. */
function pHistChart(data: ReportData): string {
  const starts = data.pHists.map((h) => h.start).filter((s): s is number[] => s !== null);
  const sameBins = starts.every((s) => s.length === starts[0]?.length);
  const series: HistogramSeries[] = [];
  if (starts.length && sameBins) series.push({ name: 'start (all methods)', color: '#999999', bins: starts.reduce((a, b) => a.map((x, i) => x + (b[i] ?? 0))) });
  else for (const h of data.pHists) if (h.start) series.push({ name: `${h.method} start`, bins: h.start });
  for (const h of data.pHists) if (h.end) series.push({ name: `${h.method} end`, color: methodColor(data, h.method), bins: h.end });
  return histogram({ title: 'p(y_t) of response tokens, start vs end of training', xLabel: 'p(y_t)', yLabel: 'fraction of tokens', range: [0, 1], normalize: true, series });
}

/** Every figure of the report; each is always produced (a "no data" chart at worst) so links never dangle. */
export function buildFigures(data: ReportData): Figure[] {
  return [
    fig('accuracy.svg', accuracyChart(data)),
    fig('loss.svg', curveChart(data, 'loss', 'Training loss (each method’s own objective)', 'loss')),
    fig('ce.svg', curveChart(data, 'ce', 'Cross-entropy −mean log p(y_t) on training batches', 'cross-entropy')),
    fig('mean-p.svg', curveChart(data, 'meanP', 'Mean p(y_t) of response tokens', 'mean p(y_t)')),
    fig('p-hist.svg', pHistChart(data)),
  ];
}
