/**
 * The viewer's tuned statements, as the store runs them, keep their query plans: pages are index
 * range scans from the key (cost independent of depth), per-question tallies walk an index and
 * never sort or scan every sample. A changed statement or index that loses this fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { Store } from './store';
import { itemsPageSql } from './dataset-item-pages';
import { questionSamplesSql } from './samples';
import { RUN_TALLY_SQL } from './verdicts';
import { rawConnection, removeTempStores, seedRun, tempStorePath } from './test-helpers';

let db: Database.Database;
beforeAll(() => {
  const path = tempStorePath();
  const store = Store.open(path);
  seedRun(store);
  store.close();
  db = rawConnection(path, { readonly: true });
});
afterAll(() => {
  db.close();
  removeTempStores();
});

// Every named parameter any of the statements uses (better-sqlite3 ignores the ones a statement lacks).
const ARGS = { d: 1, lo: 0, hi: 8, kept: 1, reason: 'incorrect', n: 5, q: 1, run: 1, verifier: 'numeric', limit: 5, offset: 0 };
const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(ARGS) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('query plans', () => {
  it('pages dataset items by index range scans, never a scan or a sort', () => {
    for (const backwards of [false, true]) {
      for (const reason of [false, true]) {
        const p = plan(itemsPageSql(true, reason, backwards));
        expect(p).toMatch(/SEARCH dataset_items USING (COVERING )?INDEX dataset_items_dataset \(dataset_id=\? AND kept=\? AND rowid>\? AND rowid<\?\)/);
        expect(p).not.toMatch(/TEMP B-TREE|SCAN dataset_items/);
      }
      const all = plan(itemsPageSql(false, false, backwards));
      expect(all).toMatch(/SEARCH dataset_items USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
      expect(all).not.toMatch(/TEMP B-TREE|SCAN dataset_items/);
    }
  });

  it('finds a question\'s samples by index and their verdicts by (sample, verifier)', () => {
    const any = questionSamplesSql(false);
    expect(plan(any.rows)).toMatch(/SEARCH s USING INDEX samples_question \(question_id=\?\)/);
    const one = questionSamplesSql(true);
    expect(plan(one.rows)).toMatch(/SEARCH s USING INDEX sqlite_autoindex_samples_1 \(run_id=\? AND question_id=\?\)/);
    expect(plan(one.total)).toMatch(/SEARCH s USING COVERING INDEX sqlite_autoindex_samples_1 \(run_id=\? AND question_id=\?\)/);
    for (const p of [plan(any.rows), plan(one.rows)]) {
      expect(p).toMatch(/SEARCH v USING INDEX sqlite_autoindex_verdicts_1 \(sample_id=\? AND verifier=\?\)/);
      expect(p).not.toMatch(/SCAN (s|v|r)\b/);
    }
  });

  it('tallies a run per question by walking its index, one verdict probe per sample', () => {
    const p = plan(RUN_TALLY_SQL);
    expect(p).toMatch(/SEARCH s USING COVERING INDEX sqlite_autoindex_samples_1 \(run_id=\?\)/);
    expect(p).toMatch(/SEARCH v USING INDEX sqlite_autoindex_verdicts_1 \(sample_id=\? AND verifier=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE FOR GROUP BY|SCAN (s|v)\b/); // the only sort is of the per-question rows
  });
});
