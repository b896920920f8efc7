import type { Db } from './db';
import { fromJson, toJson } from './json';

export type ModelKind = 'base' | 'trained' | 'imported';

export interface ModelRow {
  id: string;
  kind: ModelKind;
  /** Checkpoint folder, relative to the run folder when inside it. */
  path: string;
  config: Record<string, unknown>;
  parentId: string | null;
  meta: Record<string, unknown>;
  createdAt: string;
}

interface Raw {
  id: string;
  kind: ModelKind;
  path: string;
  config: string;
  parent_id: string | null;
  meta: string;
  created_at: string;
}

const toRow = (r: Raw): ModelRow => ({
  id: r.id,
  kind: r.kind,
  path: r.path,
  config: fromJson(r.config),
  parentId: r.parent_id,
  meta: fromJson(r.meta),
  createdAt: r.created_at,
});

export class ModelRepo {
  constructor(private readonly db: Db) {}

  /** Registers (or re-registers, e.g. after a resumed training run) a checkpoint. */
  upsert(m: Omit<ModelRow, 'createdAt'>): void {
    this.db
      .prepare(
        `INSERT INTO models (id, kind, path, config, parent_id, meta) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, path = excluded.path, config = excluded.config,
           parent_id = excluded.parent_id, meta = excluded.meta`,
      )
      .run(m.id, m.kind, m.path, toJson(m.config), m.parentId, toJson(m.meta));
  }

  get(id: string): ModelRow | undefined {
    const r = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  list(): ModelRow[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY created_at, id').all() as Raw[]).map(toRow);
  }
}
