import type { DatasetRow, Store } from '@sieve/store';
import { analyseDataset, type DatasetAnalysis } from './inspect';
import { runPassRates, type QuestionPass } from './queries/pass-rates';
import { Lru } from './token-probs';

/**
 * Aggregates the viewer reuses across requests. A dataset version never changes once written,
 * so its analysis is kept as is; a sample run may still grow, so its per-question rows are keyed
 * by the newest sample and verdict ids (two rowid lookups) and recomputed when either moves.
 */
export class ViewerCache {
  private readonly datasets = new Lru<number, DatasetAnalysis>(4);
  private readonly runs = new Lru<string, QuestionPass[]>(4);

  constructor(private readonly store: Store) {}

  dataset(d: DatasetRow): DatasetAnalysis {
    let a = this.datasets.get(d.id);
    if (!a) {
      a = analyseDataset(this.store, d, { top: 10 });
      this.datasets.set(d.id, a);
    }
    return a;
  }

  runPasses(runId: number, verifier: string): QuestionPass[] {
    const latest = this.store.db.prepare('SELECT (SELECT MAX(id) FROM samples), (SELECT MAX(id) FROM verdicts)').raw().get() as [number | null, number | null];
    const key = `${runId}\u0000${verifier}\u0000${latest[0]}\u0000${latest[1]}`;
    let rows = this.runs.get(key);
    if (!rows) {
      rows = runPassRates(this.store, runId, verifier);
      this.runs.set(key, rows);
    }
    return rows;
  }
}
