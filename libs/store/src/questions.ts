import { sha256 } from '@sieve/core';
import type { Db } from './db';
import { fromJson, toJson } from './json';

/** What an importer or generator hands the store (structurally the same as @sieve/tasks' NewQuestion). */
export interface QuestionInput {
  text: string;
  goldAnswer: string;
  goldSolution: string | null;
  difficulty: number | null;
  meta: Record<string, unknown>;
}

export interface QuestionRow {
  id: number;
  set: string;
  split: string;
  source: string;
  text: string;
  goldAnswer: string;
  goldSolution: string | null;
  difficulty: number | null;
  meta: Record<string, unknown>;
}

export interface SetSummary {
  set: string;
  split: string;
  source: string;
  count: number;
}

interface RawQuestion {
  id: number;
  set_name: string;
  split: string;
  source: string;
  text: string;
  gold_answer: string;
  gold_solution: string | null;
  difficulty: number | null;
  meta: string;
}

const toRow = (r: RawQuestion): QuestionRow => ({
  id: r.id,
  set: r.set_name,
  split: r.split,
  source: r.source,
  text: r.text,
  goldAnswer: r.gold_answer,
  goldSolution: r.gold_solution,
  difficulty: r.difficulty,
  meta: fromJson(r.meta),
});

/** Identity of a question within a set: its text and gold answer (so re-importing a file adds nothing). */
export function questionHash(q: Pick<QuestionInput, 'text' | 'goldAnswer'>): string {
  return sha256(`${q.text.trim()}\u0000${q.goldAnswer.trim()}`);
}

export class QuestionRepo {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a batch in one transaction: all or nothing. A question already in the set (any split)
   * is not added again, which makes imports idempotent and keeps splits of a set disjoint.
   */
  insertMany(
    set: string,
    split: string,
    source: string,
    questions: readonly QuestionInput[],
  ): { inserted: number; duplicates: number } {
    const stmt = this.db.prepare(
      `INSERT OR IGNORE INTO questions (set_name, split, source, text, gold_answer, gold_solution, difficulty, meta, content_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const run = this.db.transaction((qs: readonly QuestionInput[]) => {
      let inserted = 0;
      for (const q of qs) {
        const info = stmt.run(set, split, source, q.text, q.goldAnswer, q.goldSolution, q.difficulty, toJson(q.meta), questionHash(q));
        inserted += info.changes;
      }
      return inserted;
    });
    const inserted = run.immediate(questions);
    return { inserted, duplicates: questions.length - inserted };
  }

  list(filter: { set?: string; split?: string; limit?: number; offset?: number } = {}): QuestionRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.set !== undefined) {
      where.push('set_name = ?');
      args.push(filter.set);
    }
    if (filter.split !== undefined) {
      where.push('split = ?');
      args.push(filter.split);
    }
    const sql = `SELECT * FROM questions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ? OFFSET ?`;
    args.push(filter.limit ?? -1, filter.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as RawQuestion[]).map(toRow);
  }

  get(id: number): QuestionRow | undefined {
    const r = this.db.prepare('SELECT * FROM questions WHERE id = ?').get(id) as RawQuestion | undefined;
    return r ? toRow(r) : undefined;
  }

  count(filter: { set?: string; split?: string } = {}): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM questions WHERE (@set IS NULL OR set_name = @set) AND (@split IS NULL OR split = @split)`)
      .get({ set: filter.set ?? null, split: filter.split ?? null }) as { n: number };
    return row.n;
  }

  /** One row per (set, split, source) with its question count. */
  summary(): SetSummary[] {
    return this.db
      .prepare(
        `SELECT set_name AS "set", split, source, COUNT(*) AS count FROM questions
         GROUP BY set_name, split, source ORDER BY set_name, split, source`,
      )
      .all() as SetSummary[];
  }

  /** Question texts by id, for the few rows a page or a report shows ('' for an id not there). */
  textsById(ids: readonly number[]): Map<number, string> {
    const stmt = this.db.prepare('SELECT text FROM questions WHERE id = ?').pluck();
    return new Map(ids.map((id) => [id, (stmt.get(id) as string | undefined) ?? '']));
  }

  /** Texts already in a set, so a generator can avoid them. */
  texts(set: string): Set<string> {
    const rows = this.db.prepare('SELECT text FROM questions WHERE set_name = ?').pluck().all(set) as string[];
    return new Set(rows);
  }
}
