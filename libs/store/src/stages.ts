import type { Db } from './db';
import { fromJson, nowIso, toJson } from './json';

export type StageStatus = 'running' | 'done' | 'failed' | 'stale';

export interface StageRecord {
  stage: string;
  key: string;
  fingerprint: string;
  status: StageStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  info: Record<string, unknown>;
}

interface RawStage {
  stage: string;
  key: string;
  fingerprint: string;
  status: StageStatus;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  info: string;
}

const toRecord = (r: RawStage): StageRecord => ({
  stage: r.stage,
  key: r.key,
  fingerprint: r.fingerprint,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  durationMs: r.duration_ms,
  info: fromJson(r.info),
});

/** Stage records: fingerprint, status and timings of each pipeline stage (keyed, e.g. per method/seed). */
export class StageRepo {
  constructor(private readonly db: Db) {}

  get(stage: string, key = ''): StageRecord | undefined {
    const r = this.db.prepare('SELECT * FROM stage_records WHERE stage = ? AND key = ?').get(stage, key) as
      | RawStage
      | undefined;
    return r ? toRecord(r) : undefined;
  }

  list(): StageRecord[] {
    return (this.db.prepare('SELECT * FROM stage_records ORDER BY started_at').all() as RawStage[]).map(toRecord);
  }

  start(stage: string, key: string, fingerprint: string): void {
    this.db
      .prepare(
        `INSERT INTO stage_records (stage, key, fingerprint, status, started_at) VALUES (?, ?, ?, 'running', ?)
         ON CONFLICT (stage, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = 'running',
           started_at = excluded.started_at, finished_at = NULL, duration_ms = NULL`,
      )
      .run(stage, key, fingerprint, nowIso());
  }

  finish(stage: string, key: string, status: 'done' | 'failed', info: Record<string, unknown> = {}): void {
    const rec = this.get(stage, key);
    const now = new Date();
    const duration = rec ? now.getTime() - Date.parse(rec.startedAt) : null;
    this.db
      .prepare(
        `UPDATE stage_records SET status = ?, finished_at = ?, duration_ms = ?, info = ? WHERE stage = ? AND key = ?`,
      )
      .run(status, now.toISOString(), duration, toJson(info), stage, key);
  }

  /** Marks a finished instance stale (an input it read was rebuilt): the next run reruns it. */
  markStale(stage: string, key = ''): void {
    this.db.prepare(`UPDATE stage_records SET status = 'stale' WHERE stage = ? AND key = ? AND status = 'done'`).run(stage, key);
  }
}
