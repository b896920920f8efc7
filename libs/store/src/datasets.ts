import type { Db } from './db';
import { fromJson, toJson } from './json';

export type DatasetKind = 'rft' | 'pairs' | 'imported';

export interface DatasetRow {
  id: number;
  name: string;
  version: number;
  kind: DatasetKind;
  sampleRunId: number | null;
  rules: Record<string, unknown>;
  stats: Record<string, unknown>;
  createdAt: string;
}

export interface DatasetItemInput {
  sampleId: number | null;
  questionId: number | null;
  prompt: string;
  response: string;
  kept: boolean;
  dropReason: string | null;
  rejectedSampleId?: number | null;
  rejectedResponse?: string | null;
}

export interface DatasetItemRow extends DatasetItemInput {
  id: number;
  datasetId: number;
}

interface RawDataset {
  id: number;
  name: string;
  version: number;
  kind: DatasetKind;
  sample_run_id: number | null;
  rules: string;
  stats: string;
  created_at: string;
}

interface RawItem {
  id: number;
  dataset_id: number;
  sample_id: number | null;
  question_id: number | null;
  prompt: string;
  response: string;
  kept: number;
  drop_reason: string | null;
  rejected_sample_id: number | null;
  rejected_response: string | null;
}

const toDataset = (r: RawDataset): DatasetRow => ({
  id: r.id,
  name: r.name,
  version: r.version,
  kind: r.kind,
  sampleRunId: r.sample_run_id,
  rules: fromJson(r.rules),
  stats: fromJson(r.stats),
  createdAt: r.created_at,
});

const toItem = (r: RawItem): DatasetItemRow => ({
  id: r.id,
  datasetId: r.dataset_id,
  sampleId: r.sample_id,
  questionId: r.question_id,
  prompt: r.prompt,
  response: r.response,
  kept: r.kept === 1,
  dropReason: r.drop_reason,
  rejectedSampleId: r.rejected_sample_id,
  rejectedResponse: r.rejected_response,
});

export class DatasetRepo {
  constructor(private readonly db: Db) {}

  /** Creates the next version of a named dataset with all its items, in one transaction. Never overwrites. */
  create(d: { name: string; kind: DatasetKind; sampleRunId: number | null; rules: Record<string, unknown>; stats: Record<string, unknown> }, items: readonly DatasetItemInput[]): DatasetRow {
    return this.db.transaction(() => {
      const max = this.db.prepare('SELECT MAX(version) AS v FROM datasets WHERE name = ?').get(d.name) as { v: number | null };
      const version = (max.v ?? 0) + 1;
      const info = this.db
        .prepare('INSERT INTO datasets (name, version, kind, sample_run_id, rules, stats) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.name, version, d.kind, d.sampleRunId, toJson(d.rules), toJson(d.stats));
      const id = Number(info.lastInsertRowid);
      const stmt = this.db.prepare(
        `INSERT INTO dataset_items (dataset_id, sample_id, question_id, prompt, response, kept, drop_reason, rejected_sample_id, rejected_response)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const it of items) {
        stmt.run(id, it.sampleId, it.questionId, it.prompt, it.response, it.kept ? 1 : 0, it.dropReason, it.rejectedSampleId ?? null, it.rejectedResponse ?? null);
      }
      return this.get(id) as DatasetRow;
    })();
  }

  get(id: number): DatasetRow | undefined {
    const r = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as RawDataset | undefined;
    return r ? toDataset(r) : undefined;
  }

  /** The given version of a named dataset, or its latest. */
  byName(name: string, version?: number): DatasetRow | undefined {
    const r = (
      version === undefined
        ? this.db.prepare('SELECT * FROM datasets WHERE name = ? ORDER BY version DESC LIMIT 1').get(name)
        : this.db.prepare('SELECT * FROM datasets WHERE name = ? AND version = ?').get(name, version)
    ) as RawDataset | undefined;
    return r ? toDataset(r) : undefined;
  }

  list(): DatasetRow[] {
    return (this.db.prepare('SELECT * FROM datasets ORDER BY name, version').all() as RawDataset[]).map(toDataset);
  }

  items(datasetId: number, filter: { kept?: boolean; limit?: number; offset?: number } = {}): DatasetItemRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM dataset_items WHERE dataset_id = @d AND (@kept IS NULL OR kept = @kept) ORDER BY id LIMIT @limit OFFSET @offset`,
        )
        .all({ d: datasetId, kept: filter.kept === undefined ? null : filter.kept ? 1 : 0, limit: filter.limit ?? -1, offset: filter.offset ?? 0 }) as RawItem[]
    ).map(toItem);
  }

  dropCounts(datasetId: number): Record<string, number> {
    const rows = this.db
      .prepare(`SELECT drop_reason AS r, COUNT(*) AS n FROM dataset_items WHERE dataset_id = ? AND kept = 0 GROUP BY 1 ORDER BY 2 DESC`)
      .all(datasetId) as { r: string; n: number }[];
    return Object.fromEntries(rows.map((x) => [x.r, x.n]));
  }
}
