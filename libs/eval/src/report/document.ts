import { DASH, avgLabel, fmtCI, fmtInterval, fmtNum, fmtPct, histMean, lastOf, seedsText, splitLabel, textHistogram } from './format';
import type { ReportData } from './types';

/**
 * The report as a list of plain-text blocks, rendered by both the Markdown and the HTML writer
 * (each escapes for its own format), so the two always say the same thing.
 */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'pre'; lines: string[] }
  | { kind: 'figure'; file: string }
  | { kind: 'list'; items: string[] };

const pctLevel = (data: ReportData): string => `${Math.round(data.level * 100)}%`;

function header(data: ReportData): Block[] {
  const meta: [string, string | null][] = [
    ['created', data.createdAt],
    ['command', data.command],
    ['machine', data.machine],
    ['commit', data.commit],
  ];
  return [
    { kind: 'heading', level: 1, text: `sieve report: ${data.runName}` },
    { kind: 'table', head: ['', ''], rows: meta.filter((m): m is [string, string] => m[1] !== null) },
  ];
}

function comparison(data: ReportData): Block[] {
  const avg = avgLabel(data);
  const out: Block[] = [
    { kind: 'heading', level: 2, text: 'Comparison' },
    {
      kind: 'paragraph',
      text: `Mean over seeds ± the half-width of a ${pctLevel(data)} Student-t interval (one evaluated model per seed; n=1 has no interval). ${avg}: accuracy averaged over N samples at temperature 1; greedy: greedy-decoding accuracy; pass@k: unbiased estimator.${data.methods.includes('sft') ? ' sft is the RFT baseline: the plain SFT loss on the RFT dataset.' : ''}`,
    },
    {
      kind: 'table',
      head: ['method', 'seeds', 'split', avg, 'greedy', ...data.passKs.map((k) => `pass@${k}`)],
      rows: data.rows.map((r) => [r.method, seedsText(r), splitLabel(data, r), fmtCI(r.avgAtN), fmtCI(r.greedy), ...data.passKs.map((k) => fmtCI(r.passAtK[String(k)]))]),
    },
  ];
  out.push(...perBenchmark(data));
  if (data.comparisons.length && data.baseline) {
    out.push(
      { kind: 'heading', level: 3, text: `Paired differences against ${data.baseline}` },
      { kind: 'paragraph', text: `Per-seed difference method − ${data.baseline} on the seeds both have; "clear of zero" when the ${pctLevel(data)} interval excludes 0.` },
      {
        kind: 'table',
        head: ['method', 'split', 'metric', 'mean difference', `${pctLevel(data)} interval`, 'seeds', 'clear of zero'],
        rows: data.comparisons.map((c) => [
          c.method,
          splitLabel(data, c),
          c.metric === 'avgAtN' ? avg : 'greedy',
          fmtNum(c.diff.mean),
          c.diff.n > 1 ? fmtInterval(c.diff) : DASH,
          c.seeds.join(', '),
          c.diff.n < 2 ? 'n/a (1 seed)' : c.diff.clearOfZero ? 'yes' : 'no',
        ]),
      },
    );
  }
  out.push({ kind: 'figure', file: 'accuracy.svg' });
  return out;
}

/** The paper's tables: rows = methods, columns = benchmarks + their average; only when there are two or more benchmarks. */
function perBenchmark(data: ReportData): Block[] {
  const tables = data.benchmarks.filter((t) => t.benchmarks.length > 1);
  if (!tables.length) return [];
  const out: Block[] = [
    { kind: 'heading', level: 3, text: 'Per benchmark' },
    {
      kind: 'paragraph',
      text: `One column per evaluated benchmark (question set or split) and avg, their unweighted mean: per model (seed) the mean over the benchmarks, then mean ± the ${pctLevel(data)} half-width over the seeds.`,
    },
  ];
  for (const t of tables) {
    out.push({ kind: 'paragraph', text: t.metric === 'avgAtN' ? `${avgLabel(data)} per benchmark:` : 'Greedy accuracy per benchmark:' });
    out.push({
      kind: 'table',
      head: ['method', 'seeds', ...t.benchmarks.map((b) => b.label), 'avg'],
      rows: t.rows.map((r) => [r.method, seedsText(r), ...r.cells.map(fmtCI), fmtCI(r.avg)]),
    });
  }
  return out;
}

function datasets(data: ReportData): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 2, text: 'Datasets' }];
  if (!data.datasets.length) out.push({ kind: 'paragraph', text: DASH });
  for (const d of data.datasets) {
    out.push(
      { kind: 'heading', level: 3, text: `${d.name} v${d.version} (${d.kind})` },
      {
        kind: 'table',
        head: ['questions', 'samples', 'kept', 'dropped', 'acceptance rate'],
        rows: [[fmtNum(d.questions, 0), fmtNum(d.samples, 0), String(d.kept), String(d.dropped), fmtPct(d.acceptanceRate)]],
      },
    );
    if (d.correctPerQuestion) {
      out.push({ kind: 'paragraph', text: 'Questions by number of correct samples (correct samples │ questions):' }, { kind: 'pre', lines: textHistogram(d.correctPerQuestion) });
    }
    const drops = Object.entries(d.drops);
    if (drops.length) {
      out.push({ kind: 'paragraph', text: 'Dropped samples per reason:' }, { kind: 'table', head: ['reason', 'dropped'], rows: drops.map(([r, n]) => [r, String(n)]) });
    }
  }
  return out;
}

function training(data: ReportData): Block[] {
  const out: Block[] = [
    { kind: 'heading', level: 2, text: 'Training' },
    { kind: 'figure', file: 'loss.svg' },
    { kind: 'figure', file: 'ce.svg' },
    { kind: 'figure', file: 'mean-p.svg' },
  ];
  if (data.curves.length) {
    out.push({
      kind: 'table',
      head: ['method', 'seed', 'run', 'status', 'last step', 'final loss', 'final ce', 'final mean p'],
      rows: data.curves.map((c) => [
        c.method,
        String(c.seed),
        c.runName,
        c.status,
        c.points.length ? String(c.points[c.points.length - 1]?.step) : DASH,
        fmtNum(lastOf(c.points, 'loss')),
        fmtNum(lastOf(c.points, 'ce')),
        fmtNum(lastOf(c.points, 'meanP')),
      ]),
    });
  }
  out.push({ kind: 'heading', level: 3, text: 'Token probabilities p(y_t)' }, { kind: 'figure', file: 'p-hist.svg' });
  if (data.pHists.length) {
    out.push({
      kind: 'table',
      head: ['method', 'seeds', 'mean p at start (from bins)', 'mean p at end (from bins)', 'steps'],
      rows: data.pHists.map((h) => [h.method, h.seeds.join(', '), fmtNum(histMean(h.start)), fmtNum(histMean(h.end)), `${h.startSteps.join('/')} → ${h.endSteps.join('/')}`]),
    });
  }
  return out;
}

export function reportDocument(data: ReportData): Block[] {
  const out = [...header(data), ...comparison(data), ...datasets(data), ...training(data)];
  if (data.notes.length) out.push({ kind: 'heading', level: 2, text: 'Notes' }, { kind: 'list', items: data.notes });
  return out;
}
