import type { Db } from './db';
import { fromJson, toJson } from './json';

export interface EvaluationInput {
  modelId: string;
  set: string;
  split: string;
  settings: Record<string, unknown>;
  n: number;
  avgAtN: number | null;
  greedy: number | null;
  passAtK: Record<string, number>;
  questions: number;
  detail: Record<string, unknown>;
}

export interface EvaluationRow extends EvaluationInput {
  id: number;
  createdAt: string;
}

interface Raw {
  id: number;
  model_id: string;
  set_name: string;
  split: string;
  settings: string;
  n: number;
  avg_at_n: number | null;
  greedy: number | null;
  pass_at_k: string;
  questions: number;
  detail: string;
  created_at: string;
}

const toRow = (r: Raw): EvaluationRow => ({
  id: r.id,
  modelId: r.model_id,
  set: r.set_name,
  split: r.split,
  settings: fromJson(r.settings),
  n: r.n,
  avgAtN: r.avg_at_n,
  greedy: r.greedy,
  passAtK: fromJson(r.pass_at_k),
  questions: r.questions,
  detail: fromJson(r.detail),
  createdAt: r.created_at,
});

export class EvaluationRepo {
  constructor(private readonly db: Db) {}

  add(e: EvaluationInput): number {
    const info = this.db
      .prepare(
        `INSERT INTO evaluations (model_id, set_name, split, settings, n, avg_at_n, greedy, pass_at_k, questions, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.modelId, e.set, e.split, toJson(e.settings), e.n, e.avgAtN, e.greedy, toJson(e.passAtK), e.questions, toJson(e.detail));
    return Number(info.lastInsertRowid);
  }

  list(filter: { modelId?: string; set?: string; split?: string } = {}): EvaluationRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM evaluations WHERE (@m IS NULL OR model_id = @m) AND (@s IS NULL OR set_name = @s) AND (@p IS NULL OR split = @p) ORDER BY id`,
        )
        .all({ m: filter.modelId ?? null, s: filter.set ?? null, p: filter.split ?? null }) as Raw[]
    ).map(toRow);
  }

  /** Deletes one evaluation row (e.g. an older row with the same settings, replaced by a new one). */
  delete(id: number): void {
    this.db.prepare('DELETE FROM evaluations WHERE id = ?').run(id);
  }

  deleteFor(modelId: string, set: string, split: string): void {
    this.db.prepare('DELETE FROM evaluations WHERE model_id = ? AND set_name = ? AND split = ?').run(modelId, set, split);
  }
}
