import type { MetricRow, TrainingRunRow } from '@sieve/store';
import type { CurvePoint, TokenProbHistograms, TrainingCurve } from './types';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function curveOf(run: TrainingRunRow, metrics: readonly MetricRow[]): TrainingCurve {
  const points: CurvePoint[] = metrics
    .filter((m) => m.kind === 'train')
    .map((m) => {
      const v = m.values as Record<string, unknown>;
      return { step: m.step, loss: num(v.loss), ce: num(v.ce), meanP: num(v.meanP) };
    });
  return { method: run.method, seed: run.seed, runName: run.name, status: run.status, points };
}

/** Bin counts from a logged `pHist`: an array of counts, or a histogram object `{ edges, counts }`. */
export function pHistCounts(v: unknown): number[] | null {
  const arr = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { counts?: unknown }).counts) ? (v as { counts: unknown[] }).counts : null;
  if (!arr || arr.length === 0) return null;
  return arr.every((x) => num(x) !== null && (x as number) >= 0) ? (arr as number[]) : null;
}

/** The first and last logged p(y_t) histograms of one run, if it logged any. */
export function runPHists(metrics: readonly MetricRow[]): { start: number[]; end: number[]; startStep: number; endStep: number } | null {
  const logged = metrics
    .map((m) => ({ step: m.step, counts: pHistCounts((m.values as Record<string, unknown>).pHist) }))
    .filter((x): x is { step: number; counts: number[] } => x.counts !== null);
  const first = logged[0];
  const last = logged[logged.length - 1];
  if (!first || !last) return null;
  return { start: first.counts, end: last.counts, startStep: first.step, endStep: last.step };
}

const add = (a: number[] | null, b: number[]): number[] => (a ? a.map((x, i) => x + (b[i] ?? 0)) : [...b]);

/**
 * Sums each method's per-seed start and end histograms. A run whose bin count differs from
 * the method's first one is left out, with a note.
 */
export function methodPHists(
  method: string,
  runs: readonly { seed: number; name: string; hists: NonNullable<ReturnType<typeof runPHists>> }[],
  notes: string[],
): TokenProbHistograms | null {
  let out: TokenProbHistograms | null = null;
  for (const r of runs) {
    if (out?.start && out.start.length !== r.hists.start.length) {
      notes.push(`p(y_t) histogram of run ${r.name} has ${r.hists.start.length} bins, not ${out.start.length}: left out of ${method}'s histogram`);
      continue;
    }
    if (r.hists.start.length !== r.hists.end.length) {
      notes.push(`run ${r.name} logged p(y_t) histograms with different bin counts at its first and last step: left out`);
      continue;
    }
    out ??= { method, seeds: [], start: null, end: null, startSteps: [], endSteps: [] };
    out.seeds.push(r.seed);
    out.start = add(out.start, r.hists.start);
    out.end = add(out.end, r.hists.end);
    out.startSteps.push(r.hists.startStep);
    out.endSteps.push(r.hists.endStep);
  }
  return out;
}
