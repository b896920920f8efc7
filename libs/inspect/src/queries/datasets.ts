import { InputError } from '@sieve/core';
import type { DatasetRow, Store } from '@sieve/store';

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
  return store.datasets.acceptanceBySplit(datasetId).map((r) => ({ ...r, rate: r.items > 0 ? r.kept / r.items : null }));
}
