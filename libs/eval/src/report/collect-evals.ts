import type { EvaluationRow, ModelRow, TrainingRunRow } from '@sieve/store';
import { meanCI, pairedDiffCI, type CI } from '../stats';
import type { ComparisonRow, PairedComparison, SplitKey } from './types';

/** One evaluated model on one split, attributed to a method (and a seed for trained models). */
export interface AttributedEval {
  method: string;
  seed: number | null;
  eval: EvaluationRow;
}

/**
 * Maps each evaluation to its method: a base model is `base`; a trained model is the method of the
 * training run whose out_model_id it is; any other model is named by its id. Only the latest
 * evaluation of a (model, set, split) counts, so a re-evaluation replaces the old one.
 */
export function attributeEvaluations(evals: readonly EvaluationRow[], models: readonly ModelRow[], runs: readonly TrainingRunRow[]): AttributedEval[] {
  const kind = new Map(models.map((m) => [m.id, m.kind]));
  const runOf = new Map<string, TrainingRunRow>();
  for (const r of runs) if (r.outModelId !== null) runOf.set(r.outModelId, r); // later runs win
  const latest = new Map<string, EvaluationRow>();
  for (const e of evals) {
    const key = JSON.stringify([e.modelId, e.set, e.split]);
    const prev = latest.get(key);
    if (!prev || prev.id < e.id) latest.set(key, e);
  }
  return [...latest.values()]
    .sort((a, b) => a.id - b.id)
    .map((e) => {
      if (kind.get(e.modelId) === 'base') return { method: 'base', seed: null, eval: e };
      const run = runOf.get(e.modelId);
      return run ? { method: run.method, seed: run.seed, eval: e } : { method: e.modelId, seed: null, eval: e };
    });
}

const SPLIT_ORDER = ['train', 'id', 'test', 'ood'];

/** Distinct (set, split) pairs, in-distribution before out-of-distribution, each labelled by `benchmarkLabel`. */
export function splitsOf(items: readonly AttributedEval[]): SplitKey[] {
  const seen = new Map<string, { set: string; split: string }>();
  for (const { eval: e } of items) seen.set(JSON.stringify([e.set, e.split]), { set: e.set, split: e.split });
  const rank = (s: string): number => {
    const i = SPLIT_ORDER.indexOf(s);
    return i < 0 ? SPLIT_ORDER.length : i;
  };
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...seen.values()].sort((a, b) => cmp(a.set, b.set) || rank(a.split) - rank(b.split) || cmp(a.split, b.split));
  return list.map((s) => ({ ...s, label: benchmarkLabel(list, s) }));
}

/**
 * What a table calls a benchmark: its split when one set is evaluated (test, ood), its set when
 * every set is evaluated on one split (MATH500, AIME24), else set/split.
 */
export function benchmarkLabel(all: readonly { set: string; split: string }[], s: { set: string; split: string }): string {
  const sets = new Set(all.map((x) => x.set));
  if (sets.size <= 1) return s.split;
  return sets.size === all.length ? s.set : `${s.set}/${s.split}`;
}

const ciOf = (values: number[], level: number): CI | null => (values.length ? meanCI(values, level) : null);
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** One row per method × split; cells without evaluations are null (rendered "—"). */
export function comparisonRows(items: readonly AttributedEval[], methods: readonly string[], splits: readonly SplitKey[], knownSeeds: ReadonlyMap<string, number[]>, level: number): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const splitList = splits.length ? splits : [{ set: '', split: '—', label: '—' }];
  for (const method of methods) {
    for (const s of splitList) {
      const cell = items.filter((x) => x.method === method && x.eval.set === s.set && x.eval.split === s.split);
      const ks = [...new Set(cell.flatMap((x) => Object.keys(x.eval.passAtK)))].sort((a, b) => Number(a) - Number(b));
      const passAtK: Record<string, CI> = {};
      for (const k of ks) {
        const ci = ciOf(cell.map((x) => x.eval.passAtK[k]).filter(finite), level);
        if (ci) passAtK[k] = ci;
      }
      const ns = [...new Set(cell.map((x) => x.eval.n))];
      const qs = [...new Set(cell.map((x) => x.eval.questions))];
      const seeds = cell.length ? cell.map((x) => x.seed).filter((v): v is number => v !== null) : (knownSeeds.get(method) ?? []);
      rows.push({
        method,
        set: s.set,
        split: s.split,
        seeds: [...new Set(seeds)].sort((a, b) => a - b),
        models: cell.length,
        n: ns.length === 1 ? (ns[0] ?? null) : null,
        questions: qs.length === 1 ? (qs[0] ?? null) : null,
        avgAtN: ciOf(cell.map((x) => x.eval.avgAtN).filter(finite), level),
        greedy: ciOf(cell.map((x) => x.eval.greedy).filter(finite), level),
        passAtK,
      });
    }
  }
  return rows;
}

/** method − baseline on avg@N and greedy, over the seeds both have, for every trained method and split. */
export function pairedComparisons(items: readonly AttributedEval[], methods: readonly string[], baseline: string, splits: readonly SplitKey[], level: number): PairedComparison[] {
  const out: PairedComparison[] = [];
  const bySeed = (method: string, s: SplitKey, metric: 'avgAtN' | 'greedy'): Map<number, number> => {
    const m = new Map<number, number>();
    for (const x of items) {
      const v = x.eval[metric];
      if (x.method === method && x.seed !== null && x.eval.set === s.set && x.eval.split === s.split && finite(v)) m.set(x.seed, v);
    }
    return m;
  };
  for (const method of methods) {
    if (method === baseline || method === 'base') continue;
    for (const s of splits) {
      for (const metric of ['avgAtN', 'greedy'] as const) {
        const a = bySeed(method, s, metric);
        const b = bySeed(baseline, s, metric);
        const seeds = [...a.keys()].filter((k) => b.has(k)).sort((x, y) => x - y);
        if (!seeds.length) continue;
        const diff = pairedDiffCI(
          seeds.map((k) => a.get(k) ?? NaN),
          seeds.map((k) => b.get(k) ?? NaN),
          level,
        );
        out.push({ method, baseline, set: s.set, split: s.split, metric, seeds, diff });
      }
    }
  }
  return out;
}
