import type { Db } from './db';
import { fromJson, toJson } from './json';

export type VerdictStatus = 'correct' | 'incorrect' | 'unparseable';

export interface VerdictInput {
  sampleId: number;
  verifier: string;
  status: VerdictStatus;
  extracted: string | null;
  reason: string;
  stepsTotal: number;
  stepsWrong: number;
  stepsUnchecked: number;
  detail: Record<string, unknown>;
}

export interface VerdictRow extends VerdictInput {
  id: number;
}

/** A sample joined with its question and its verdict under one verifier (null if not yet verified). */
export interface JudgedSample {
  sampleId: number;
  questionId: number;
  sampleIndex: number;
  text: string;
  tokenCount: number;
  logprobSum: number | null;
  finishReason: 'stop' | 'length';
  questionText: string;
  goldAnswer: string;
  split: string;
  status: VerdictStatus | null;
  extracted: string | null;
  reason: string | null;
  stepsTotal: number | null;
  stepsWrong: number | null;
}

/** A sample still to be judged under a verifier, with the gold answer of its question. */
export interface UnverifiedSample {
  id: number;
  questionId: number;
  text: string;
  goldAnswer: string;
  /** The verifier to judge it by: the one asked for, or its question's own. */
  verifier: string;
}

/** The verifier a question set grades with when none is given: what its import recorded in `meta.verifier`. */
export const DEFAULT_VERIFIER = 'numeric';

/** A question's own verifier: `meta.verifier` (recorded at import), else `numeric`. */
export function questionVerifier(meta: Record<string, unknown>): string {
  const v = meta.verifier;
  return typeof v === 'string' && v !== '' ? v : DEFAULT_VERIFIER;
}

/**
 * Which verdicts a query reads: a verifier's name, or null for each question's own verifier
 * (`questionVerifier`). The SQL of the latter: the same rule on the questions row `q`.
 */
export type VerifierChoice = string | null;
const OWN_VERIFIER_SQL = `CASE WHEN json_type(q.meta, '$.verifier') = 'text' AND json_extract(q.meta, '$.verifier') <> ''
  THEN json_extract(q.meta, '$.verifier') ELSE '${DEFAULT_VERIFIER}' END`;
/** The verifier a row is judged by: `@verifier`, or when that is null the question's own. */
const CHOSEN_SQL = `COALESCE(@verifier, ${OWN_VERIFIER_SQL})`;

/** One question's outcome: samples (or dataset items) and the correct ones among them. */
export interface QuestionTally {
  questionId: number;
  /** The question's split ('' for an item whose question is gone). */
  split: string;
  samples: number;
  correct: number;
  /** Kept items of the question in a dataset; null for a sample run. */
  kept: number | null;
}

/** Per-question columns q, split, n, c, k of the tally queries. */
export interface RawTally {
  q: number;
  split: string;
  n: number;
  c: number;
  k: number | null;
}

export const toTally = (r: RawTally): QuestionTally => ({ questionId: r.q, split: r.split, samples: r.n, correct: r.c, kept: r.k });

/**
 * Per question of a sample run under one verifier. One GROUP BY that walks the
 * (run_id, question_id, sample_index) index and probes verdicts by (sample_id, verifier): one row
 * per question, never one per sample. Exported for the query-plan test.
 */
export const RUN_TALLY_SQL = `SELECT g.q, q.split, g.n, g.c, NULL AS k FROM (
    SELECT s.question_id AS q, COUNT(*) AS n, COALESCE(SUM(v.status = 'correct'), 0) AS c
    FROM samples s LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
    WHERE s.run_id = @run GROUP BY s.question_id
  ) g JOIN questions q ON q.id = g.q ORDER BY g.q`;

export interface RawVerdict {
  id: number;
  sample_id: number;
  verifier: string;
  status: VerdictStatus;
  extracted: string | null;
  reason: string;
  steps_total: number;
  steps_wrong: number;
  steps_unchecked: number;
  detail: string;
}

export const toVerdict = (r: RawVerdict): VerdictRow => ({
  id: r.id,
  sampleId: r.sample_id,
  verifier: r.verifier,
  status: r.status,
  extracted: r.extracted,
  reason: r.reason,
  stepsTotal: r.steps_total,
  stepsWrong: r.steps_wrong,
  stepsUnchecked: r.steps_unchecked,
  detail: fromJson(r.detail),
});

export class VerdictRepo {
  constructor(private readonly db: Db) {}

  /** Writes verdicts in one transaction; re-verifying a sample with the same verifier replaces its verdict. */
  upsertMany(verdicts: readonly VerdictInput[]): number {
    const stmt = this.db.prepare(
      `INSERT INTO verdicts (sample_id, verifier, status, extracted, reason, steps_total, steps_wrong, steps_unchecked, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sample_id, verifier) DO UPDATE SET status = excluded.status, extracted = excluded.extracted,
         reason = excluded.reason, steps_total = excluded.steps_total, steps_wrong = excluded.steps_wrong,
         steps_unchecked = excluded.steps_unchecked, detail = excluded.detail`,
    );
    return this.db.transaction(() => {
      for (const v of verdicts) {
        stmt.run(v.sampleId, v.verifier, v.status, v.extracted, v.reason, v.stepsTotal, v.stepsWrong, v.stepsUnchecked, toJson(v.detail));
      }
      return verdicts.length;
    }).immediate();
  }

