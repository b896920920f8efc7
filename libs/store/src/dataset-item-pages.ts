/** Keyset pages of a dataset's items: the viewer's item list stays fast at any depth. */
import type { Db } from './db';

export interface ItemFilter {
  kept?: boolean;
  /** Only dropped items with this reason (implies kept = false). */
  reason?: string;
}

/** An item as a list shows it: the first characters of the response and its length. */
export interface ItemSummary {
  id: number;
  sampleId: number | null;
  questionId: number | null;
  kept: boolean;
  dropReason: string | null;
  /** The first 160 characters of the response. */
  preview: string;
  /** Response length in characters (Unicode code points). */
  length: number;
}

export interface Page<T> {
  rows: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: number | null;
  /** Pass as `before` for the previous page; null on the first page. */
  prev: number | null;
}

/**
 * The page statement. With kept fixed, an index range scan on (dataset_id, kept) from the key;
 * for all items (kept null), a rowid range scan (NOT INDEXED) bounded by the dataset's id range,
 * since a dataset's items are written in one transaction and sit together. Only the conditions in
 * force are written, so the planner sees plain equalities it can match to the index.
 * Exported for the query-plan test.
 */
export function itemsPageSql(kept: boolean, reason: boolean, backwards: boolean): string {
  const cols = `id, sample_id AS sampleId, question_id AS questionId, kept, drop_reason AS dropReason,
    substr(response, 1, 160) AS preview, length(response) AS length`;
  const where = ['dataset_id = @d', 'id > @lo', 'id < @hi', ...(kept ? ['kept = @kept'] : []), ...(reason ? ['drop_reason = @reason'] : [])].join(' AND ');
  return `SELECT ${cols} FROM ${kept ? 'dataset_items' : 'dataset_items NOT INDEXED'} WHERE ${where} ORDER BY id ${backwards ? 'DESC' : ''} LIMIT @n`;
}

/** Smallest and largest item id matching a filter: each an index seek on (dataset_id, kept). */
function idBounds(db: Db, datasetId: number, kept: 0 | 1 | null, reason: string | null): { min: number; max: number } | null {
  const cond = `dataset_id = @d AND kept = @k${reason === null ? '' : ' AND drop_reason = @reason'}`;
  const stmt = db.prepare(
    `SELECT (SELECT id FROM dataset_items WHERE ${cond} ORDER BY id LIMIT 1) AS lo,
            (SELECT id FROM dataset_items WHERE ${cond} ORDER BY id DESC LIMIT 1) AS hi`,
  );
  let min = Infinity;
  let max = -Infinity;
  for (const k of kept === null ? [0, 1] : [kept]) {
    const r = stmt.get({ d: datasetId, k, ...(reason === null ? {} : { reason }) }) as { lo: number | null; hi: number | null };
    if (r.lo !== null && r.hi !== null) {
      min = Math.min(min, r.lo);
      max = Math.max(max, r.hi);
    }
  }
  return Number.isFinite(min) ? { min, max } : null;
}

/**
 * A page of a dataset's items in id order, by keyset: `after` (ids > it) or `before` (ids < it),
 * at most `limit` rows. The cost of a page does not grow with its depth.
 */
export function itemsPage(db: Db, datasetId: number, filter: ItemFilter, at: { after?: number; before?: number; limit: number }): Page<ItemSummary> {
  const kept: 0 | 1 | null = filter.reason !== undefined ? 0 : filter.kept === undefined ? null : filter.kept ? 1 : 0;
  const reason = filter.reason ?? null;
  const bounds = idBounds(db, datasetId, kept, reason);
  if (!bounds) return { rows: [], next: null, prev: null };
  const backwards = at.before !== undefined && at.after === undefined;
  // One open interval (lo, hi) on id: the planner seeks to its start instead of scanning from the dataset's first item.
  const lo = backwards ? bounds.min - 1 : Math.max(bounds.min - 1, at.after ?? 0);
  const hi = backwards ? Math.min(bounds.max + 1, at.before as number) : bounds.max + 1;
  const args = { d: datasetId, lo, hi, n: at.limit, ...(kept === null ? {} : { kept }), ...(reason === null ? {} : { reason }) };
  const raw = db.prepare(itemsPageSql(kept !== null, reason !== null, backwards)).all(args) as (Omit<ItemSummary, 'kept'> & { kept: number })[];
  const rows = raw.map((r) => ({ ...r, kept: r.kept === 1 }));
  if (backwards) rows.reverse();
  const first = rows[0]?.id;
  const last = rows.at(-1)?.id;
  return {
    rows,
    next: last !== undefined && last < bounds.max ? last : null,
    prev: first !== undefined && first > bounds.min ? first : null,
  };
}
