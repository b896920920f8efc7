import type { Db } from './db';
import { fromJson, nowIso, toJson } from './json';

export interface TrainingRunRow {
  id: number;
  name: string;
  method: string;
  datasetId: number | null;
  baseModelId: string | null;
  outModelId: string | null;
  seed: number;
  config: Record<string, unknown>;
  status: 'running' | 'done' | 'failed';
  step: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface MetricRow {
  step: number;
  kind: 'train' | 'eval';
  values: Record<string, number | number[]>;
}

interface Raw {
  id: number;
  name: string;
  method: string;
  dataset_id: number | null;
  base_model_id: string | null;
  out_model_id: string | null;
  seed: number;
  config: string;
  status: TrainingRunRow['status'];
  step: number;
  created_at: string;
  finished_at: string | null;
}

const toRow = (r: Raw): TrainingRunRow => ({
  id: r.id,
  name: r.name,
  method: r.method,
  datasetId: r.dataset_id,
  baseModelId: r.base_model_id,
  outModelId: r.out_model_id,
  seed: r.seed,
  config: fromJson(r.config),
  status: r.status,
  step: r.step,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export class TrainingRepo {
  constructor(private readonly db: Db) {}

  /** Returns the run with this name, creating it if new (a resumed run keeps its row and metrics). */
  ensureRun(r: { name: string; method: string; datasetId: number | null; baseModelId: string | null; seed: number; config: Record<string, unknown> }): TrainingRunRow {
    const existing = this.get(r.name);
    if (existing) return existing;
    this.db
      .prepare('INSERT INTO training_runs (name, method, dataset_id, base_model_id, seed, config) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.name, r.method, r.datasetId, r.baseModelId, r.seed, toJson(r.config));
    return this.get(r.name) as TrainingRunRow;
  }

  get(nameOrId: string | number): TrainingRunRow | undefined {
    const r = (
      typeof nameOrId === 'number'
        ? this.db.prepare('SELECT * FROM training_runs WHERE id = ?').get(nameOrId)
        : this.db.prepare('SELECT * FROM training_runs WHERE name = ?').get(nameOrId)
    ) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  list(): TrainingRunRow[] {
    return (this.db.prepare('SELECT * FROM training_runs ORDER BY id').all() as Raw[]).map(toRow);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM training_runs WHERE id = ?').run(id);
  }

  setProgress(id: number, step: number): void {
    this.db.prepare('UPDATE training_runs SET step = ? WHERE id = ?').run(step, id);
  }

  finish(id: number, status: 'done' | 'failed', outModelId: string | null): void {
    this.db
      .prepare('UPDATE training_runs SET status = ?, out_model_id = ?, finished_at = ? WHERE id = ?')
      .run(status, outModelId, nowIso(), id);
  }

  /** Writes metrics of several steps in one transaction; a step written again (after a resume) is replaced. */
  addMetrics(runId: number, rows: readonly MetricRow[]): void {
    const stmt = this.db.prepare(
      'INSERT OR REPLACE INTO training_metrics (run_id, step, kind, values_json) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const m of rows) stmt.run(runId, m.step, m.kind, toJson(m.values));
    }).immediate();
  }

  /** Drops metrics after a step: a run resumed from an earlier checkpoint rewrites them. */
  truncateMetrics(runId: number, afterStep: number): void {
    this.db.prepare('DELETE FROM training_metrics WHERE run_id = ? AND step > ?').run(runId, afterStep);
  }

  metrics(runId: number, kind?: 'train' | 'eval'): MetricRow[] {
    const rows = this.db
      .prepare('SELECT step, kind, values_json FROM training_metrics WHERE run_id = @r AND (@k IS NULL OR kind = @k) ORDER BY step, kind')
      .all({ r: runId, k: kind ?? null }) as { step: number; kind: 'train' | 'eval'; values_json: string }[];
    return rows.map((r) => ({ step: r.step, kind: r.kind, values: fromJson<Record<string, number | number[]>>(r.values_json) }));
  }
}
