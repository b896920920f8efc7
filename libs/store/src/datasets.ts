import type { Db } from './db';
import { fromJson, toJson } from './json';
import { itemsPage, type ItemFilter, type ItemSummary, type Page } from './dataset-item-pages';
import { ENTRY_COLS, toEntry, type RawEntry, type SampleWithVerdict } from './sample-entries';
import { toTally, type QuestionTally, type RawTally } from './verdicts';

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

/** How many items have each response length (in characters). */
export interface LengthCount {
  value: number;
  count: number;
}

/** A dataset holding a sample, with the filter's decision there. */
export interface SampleDecision {
  datasetId: number;
  name: string;
  version: number;
  itemId: number;
  kept: boolean;
  dropReason: string | null;
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
    }).immediate();
  }

  /**
   * Deletes every version of a named dataset with its items, in one transaction; training runs
   * that read it are kept but detached (dataset_id NULL). For a rerun of the stage that builds it:
   * delete and rebuild in one transaction, and the dataset is v1 again instead of an orphan v1
   * beside a new v2. Returns what went.
   */
  deleteByName(name: string): { datasets: number; trainingRunsDetached: number } {
    return this.db.transaction(() => {
      const trainingRunsDetached = this.db.prepare('UPDATE training_runs SET dataset_id = NULL WHERE dataset_id IN (SELECT id FROM datasets WHERE name = ?)').run(name).changes;
      const datasets = this.db.prepare('DELETE FROM datasets WHERE name = ?').run(name).changes;
      return { datasets, trainingRunsDetached };
    }).immediate();
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

  /** Items of a dataset and how many of them were kept (an index-only count on (dataset_id, kept)). */
  itemCounts(datasetId: number): { items: number; kept: number } {
    return this.db
      .prepare('SELECT COUNT(*) AS items, COALESCE(SUM(kept), 0) AS kept FROM dataset_items WHERE dataset_id = ?')
      .get(datasetId) as { items: number; kept: number };
  }

  /** Distinct questions among a dataset's items (items without a question not counted). */
  questionCount(datasetId: number): number {
    return this.db.prepare('SELECT COUNT(DISTINCT question_id) FROM dataset_items WHERE dataset_id = ?').pluck().get(datasetId) as number;
  }

  /** Items and kept items per question split, by split name (items without a question count under "—"). */
  acceptanceBySplit(datasetId: number): { split: string; items: number; kept: number }[] {
    return this.db
      .prepare(
        `SELECT COALESCE(q.split, '—') AS split, COUNT(*) AS items, SUM(di.kept) AS kept
         FROM dataset_items di LEFT JOIN questions q ON q.id = di.question_id
         WHERE di.dataset_id = ? GROUP BY 1 ORDER BY 1`,
      )
      .all(datasetId) as { split: string; items: number; kept: number }[];
  }

  /** Response lengths in characters (Unicode code points) of kept and dropped items, ascending. */
  lengthCounts(datasetId: number): { kept: LengthCount[]; dropped: LengthCount[] } {
    const rows = this.db
      .prepare(
        `SELECT kept, length(response) AS value, COUNT(*) AS count FROM dataset_items
         WHERE dataset_id = ? GROUP BY kept, value ORDER BY kept, value`,
      )
      .all(datasetId) as { kept: number; value: number; count: number }[];
    return {
      kept: rows.filter((r) => r.kept === 1).map(({ value, count }) => ({ value, count })),
      dropped: rows.filter((r) => r.kept === 0).map(({ value, count }) => ({ value, count })),
    };
  }

  /**
   * Per question of a dataset, by question id: its items, the correct ones (verdicts of their
   * samples under `verifier`) and the kept ones. Items without a question are left out.
   */
  tallyByQuestion(datasetId: number, verifier: string): QuestionTally[] {
    const rows = this.db
      .prepare(
        `SELECT g.q, COALESCE(q.split, '') AS split, g.n, g.c, g.k FROM (
           SELECT di.question_id AS q, COUNT(*) AS n, COALESCE(SUM(v.status = 'correct'), 0) AS c, SUM(di.kept) AS k
           FROM dataset_items di LEFT JOIN verdicts v ON v.sample_id = di.sample_id AND v.verifier = @verifier
           WHERE di.dataset_id = @dataset AND di.question_id IS NOT NULL GROUP BY di.question_id
         ) g LEFT JOIN questions q ON q.id = g.q ORDER BY g.q`,
      )
      .all({ dataset: datasetId, verifier }) as RawTally[];
    return rows.map(toTally);
  }

  /** A keyset page of a dataset's items (see dataset-item-pages.ts). */
  itemsPage(datasetId: number, filter: ItemFilter, at: { after?: number; before?: number; limit: number }): Page<ItemSummary> {
    return itemsPage(this.db, datasetId, filter, at);
  }

  /** Every item of one question in a dataset with its sample, verdict and decision. Items without a sample are left out. */
  questionEntries(datasetId: number, questionId: number, verifier: string): SampleWithVerdict[] {
    const rows = this.db
      .prepare(
        `SELECT ${ENTRY_COLS}, di.id AS itemId, di.kept AS kept, di.drop_reason AS dropReason
         FROM dataset_items di JOIN samples s ON s.id = di.sample_id JOIN sample_runs r ON r.id = s.run_id
         LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
         WHERE di.dataset_id = @d AND di.question_id = @q ORDER BY s.sample_index, di.id`,
      )
      .all({ d: datasetId, q: questionId, verifier }) as RawEntry[];
    return rows.map(toEntry);
  }

  /** Every dataset a sample is an item of, by name and version, with the decision there. */
  decisionsFor(sample: { id: number; questionId: number; runId: number }): SampleDecision[] {
    // Only datasets built from the sample's run can hold it: each lookup stays inside one dataset.
    const rows = this.db
      .prepare(
        `SELECT d.id AS datasetId, d.name, d.version, di.id AS itemId, di.kept, di.drop_reason AS dropReason
         FROM datasets d JOIN dataset_items di ON di.dataset_id = d.id AND di.question_id = @q AND di.sample_id = @s
         WHERE d.sample_run_id = @run ORDER BY d.name, d.version`,
      )
      .all({ q: sample.questionId, s: sample.id, run: sample.runId }) as (Omit<SampleDecision, 'kept'> & { kept: number })[];
    return rows.map((d) => ({ ...d, kept: d.kept === 1 }));
  }
}
