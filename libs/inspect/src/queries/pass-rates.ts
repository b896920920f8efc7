import type { Store } from '@sieve/store';

/** One question's outcome in a sample run (and, for a dataset, how many of its samples were kept). */
export interface QuestionPass {
  questionId: number;
  split: string;
  samples: number;
  correct: number;
  /** Kept items of the question in the dataset; null for a bare sample run. */
  kept: number | null;
  /** correct / samples. */
  passRate: number;
}

interface Raw {
  q: number;
  split: string;
  n: number;
  c: number;
  k: number | null;
}

const toPass = (r: Raw): QuestionPass => ({
  questionId: r.q,
  split: r.split,
  samples: r.n,
  correct: r.c,
  kept: r.k,
  passRate: r.n > 0 ? r.c / r.n : 0,
});

/**
 * Per question of a sample run: samples and correct ones under `verifier`. One GROUP BY that
 * walks the (run_id, question_id, sample_index) index and probes verdicts by (sample_id, verifier):
 * the result has one row per question, never one per sample.
 */
export function runPassRates(store: Store, runId: number, verifier: string): QuestionPass[] {
  const rows = store.db
    .prepare(
      `SELECT g.q, q.split, g.n, g.c, NULL AS k FROM (
         SELECT s.question_id AS q, COUNT(*) AS n, COALESCE(SUM(v.status = 'correct'), 0) AS c
         FROM samples s LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
         WHERE s.run_id = @run GROUP BY s.question_id
       ) g JOIN questions q ON q.id = g.q ORDER BY g.q`,
    )
    .all({ run: runId, verifier }) as Raw[];
  return rows.map(toPass);
}

/** Per question of a dataset: its items, the correct ones (verdicts of their samples) and the kept ones. */
export function datasetPassRates(store: Store, datasetId: number, verifier: string): QuestionPass[] {
  const rows = store.db
    .prepare(
      `SELECT g.q, COALESCE(q.split, '') AS split, g.n, g.c, g.k FROM (
         SELECT di.question_id AS q, COUNT(*) AS n, COALESCE(SUM(v.status = 'correct'), 0) AS c, SUM(di.kept) AS k
         FROM dataset_items di LEFT JOIN verdicts v ON v.sample_id = di.sample_id AND v.verifier = @verifier
         WHERE di.dataset_id = @dataset AND di.question_id IS NOT NULL GROUP BY di.question_id
       ) g LEFT JOIN questions q ON q.id = g.q ORDER BY g.q`,
    )
    .all({ dataset: datasetId, verifier }) as Raw[];
  return rows.map(toPass);
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

/** Question texts by id, for the few rows a page or a report shows. */
export function questionTexts(store: Store, ids: readonly number[]): Map<number, string> {
  const stmt = store.db.prepare('SELECT text FROM questions WHERE id = ?').pluck();
  return new Map(ids.map((id) => [id, (stmt.get(id) as string | undefined) ?? '']));
}
