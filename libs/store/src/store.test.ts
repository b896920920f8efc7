import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Store } from './store';
import { migrations } from './migrations';
import { type QuestionInput } from './questions';
import { rawConnection, removeTempStores, tempStorePath as tempDb } from './test-helpers';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
afterEach(removeTempStores);

const q = (text: string, gold: string): QuestionInput => ({
  text,
  goldAnswer: gold,
  goldSolution: `${gold}\n#### ${gold}`,
  difficulty: 1,
  meta: { note: text.length },
});

describe('store', () => {
  it('creates the file with WAL, foreign keys and every table', () => {
    const path = tempDb();
    const store = Store.open(path);
    expect(store.schemaVersion).toBe(migrations.at(-1)!.version);
    const raw = rawConnection(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal'); // WAL is a property of the file
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    raw.close();
    for (const t of [
      'questions', 'models', 'sample_runs', 'samples', 'verdicts', 'datasets', 'dataset_items',
      'training_runs', 'training_metrics', 'evaluations', 'stage_records',
    ]) {
      expect(tables).toContain(t);
    }
    store.close();
  });

  it('enforces foreign keys', () => {
    const store = Store.open(tempDb());
    const verdict = { sampleId: 999, verifier: 'numeric', status: 'correct' as const, extracted: '1', reason: 'x', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} };
    expect(() => store.verdicts.upsertMany([verdict])).toThrow(/FOREIGN KEY/);
    store.close();
  });

  it('inserts questions idempotently and keeps a question in one split of its set', () => {
    const path = tempDb();
    const store = Store.open(path);
    const first = store.questions.insertMany('s', 'train', 'test', [q('a?', '1'), q('b?', '2')]);
    expect(first).toEqual({ inserted: 2, duplicates: 0 });
    const again = store.questions.insertMany('s', 'train', 'test', [q('a?', '1'), q('b?', '2'), q('c?', '3')]);
    expect(again).toEqual({ inserted: 1, duplicates: 2 });
    expect(store.questions.insertMany('s', 'test', 'test', [q('a?', '1')])).toEqual({ inserted: 0, duplicates: 1 });
    expect(store.questions.insertMany('other', 'test', 'test', [q('a?', '1')]).inserted).toBe(1);
    store.close();

    const reopened = Store.open(path);
    expect(reopened.questions.count({ set: 's' })).toBe(3);
    expect(reopened.questions.count({ set: 's', split: 'train' })).toBe(3);
    expect(reopened.questions.count()).toBe(4);
    const rows = reopened.questions.list({ set: 's', limit: 2, offset: 1 });
    expect(rows.map((r) => r.text)).toEqual(['b?', 'c?']);
    expect(rows[0]!.meta).toEqual({ note: 2 });
    expect(reopened.questions.summary()).toEqual([
      { set: 'other', split: 'test', source: 'test', count: 1 },
      { set: 's', split: 'train', source: 'test', count: 3 },
    ]);
    reopened.close();
  });

  it('writes a batch all or nothing', () => {
    const store = Store.open(tempDb());
    const bad = { ...q('z?', '9'), text: null as unknown as string };
    expect(() => store.questions.insertMany('s', 'train', 'x', [q('x?', '1'), q('y?', '2'), bad])).toThrow();
    expect(store.questions.count()).toBe(0);
    store.close();
  });

  it('a process killed mid-import leaves no half set', () => {
    const path = tempDb();
    Store.open(path).close();
    const script = join(dirname(path), 'crash.ts');
    writeFileSync(
      script,
      `import { Store } from ${JSON.stringify(join(repoRoot, 'libs/store/src/index.ts'))};
const store = Store.open(${JSON.stringify(path)});
const qs = Array.from({ length: 1000 }, (_, i) => ({ text: 'q' + i, goldAnswer: String(i), goldSolution: null, difficulty: null, meta: {} }));
store.transaction(() => {
  store.questions.insertMany('s', 'train', 'crash', qs);
  process.kill(process.pid, 'SIGKILL');
});
`,
    );
    const res = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.base.json') },
      encoding: 'utf8',
    });
    expect(res.signal).toBe('SIGKILL');
    const store = Store.open(path);
    expect(store.questions.count()).toBe(0);
    store.close();
  });

  it('refuses a store made by a newer sieve, and a missing file in read-only mode', () => {
    const path = tempDb();
    Store.open(path).close();
    const raw = rawConnection(path);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => Store.open(path)).toThrow(/schema v999, newer/);
    expect(() => Store.open(join(tmpdir(), 'nope-sieve', 'x.sqlite'), { readonly: true })).toThrow(/cannot open the store/);
  });

  it('records stage fingerprints, status and duration', () => {
    const store = Store.open(tempDb());
    store.stages.start('sample', '', 'abc');
    expect(store.stages.get('sample')?.status).toBe('running');
    store.stages.finish('sample', '', 'done', { samples: 4 });
    const rec = store.stages.get('sample')!;
    expect(rec.status).toBe('done');
    expect(rec.fingerprint).toBe('abc');
    expect(rec.info).toEqual({ samples: 4 });
    expect(rec.durationMs).toBeGreaterThanOrEqual(0);
    store.stages.markStale('sample');
    expect(store.stages.get('sample')?.status).toBe('stale');
    store.close();
  });
});
