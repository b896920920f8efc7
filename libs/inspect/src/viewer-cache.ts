import type { DatasetRow, Store } from '@sieve/store';
import { analyseDataset, type DatasetAnalysis } from './inspect';
import { runPassRates, type QuestionPass } from './queries/pass-rates';
import { Lru } from './lru';

/**
 * Aggregates the viewer reuses across requests (per-question rows, counts over all samples).
 * SQLite's `data_version` changes whenever another connection commits to the file, so every
 * entry is dropped as soon as a pipeline stage writes anything: never stale, and while nothing
 * changes a page costs its own page-sized queries only.
 */
export class ViewerCache {
  private readonly entries = new Lru<string, unknown>(32);
  private version: number | null = null;

  constructor(private readonly store: Store) {}

  /** Drops everything if the store changed since the last call. Call once per request. */
  refresh(): void {
    const v = this.store.dataVersion();
    if (v !== this.version) {
      this.entries.clear();
      this.version = v;
    }
  }

  memo<T>(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit as T;
    const value = compute();
    this.entries.set(key, value);
    return value;
  }

  dataset(d: DatasetRow): DatasetAnalysis {
    return this.memo(`dataset\u0000${d.id}`, () => analyseDataset(this.store, d, { top: 10 }));
  }

  runPasses(runId: number, verifier: string): QuestionPass[] {
    return this.memo(`passes\u0000${runId}\u0000${verifier}`, () => runPassRates(this.store, runId, verifier));
  }
}
