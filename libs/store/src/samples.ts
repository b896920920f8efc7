import { SieveError } from '@sieve/core';
import type { Db } from './db';
import { fromJson, nowIso, toJson } from './json';
import { ENTRY_COLS, toEntry, type RawEntry, type SampleWithVerdict } from './sample-entries';

/**
 * A page of one question's samples (every run, or one) with their verdicts, through the
 * samples_question index. Exported for the query-plan test.
 */
export const questionSamplesSql = (byRun: boolean): { rows: string; total: string } => {
  const where = `s.question_id = @q${byRun ? ' AND s.run_id = @run' : ''}`;
  return {
    rows: `SELECT ${ENTRY_COLS}
      FROM samples s JOIN sample_runs r ON r.id = s.run_id
      LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
      WHERE ${where} ORDER BY s.run_id, s.sample_index LIMIT @limit OFFSET @offset`,
    total: `SELECT COUNT(*) FROM samples s WHERE ${where}`,
  };
};

export interface SampleRunRow {
  id: number;
  name: string;
  modelId: string;
  set: string;
  split: string | null;
  params: Record<string, unknown>;
  seed: number;
  status: 'running' | 'done' | 'failed';
  createdAt: string;
  finishedAt: string | null;
}

export interface SampleInput {
  questionId: number;
  sampleIndex: number;
  seed: number;
  text: string;
  tokenCount: number;
  /** Sum of the sampled tokens' log-probs; null when the engine did not return them (e.g. an OpenAI-compatible server without logprobs). */
  logprobSum: number | null;
  /** Per-token log-probs, stored compactly as float32 bytes; null when unknown (always null when logprobSum is). */
  tokenLogprobs: Float32Array | null;
  finishReason: 'stop' | 'length';
}

export interface SampleRow extends SampleInput {
  id: number;
  runId: number;
}

interface RawRun {
  id: number;
  name: string;
  model_id: string;
  set_name: string;
  split: string | null;
  params: string;
  seed: number;
  status: SampleRunRow['status'];
  created_at: string;
  finished_at: string | null;
}

interface RawSample {
  id: number;
  run_id: number;
  question_id: number;
  sample_index: number;
  seed: number;
  text: string;
  token_count: number;
  logprob_sum: number | null;
  token_logprobs: Buffer | null;
  finish_reason: 'stop' | 'length';
}