  forSample(sampleId: number): VerdictRow[] {
    return (this.db.prepare('SELECT * FROM verdicts WHERE sample_id = ? ORDER BY verifier').all(sampleId) as RawVerdict[]).map(toVerdict);
  }

  /**
   * The first `limit` samples of a run (by id, after `afterId`) without a verdict under this
   * verifier (null: each question's own), with their gold answers and the verifier to judge them
   * by: the next batch of a (resumed) verify stage.
   */
  unverifiedBatch(runId: number, verifier: VerifierChoice, afterId: number, limit: number): UnverifiedSample[] {
    return this.db
      .prepare(
        `SELECT s.id, s.question_id AS questionId, s.text, q.gold_answer AS goldAnswer, ${CHOSEN_SQL} AS verifier
         FROM samples s JOIN questions q ON q.id = s.question_id
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ${CHOSEN_SQL}
         WHERE s.run_id = @run AND s.id > @after AND v.id IS NULL ORDER BY s.id LIMIT @limit`,
      )
      .all({ verifier, run: runId, after: afterId, limit }) as UnverifiedSample[];
  }

  /** The distinct own verifiers of the questions a run sampled (`questionVerifier`), sorted. */
  ownVerifiers(runId: number): string[] {
    return this.db
      .prepare(
        `SELECT DISTINCT ${OWN_VERIFIER_SQL} AS v FROM (SELECT DISTINCT question_id FROM samples WHERE run_id = ?) s
         JOIN questions q ON q.id = s.question_id ORDER BY v`,
      )
      .pluck()
      .all(runId) as string[];
  }

  /** Per question of a run, ordered by question id: its samples and the correct ones under `verifier` (kept is null). */
  tallyByQuestion(runId: number, verifier: string): QuestionTally[] {
    return (this.db.prepare(RUN_TALLY_SQL).all({ run: runId, verifier }) as RawTally[]).map(toTally);
  }

  /**
   * Per question of a run (unordered): its samples and those judged correct under `verifier`
   * (null: each question's own).
   */
  correctByQuestion(runId: number, verifier: VerifierChoice): { questionId: number; samples: number; correct: number }[] {
    return this.db
      .prepare(
        `SELECT s.question_id AS questionId, COUNT(*) AS samples, COALESCE(SUM(v.status = 'correct'), 0) AS correct
         FROM samples s JOIN questions q ON q.id = s.question_id
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ${CHOSEN_SQL}
         WHERE s.run_id = @run GROUP BY s.question_id`,
      )
      .all({ run: runId, verifier }) as { questionId: number; samples: number; correct: number }[];
  }

  /** Every sample of a run with its question and verdict under `verifier` (null: its question's own), ordered by question then index. */
  judged(runId: number, verifier: VerifierChoice): JudgedSample[] {
    return this.db
      .prepare(
        `SELECT s.id AS sampleId, s.question_id AS questionId, s.sample_index AS sampleIndex, s.text, s.token_count AS tokenCount,
                s.logprob_sum AS logprobSum, s.finish_reason AS finishReason, q.text AS questionText, q.gold_answer AS goldAnswer,
                q.split AS split, v.status, v.extracted, v.reason, v.steps_total AS stepsTotal, v.steps_wrong AS stepsWrong
         FROM samples s JOIN questions q ON q.id = s.question_id
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ${CHOSEN_SQL}
         WHERE s.run_id = @run ORDER BY s.question_id, s.sample_index`,
      )
      .all({ verifier, run: runId }) as JudgedSample[];
  }

  /** A run's samples by their verdict under `verifier` (null: each question's own). */
  counts(runId: number, verifier: VerifierChoice): Record<VerdictStatus | 'unverified', number> {
    const out: Record<VerdictStatus | 'unverified', number> = { correct: 0, incorrect: 0, unparseable: 0, unverified: 0 };
    // A named verifier needs no question row: the plain join keeps the (sample_id, verifier) probe.
    const sql =
      verifier === null
        ? `SELECT COALESCE(v.status, 'unverified') AS status, COUNT(*) AS n FROM samples s JOIN questions q ON q.id = s.question_id
           LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ${CHOSEN_SQL} WHERE s.run_id = @run GROUP BY 1`
        : `SELECT COALESCE(v.status, 'unverified') AS status, COUNT(*) AS n FROM samples s
           LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier WHERE s.run_id = @run GROUP BY 1`;
    const rows = this.db.prepare(sql).all({ verifier, run: runId }) as { status: VerdictStatus | 'unverified'; n: number }[];
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
