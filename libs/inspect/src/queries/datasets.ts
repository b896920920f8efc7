import { InputError } from '@sieve/core';
import type { DatasetRow, Store } from '@sieve/store';
import type { ValueCount } from '../stats';

/** `name` (latest version) or `name@version`; InputError naming the datasets there are otherwise. */
export function findDataset(store: Store, ref: string): DatasetRow {
  const m = /^(.+?)(?:@(\d+))?$/.exec(ref.trim());
  const name = m?.[1] ?? '';
  const version = m?.[2] !== undefined ? Number(m[2]) : undefined;
  const found = name ? store.datasets.byName(name, version) : undefined;
  if (found) return found;
  const all = store.datasets.list().map((d) => `${d.name}@${d.version}`);
  throw new InputError(`no dataset "${ref}" in this run`, {
    where: '--dataset',
    hint: all.length ? `datasets here: ${all.join(', ')}` : 'this run has no datasets yet: run `sieve filter` first',
  });
}

export interface SplitAcceptance {
  split: string;
  items: number;
  kept: number;
  /** kept / items. */
  rate: number | null;
}

/** Items and kept items per question split (items without a question count under "—"). */
export function acceptanceBySplit(store: Store, datasetId: number): SplitAcceptance[] {
  const rows = store.db
    .prepare(
      `SELECT COALESCE(q.split, '—') AS split, COUNT(*) AS items, SUM(di.kept) AS kept
       FROM dataset_items di LEFT JOIN questions q ON q.id = di.question_id
       WHERE di.dataset_id = ? GROUP BY 1 ORDER BY 1`,
    )
    .all(datasetId) as { split: string; items: number; kept: number }[];
  return rows.map((r) => ({ ...r, rate: r.items > 0 ? r.kept / r.items : null }));
}

/** Response lengths in characters (Unicode code points) of kept and dropped items, as (length, count) pairs. */
export function lengthDistributions(store: Store, datasetId: number): { kept: ValueCount[]; dropped: ValueCount[] } {
  const rows = store.db
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

export interface ItemFilter {
  kept?: boolean;
  /** Only dropped items with this reason (implies kept = false). */
  reason?: string;
}

export interface ItemRow {
  id: number;
  sampleId: number | null;
  questionId: number | null;
  kept: boolean;
  dropReason: string | null;
  /** The first characters of the response. */
  preview: string;
  length: number;
}

export interface Page<T> {
  rows: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: number | null;
  /** Pass as `before` for the previous page; null on the first page. */
  prev: number | null;
}

/** Smallest and largest item id matching a filter: each an index seek on (dataset_id, kept). */
function idBounds(store: Store, datasetId: number, kept: 0 | 1 | null, reason: string | null): { min: number; max: number } | null {
  const keptValues = kept === null ? [0, 1] : [kept];
  let min = Infinity;
  let max = -Infinity;
  const cond = `dataset_id = @d AND kept = @k${reason === null ? '' : ' AND drop_reason = @reason'}`;
  for (const k of keptValues) {
    const r = store.db
      .prepare(
        `SELECT (SELECT id FROM dataset_items WHERE ${cond} ORDER BY id LIMIT 1) AS lo,
                (SELECT id FROM dataset_items WHERE ${cond} ORDER BY id DESC LIMIT 1) AS hi`,
      )
      .get({ d: datasetId, k, ...(reason === null ? {} : { reason }) }) as { lo: number | null; hi: number | null };
    if (r.lo !== null && r.hi !== null) {
      min = Math.min(min, r.lo);
      max = Math.max(max, r.hi);
    }
  }
  return Number.isFinite(min) ? { min, max } : null;
}

/**
 * A page of a dataset's items in id order, by keyset: `after` (ids > it) or `before` (ids < it).
 * With kept (or a drop reason) fixed, a page is an index range scan on (dataset_id, kept) that
 * starts at the key; for all items, a rowid range scan from the key, bounded by the dataset's
 * last id (a dataset's items are written in one transaction, so they sit together). The cost
 * of a page does not grow with its depth.
 */
export function datasetItemsPage(
  store: Store,
  datasetId: number,
  filter: ItemFilter,
  at: { after?: number; before?: number; limit: number },
): Page<ItemRow> {
  const kept: 0 | 1 | null = filter.reason !== undefined ? 0 : filter.kept === undefined ? null : filter.kept ? 1 : 0;
  const reason = filter.reason ?? null;
  const bounds = idBounds(store, datasetId, kept, reason);
  if (!bounds) return { rows: [], next: null, prev: null };
  const cols = `id, sample_id AS sampleId, question_id AS questionId, kept, drop_reason AS dropReason,
    substr(response, 1, 160) AS preview, length(response) AS length`;
  const from = kept === null ? 'dataset_items NOT INDEXED' : 'dataset_items';
  const backwards = at.before !== undefined && at.after === undefined;
  // One open interval (lo, hi) on id: the planner seeks to its start instead of scanning from the dataset's first item.
  const lo = backwards ? bounds.min - 1 : Math.max(bounds.min - 1, at.after ?? 0);
  const hi = backwards ? Math.min(bounds.max + 1, at.before as number) : bounds.max + 1;
  // Only the conditions in force, so the planner sees plain equalities it can match to the index.
  const where = ['dataset_id = @d', 'id > @lo', 'id < @hi', ...(kept === null ? [] : ['kept = @kept']), ...(reason === null ? [] : ['drop_reason = @reason'])].join(' AND ');
  const args = { d: datasetId, lo, hi, n: at.limit, ...(kept === null ? {} : { kept }), ...(reason === null ? {} : { reason }) };
  const sql = `SELECT ${cols} FROM ${from} WHERE ${where} ORDER BY id ${backwards ? 'DESC' : ''} LIMIT @n`;
  const raw = store.db.prepare(sql).all(args) as (Omit<ItemRow, 'kept'> & { kept: number })[];
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