const toRun = (r: RawRun): SampleRunRow => ({
  id: r.id,
  name: r.name,
  modelId: r.model_id,
  set: r.set_name,
  split: r.split,
  params: fromJson(r.params),
  seed: r.seed,
  status: r.status,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export function encodeFloats(xs: Float32Array | null): Buffer | null {
  return xs ? Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength) : null;
}

export function decodeFloats(b: Buffer | null): Float32Array | null {
  if (!b) return null;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

const toSample = (r: RawSample): SampleRow => ({
  id: r.id,
  runId: r.run_id,
  questionId: r.question_id,
  sampleIndex: r.sample_index,
  seed: r.seed,
  text: r.text,
  tokenCount: r.token_count,
  logprobSum: r.logprob_sum,
  tokenLogprobs: decodeFloats(r.token_logprobs),
  finishReason: r.finish_reason,
});

export class SampleRepo {
  constructor(private readonly db: Db) {}

  /** Returns the run with this name, creating it if new. */
  ensureRun(run: { name: string; modelId: string; set: string; split: string | null; params: Record<string, unknown>; seed: number }): SampleRunRow {
    const existing = this.getRun(run.name);
    if (existing) return existing;
    this.db
      .prepare(`INSERT INTO sample_runs (name, model_id, set_name, split, params, seed) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(run.name, run.modelId, run.set, run.split, toJson(run.params), run.seed);
    return this.getRun(run.name) as SampleRunRow;
  }

  getRun(nameOrId: string | number): SampleRunRow | undefined {
    const r = (
      typeof nameOrId === 'number'
        ? this.db.prepare('SELECT * FROM sample_runs WHERE id = ?').get(nameOrId)
        : this.db.prepare('SELECT * FROM sample_runs WHERE name = ?').get(nameOrId)
    ) as RawRun | undefined;
    return r ? toRun(r) : undefined;
  }

  listRuns(): SampleRunRow[] {
    return (this.db.prepare('SELECT * FROM sample_runs ORDER BY id').all() as RawRun[]).map(toRun);
  }

  setRunStatus(runId: number, status: SampleRunRow['status']): void {
    this.db
      .prepare('UPDATE sample_runs SET status = ?, finished_at = ? WHERE id = ?')
      .run(status, status === 'running' ? null : nowIso(), runId);
  }

  /**
   * Renames a run to `<name>~<id>` so a new run can take its name, keeping its samples and what was
   * built from them (verdicts, datasets, models trained on those): a rerun supersedes, never breaks history.
   */
  supersedeRun(runId: number): void {
    this.db.prepare(`UPDATE sample_runs SET name = name || '~' || id WHERE id = ?`).run(runId);
  }

  /**
   * Deletes a run with what is built on it, in one transaction: the datasets made from its samples
   * (and their items), then the run (and by cascade its samples and their verdicts). Training runs
   * that read those datasets are kept (their metrics feed the report) but detached: dataset_id
   * becomes NULL. (A bare DELETE of the run fails with FOREIGN KEY constraint failed as soon as a
   * dataset was built from it: the datasets' items point at its samples.) Returns what went.
   */
  deleteRun(runId: number): { samples: number; datasets: number; trainingRunsDetached: number } {
    return this.db.transaction(() => {
      const datasets = 'SELECT id FROM datasets WHERE sample_run_id = @run';
      const trainingRunsDetached = this.db.prepare(`UPDATE training_runs SET dataset_id = NULL WHERE dataset_id IN (${datasets})`).run({ run: runId }).changes;
      const samples = this.count(runId);
      const ds = this.db.prepare('DELETE FROM datasets WHERE sample_run_id = @run').run({ run: runId }).changes;
      this.db.prepare('DELETE FROM sample_runs WHERE id = ?').run(runId);
      return { samples, datasets: ds, trainingRunsDetached };
    }).immediate();
  }

  /**
   * Inserts samples in one transaction; a sample already there (same question and index) is kept as is.
   * Returns how many rows were written. Only that uniqueness conflict is ignored: a non-finite
   * log-prob (SQLite would store NaN as NULL, the same as "unknown"), per-token log-probs without
   * their sum, or any other broken constraint is an error, and nothing of the batch is written.
   */
  insertMany(runId: number, samples: readonly SampleInput[]): number {
    for (const s of samples) {
      if (s.logprobSum === null && s.tokenLogprobs !== null) {
        throw new SieveError(`sample (question ${s.questionId}, index ${s.sampleIndex}) has per-token log-probs but no log-prob sum`, { where: `sample run ${runId}` });
      }
      const bad = s.logprobSum !== null && !Number.isFinite(s.logprobSum) ? s.logprobSum : s.tokenLogprobs?.find((x) => !Number.isFinite(x));
      if (bad !== undefined) {
        throw new SieveError(`sample (question ${s.questionId}, index ${s.sampleIndex}) has a non-finite log-prob (${bad})`, {
          where: `sample run ${runId}`,
          hint: 'the model produced NaN/inf: check its checkpoint (a diverged training run gives NaN weights)',
        });
      }
    }
    const stmt = this.db.prepare(
      `INSERT INTO samples (run_id, question_id, sample_index, seed, text, token_count, logprob_sum, token_logprobs, finish_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, question_id, sample_index) DO NOTHING`,
    );
    return this.db.transaction(() => {
      let n = 0;
      for (const s of samples) {
        n += stmt.run(runId, s.questionId, s.sampleIndex, s.seed, s.text, s.tokenCount, s.logprobSum, encodeFloats(s.tokenLogprobs), s.finishReason).changes;
      }
      return n;
    }).immediate();
  }

  list(runId: number, filter: { questionId?: number; limit?: number; offset?: number } = {}): SampleRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM samples WHERE run_id = @run AND (@q IS NULL OR question_id = @q)
         ORDER BY question_id, sample_index LIMIT @limit OFFSET @offset`,
      )
      .all({ run: runId, q: filter.questionId ?? null, limit: filter.limit ?? -1, offset: filter.offset ?? 0 }) as RawSample[];
    return rows.map(toSample);
  }

  get(id: number): SampleRow | undefined {
    const r = this.db.prepare('SELECT * FROM samples WHERE id = ?').get(id) as RawSample | undefined;
    return r ? toSample(r) : undefined;
  }

  count(runId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM samples WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  /** Samples of a run and the distinct questions they answer. */
  runTotals(runId: number): { samples: number; questions: number } {
    return this.db
      .prepare('SELECT COUNT(*) AS samples, COUNT(DISTINCT question_id) AS questions FROM samples WHERE run_id = ?')
      .get(runId) as { samples: number; questions: number };
  }

  /**
   * One page of a question's samples (of every sample run, or of `runId`) ordered by run then
   * index, each with its verdict under `verifier`; `total` counts them all.
   */
  ofQuestion(
    questionId: number,
    opts: { verifier: string; runId?: number; limit: number; offset: number },
  ): { rows: SampleWithVerdict[]; total: number } {
    const sql = questionSamplesSql(opts.runId !== undefined);
    const args = { q: questionId, run: opts.runId ?? null };
    const rows = this.db.prepare(sql.rows).all({ ...args, verifier: opts.verifier, limit: opts.limit, offset: opts.offset }) as RawEntry[];
    const total = this.db.prepare(sql.total).pluck().get(args) as number; // better-sqlite3 ignores unused named parameters
    return { rows: rows.map(toEntry), total };
  }

  /** Per question: how many samples exist (for resuming). */
  countsByQuestion(runId: number): Map<number, number> {
    const rows = this.db
      .prepare('SELECT question_id AS q, COUNT(*) AS n FROM samples WHERE run_id = ? GROUP BY question_id')
      .all(runId) as { q: number; n: number }[];
    return new Map(rows.map((r) => [r.q, r.n]));
  }

  /** (question, index) pairs already sampled, as "q:i" keys. */
  existingKeys(runId: number): Set<string> {
    const rows = this.db.prepare('SELECT question_id AS q, sample_index AS i FROM samples WHERE run_id = ?').all(runId) as {
      q: number;
      i: number;
    }[];
    return new Set(rows.map((r) => `${r.q}:${r.i}`));
  }
}
