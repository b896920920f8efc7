/** For tests only: store files in temp folders, and a raw connection to look under the repos. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './store';
import type { SampleInput } from './samples';
import type { VerdictInput, VerdictStatus } from './verdicts';
import type { DatasetItemInput } from './datasets';

/** Temp folders made by `tempStorePath`; call `removeTempStores` in afterEach/afterAll. */
const dirs: string[] = [];

/** A path for a new store file in a fresh temp folder (the file itself not yet created). */
export function tempStorePath(prefix = 'sieve-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return join(dir, 'run', 'sieve.sqlite');
}

export function removeTempStores(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A second, raw connection to a store file: for tests of the schema itself (pragmas, tables,
 * query plans) that no repository method should offer. Close it after use.
 */
export function rawConnection(path: string, opts: { readonly?: boolean } = {}): Database.Database {
  return new Database(path, { readonly: opts.readonly ?? false, fileMustExist: true });
}

type VerdictSpec = [sampleId: number, verifier: string, status: VerdictStatus];

/**
 * A small run, every number worked out by hand (ids are insertion order in a fresh file):
 *   questions (set s): 1 "a?" gold 1 train · 2 "b?" gold 2 train · 3 "c?" gold 3 test; model base.
 *   run r1: samples 1-3 of q1 ("#### 1", "#### 7", "no"), 4-5 of q2 ("#### 2", "#### 2!"), 6 of q3 ("#### 3");
 *   run r2: sample 7 of q1 ("#### 1").
 *   verdicts numeric: 1 correct, 2 incorrect, 3 unparseable, 4 correct, 6 correct, 7 correct (5 has none);
 *            other:   1 incorrect, 2 correct.
 *   dataset rft v1 (from r1): items 1-6 = samples 1-6, kept 1, 4, 6; dropped 2 "incorrect", 3 "unparseable",
 *            5 "unverified"; item 7 has no sample and no question ("x", dropped "incorrect").
 *   dataset rft v2 (from r1): items 8, 9 = samples 1, 4, both kept.
 */
export function seedRun(store: Store): void {
  store.questions.insertMany('s', 'train', 'hand', [
    { text: 'a?', goldAnswer: '1', goldSolution: null, difficulty: null, meta: {} },
    { text: 'b?', goldAnswer: '2', goldSolution: null, difficulty: null, meta: {} },
  ]);
  store.questions.insertMany('s', 'test', 'hand', [{ text: 'c?', goldAnswer: '3', goldSolution: null, difficulty: null, meta: {} }]);
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  const sample = (questionId: number, sampleIndex: number, text: string): SampleInput => ({
    questionId,
    sampleIndex,
    seed: sampleIndex,
    text,
    tokenCount: text.length,
    logprobSum: -1,
    tokenLogprobs: null,
    finishReason: 'stop',
  });
  const r1 = store.samples.ensureRun({ name: 'r1', modelId: 'base', set: 's', split: null, params: {}, seed: 1 });
  store.samples.insertMany(r1.id, [sample(1, 0, '#### 1'), sample(1, 1, '#### 7'), sample(1, 2, 'no'), sample(2, 0, '#### 2'), sample(2, 1, '#### 2!'), sample(3, 0, '#### 3')]);
  const r2 = store.samples.ensureRun({ name: 'r2', modelId: 'base', set: 's', split: null, params: {}, seed: 2 });
  store.samples.insertMany(r2.id, [sample(1, 0, '#### 1')]);
  const verdicts: VerdictSpec[] = [
    [1, 'numeric', 'correct'], [2, 'numeric', 'incorrect'], [3, 'numeric', 'unparseable'], [4, 'numeric', 'correct'],
    [6, 'numeric', 'correct'], [7, 'numeric', 'correct'], [1, 'other', 'incorrect'], [2, 'other', 'correct'],
  ];
  store.verdicts.upsertMany(
    verdicts.map(([sampleId, verifier, status]): VerdictInput => ({
      sampleId, verifier, status, extracted: null, reason: status, stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: { wrongSteps: [] },
    })),
  );
  const texts = ['#### 1', '#### 7', 'no', '#### 2', '#### 2!', '#### 3'];
  const decisions: (string | null)[] = [null, 'incorrect', 'unparseable', null, 'unverified', null];
  const questionOf = [1, 1, 1, 2, 2, 3];
  const items: DatasetItemInput[] = texts.map((response, i) => ({
    sampleId: i + 1,
    questionId: questionOf[i] as number,
    prompt: 'p',
    response,
    kept: decisions[i] === null,
    dropReason: decisions[i] as string | null,
  }));
  items.push({ sampleId: null, questionId: null, prompt: 'p', response: 'x', kept: false, dropReason: 'incorrect' });
  store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: r1.id, rules: {}, stats: {} }, items);
  store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: r1.id, rules: {}, stats: {} }, [items[0], items[3]] as DatasetItemInput[]);
}
