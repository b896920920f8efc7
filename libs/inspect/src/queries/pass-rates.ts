import type { QuestionTally, Store } from '@sieve/store';

/** One question's outcome in a sample run (and, for a dataset, how many of its samples were kept). */
export interface QuestionPass extends QuestionTally {
  /** correct / samples. */
  passRate: number;
}

const withRate = (t: QuestionTally): QuestionPass => ({ ...t, passRate: t.samples > 0 ? t.correct / t.samples : 0 });

/** Per question of a sample run: samples and correct ones under `verifier` (one row per question). */
export function runPassRates(store: Store, runId: number, verifier: string): QuestionPass[] {
  return store.verdicts.tallyByQuestion(runId, verifier).map(withRate);
}

/** Per question of a dataset: its items, the correct ones (verdicts of their samples) and the kept ones. */
export function datasetPassRates(store: Store, datasetId: number, verifier: string): QuestionPass[] {
  return store.datasets.tallyByQuestion(datasetId, verifier).map(withRate);
}

export type PassOrder = 'hardest' | 'easiest' | 'id';

/** Hardest: lowest pass rate first, then more samples (stronger evidence), then id. Easiest: the reverse rate order. */
export function sortPasses(rows: readonly QuestionPass[], order: PassOrder): QuestionPass[] {
  const out = [...rows];
  if (order === 'id') return out.sort((a, b) => a.questionId - b.questionId);
  const sign = order === 'hardest' ? 1 : -1;
  return out.sort((a, b) => sign * (a.passRate - b.passRate) || b.samples - a.samples || a.questionId - b.questionId);
}

/** Index c = questions with exactly c correct samples (length = most samples of a question + 1). */
export function correctHistogram(rows: readonly QuestionPass[]): number[] {
  const most = Math.max(0, ...rows.map((r) => r.samples));
  const hist = new Array<number>(most + 1).fill(0);
  for (const r of rows) hist[r.correct] = (hist[r.correct] ?? 0) + 1;
  return hist;
}
