/**
 * Store v3 (samples.logprob_sum nullable) upgrades a real file made with the v2 schema in place:
 * every row kept with its id, the references into samples (verdicts, dataset items) intact, the
 * cascade still wired, foreign keys back on, and null log-probs storable afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './db';
import { migrations } from './migrations';
import { Store } from './store';
import { rawConnection, removeTempStores, tempStorePath } from './test-helpers';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

afterEach(removeTempStores);

/** A store file at schema v2 (as sieve wrote it before v3) with rows in every table that points at samples. */
function oldStore(opts: { danglingVerdict?: boolean } = {}): string {
  const path = tempStorePath('sieve-store-v2-');
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.filter((m) => m.version <= 2), path);
  db.exec(`
INSERT INTO questions (id, set_name, split, source, text, gold_answer, content_hash) VALUES (1, 's', 'train', 'hand', 'a?', '1', 'h1');
INSERT INTO models (id, kind, path, config) VALUES ('base', 'base', 'models/base', '{}');
INSERT INTO sample_runs (id, name, model_id, set_name, params, seed) VALUES (1, 'r1', 'base', 's', '{}', 1);
INSERT INTO samples (id, run_id, question_id, sample_index, seed, text, token_count, logprob_sum, token_logprobs, finish_reason)
  VALUES (10, 1, 1, 0, 5, '#### 1', 4, -1.5, X'0000c0bf', 'stop'), (11, 1, 1, 1, 6, '#### 7', 4, -9.25, NULL, 'length');
INSERT INTO verdicts (sample_id, verifier, status, reason) VALUES (10, 'numeric', 'correct', 'ok'), (11, 'numeric', 'incorrect', 'no');
INSERT INTO datasets (id, name, version, kind, sample_run_id) VALUES (1, 'rft', 1, 'rft', 1);
INSERT INTO dataset_items (dataset_id, sample_id, question_id, prompt, response, kept, rejected_sample_id) VALUES (1, 10, 1, 'p', '#### 1', 1, 11);
`);
  if (opts.danglingVerdict) {
    db.pragma('foreign_keys = OFF');
    db.exec(`INSERT INTO verdicts (sample_id, verifier, status, reason) VALUES (999, 'numeric', 'correct', 'orphan')`);
  }
  expect(db.pragma('user_version', { simple: true })).toBe(2);
  db.close();
  return path;
}

describe('store migration v3: nullable log-probs', () => {
  it('upgrades a v2 file in place, losing nothing, and then stores null log-probs', () => {
    const path = oldStore();
    const store = Store.open(path);
    expect(store.schemaVersion).toBe(3);
    const rows = store.samples.list(1);
    expect(rows.map((r) => [r.id, r.seed, r.text, r.tokenCount, r.logprobSum, r.finishReason])).toEqual([
      [10, 5, '#### 1', 4, -1.5, 'stop'],
      [11, 6, '#### 7', 4, -9.25, 'length'],
    ]);
    expect(Array.from(rows[0]!.tokenLogprobs!)).toEqual([-1.5]); // 0xbfc00000 little-endian
    expect(rows[1]!.tokenLogprobs).toBeNull();
    expect(store.verdicts.forSample(10).map((v) => v.status)).toEqual(['correct']);
    expect(store.verdicts.forSample(11).map((v) => v.status)).toEqual(['incorrect']);

    // a sample without log-probs (an OpenAI-compatible server that returned none)
    expect(store.samples.insertMany(1, [{ questionId: 1, sampleIndex: 2, seed: 7, text: '#### 1', tokenCount: 3, logprobSum: null, tokenLogprobs: null, finishReason: 'stop' }])).toBe(1);
    expect(store.samples.list(1).find((r) => r.sampleIndex === 2)).toMatchObject({ logprobSum: null, tokenLogprobs: null, tokenCount: 3 });
    // per-token log-probs without their sum is refused
    expect(() => store.samples.insertMany(1, [{ questionId: 1, sampleIndex: 3, seed: 8, text: 'x', tokenCount: 1, logprobSum: null, tokenLogprobs: Float32Array.of(-1), finishReason: 'stop' }])).toThrow(/per-token log-probs but no log-prob sum/);

    const raw = rawConnection(path);
    // foreign keys are on again on the store's connection: a verdict for no sample is refused
    expect(() => store.verdicts.upsertMany([{ sampleId: 999, verifier: 'numeric', status: 'correct', extracted: null, reason: 'x', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: { wrongSteps: [] } }])).toThrow(/FOREIGN KEY/);
    expect(raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'samples'").pluck().get()).toMatch(/logprob_sum\s+REAL,/);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'samples' AND name NOT LIKE 'sqlite_%'").pluck().all()).toEqual(['samples_question']);
    expect(raw.prepare('SELECT sample_id, rejected_sample_id FROM dataset_items').all()).toEqual([{ sample_id: 10, rejected_sample_id: 11 }]);
    raw.close();

    // the cascade from runs to samples to verdicts still works on the rebuilt table
    expect(store.samples.deleteRun(1)).toEqual({ samples: 3, datasets: 1, trainingRunsDetached: 0 });
    expect(store.verdicts.forSample(10)).toEqual([]);
    store.close();
  });

  it('a v2 file with a broken reference is left as it was, with a message naming it', () => {
    const path = oldStore({ danglingVerdict: true });
    expect(() => Store.open(path)).toThrow(/migration v3 .* broken reference\(s\), e\.g\. verdicts row 3 → samples/);
    const raw = rawConnection(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    expect(raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'samples'").pluck().get()).toMatch(/logprob_sum\s+REAL NOT NULL/);
    expect(raw.prepare('SELECT count(*) FROM samples').pluck().get()).toBe(2);
    raw.close();
  });
});
