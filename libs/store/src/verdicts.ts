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
  logprobSum: number;
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

interface Raw {
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

const toRow = (r: Raw): VerdictRow => ({
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
    })();
  }

  forSample(sampleId: number): VerdictRow[] {
    return (this.db.prepare('SELECT * FROM verdicts WHERE sample_id = ? ORDER BY verifier').all(sampleId) as Raw[]).map(toRow);
  }

  /** Samples of a run without a verdict under this verifier (what a resumed verify stage still has to do). */
  unverifiedSampleIds(runId: number, verifier: string, limit = -1): number[] {
    return this.db
      .prepare(
        `SELECT s.id FROM samples s LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ?
         WHERE s.run_id = ? AND v.id IS NULL ORDER BY s.id LIMIT ?`,
      )
      .pluck()
      .all(verifier, runId, limit) as number[];
  }

  /** Every sample of a run with its question and verdict, ordered by question then index. */
  judged(runId: number, verifier: string): JudgedSample[] {
    return this.db
      .prepare(
        `SELECT s.id AS sampleId, s.question_id AS questionId, s.sample_index AS sampleIndex, s.text, s.token_count AS tokenCount,
                s.logprob_sum AS logprobSum, s.finish_reason AS finishReason, q.text AS questionText, q.gold_answer AS goldAnswer,
                q.split AS split, v.status, v.extracted, v.reason, v.steps_total AS stepsTotal, v.steps_wrong AS stepsWrong
         FROM samples s JOIN questions q ON q.id = s.question_id
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ?
         WHERE s.run_id = ? ORDER BY s.question_id, s.sample_index`,
      )
      .all(verifier, runId) as JudgedSample[];
  }

  counts(runId: number, verifier: string): Record<VerdictStatus | 'unverified', number> {
    const out: Record<VerdictStatus | 'unverified', number> = { correct: 0, incorrect: 0, unparseable: 0, unverified: 0 };
    const rows = this.db
      .prepare(
        `SELECT COALESCE(v.status, 'unverified') AS status, COUNT(*) AS n FROM samples s
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = ? WHERE s.run_id = ? GROUP BY 1`,
      )
      .all(verifier, runId) as { status: VerdictStatus | 'unverified'; n: number }[];
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
