import type { DatasetRow, Store } from '@sieve/store';
import type { DatasetSummary } from './types';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A histogram given as an array ([questions with 0 correct, with 1, …]) or a record {"0": n, "3": m}. */
function histogramFrom(v: unknown): number[] | null {
  if (Array.isArray(v)) return v.every((x) => num(x) !== null && x >= 0) ? (v as number[]) : null;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.every(([k, x]) => /^\d+$/.test(k) && num(x) !== null && (x as number) >= 0)) return null;
    const out: number[] = [];
    for (const [k, x] of entries) out[Number(k)] = x as number;
    return Array.from(out, (x) => x ?? 0);
  }
  return null;
}

/** Questions, samples and the correct-per-question histogram from the dataset's sample run and verdicts. */
function fromSampleRun(store: Store, runId: number, verifier: string | null): { questions: number; samples: number; correctPerQuestion: number[] } {
  const perQuestion = store.verdicts.correctByQuestion(runId, verifier);
  const hist: number[] = [];
  for (const r of perQuestion) hist[r.correct] = (hist[r.correct] ?? 0) + 1;
  return {
    questions: perQuestion.length,
    samples: perQuestion.reduce((a, r) => a + r.samples, 0),
    correctPerQuestion: Array.from(hist, (x) => x ?? 0),
  };
}

/**
 * Summary of one dataset. The filter stage's `stats` JSON wins where it has the key
 * (`questions`, `samples`, `acceptanceRate`, `correctPerQuestion`); otherwise the numbers are
 * computed from the dataset's items and, when it has one, its sample run and verdicts
 * (counted with `rules.verifier` when that is set, else any verifier's "correct").
 */
export function summarizeDataset(store: Store, d: DatasetRow): DatasetSummary {
  const counts = store.datasets.itemCounts(d.id);
  const kept = counts.kept;
  const dropped = counts.items - counts.kept;
  const verifier = typeof d.rules.verifier === 'string' ? d.rules.verifier : null;
  const run = d.sampleRunId !== null ? fromSampleRun(store, d.sampleRunId, verifier) : null;
  const samples = num(d.stats.samples) ?? run?.samples ?? kept + dropped;
  const drops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(store.datasets.dropCounts(d.id))) drops[reason === 'null' ? 'unspecified' : reason] = n;
  return {
    name: d.name,
    version: d.version,
    kind: d.kind,
    questions: num(d.stats.questions) ?? run?.questions ?? (store.datasets.questionCount(d.id) || null),
    samples,
    kept,
    dropped,
    acceptanceRate: num(d.stats.acceptanceRate) ?? (samples > 0 ? kept / samples : null),
    correctPerQuestion: histogramFrom(d.stats.correctPerQuestion) ?? run?.correctPerQuestion ?? null,
    drops,
  };
}

/** The datasets named (latest version of each), or the latest of every name plus every version a training run used. */
export function pickDatasets(store: Store, names: readonly string[] | undefined, usedIds: ReadonlySet<number>): DatasetRow[] {
  const all = store.datasets.list();
  if (names) return names.map((n) => store.datasets.byName(n)).filter((d): d is DatasetRow => d !== undefined);
  const latest = new Map<string, number>();
  for (const d of all) latest.set(d.name, Math.max(latest.get(d.name) ?? 0, d.version));
  return all.filter((d) => latest.get(d.name) === d.version || usedIds.has(d.id));
}
