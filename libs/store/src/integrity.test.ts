/** Issue 16: non-finite values, reruns of the sample stage, damaged store files. */
import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SieveError } from '@sieve/core';
import { Store } from './store';
import type { SampleInput } from './samples';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-integrity-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function seeded(): { store: Store; runId: number; q: number } {
  const store = Store.open(join(tempDir(), 'sieve.sqlite'));
  store.questions.insertMany('s', 'train', 'x', [{ text: 'q1', goldAnswer: '1', goldSolution: null, difficulty: null, meta: {} }]);
  const q = store.questions.list({ set: 's' })[0]!.id;
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  const runId = store.samples.ensureRun({ name: 'r1', modelId: 'base', set: 's', split: 'train', params: {}, seed: 1 }).id;
  return { store, runId, q };
}

const sample = (questionId: number, sampleIndex: number, logprobSum: number): SampleInput => ({
  questionId,
  sampleIndex,
  seed: 1,
  text: 'x',
  tokenCount: 1,
  logprobSum,
  tokenLogprobs: new Float32Array([logprobSum]),
  finishReason: 'stop',
});

describe('samples with non-finite log-probs', () => {
  it('are an error naming the sample, and nothing of the batch is written', () => {
    const { store, runId, q } = seeded();
    expect(() => store.samples.insertMany(runId, [sample(q, 0, -1), sample(q, 1, NaN)])).toThrow(/question \d+, index 1.*non-finite log-prob \(NaN\)/);
    expect(() => store.samples.insertMany(runId, [sample(q, 2, -Infinity)])).toThrow(/non-finite log-prob \(-Infinity\)/);
    expect(store.samples.count(runId)).toBe(0);
    // The one conflict still ignored: the same (question, index) again.
    expect(store.samples.insertMany(runId, [sample(q, 0, -1)])).toBe(1);
    expect(store.samples.insertMany(runId, [sample(q, 0, -2)])).toBe(0);
    store.close();
  });
});

describe('deleting a sample run (rerun of the sample stage)', () => {
  it('removes the datasets built on it and detaches the training runs that read them, in one go', () => {
    const { store, runId, q } = seeded();
    store.samples.insertMany(runId, [sample(q, 0, -1), sample(q, 1, -2)]);
    const [s0, s1] = store.samples.list(runId);
    const item = { sampleId: s0!.id, questionId: q, prompt: 'p', response: 'r', kept: true, dropReason: null };
    const rft = store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: {}, stats: {} }, [item]);
    store.datasets.create({ name: 'pairs', kind: 'pairs', sampleRunId: runId, rules: {}, stats: {} }, [{ ...item, rejectedSampleId: s1!.id, rejectedResponse: 'no' }]);
    const other = store.datasets.create({ name: 'imported', kind: 'imported', sampleRunId: null, rules: {}, stats: {} }, [{ ...item, sampleId: null }]);
    const tr = store.training.ensureRun({ name: 'sft', method: 'sft', datasetId: rft.id, baseModelId: 'base', seed: 1, config: {} });
    store.training.addMetrics(tr.id, [{ step: 1, kind: 'train', values: { loss: 1 } }]);
    store.training.ensureRun({ name: 'keep', method: 'sft', datasetId: other.id, baseModelId: 'base', seed: 1, config: {} });

    // Before the fix this was `FOREIGN KEY constraint failed` (dataset items point at the samples).
    expect(store.samples.deleteRun(runId)).toEqual({ samples: 2, datasets: 2, trainingRunsDetached: 1 });
    expect(store.samples.getRun(runId)).toBeUndefined();
    expect(store.datasets.list().map((d) => d.name)).toEqual(['imported']);
    // The training run and its metrics stay (the report reads them); only its link to the dataset goes.
    expect(store.training.list().map((t) => [t.name, t.datasetId])).toEqual([['sft', null], ['keep', other.id]]);
    expect(store.training.metrics(tr.id).map((m) => m.values)).toEqual([{ loss: 1 }]);
    expect(store.datasets.items(other.id).length).toBe(1);
    store.close();
  });
});

describe('deleting a dataset by name (rerun of the filter stage)', () => {
  it('removes every version and its items, detaches the training runs that read it, and touches nothing else', () => {
    const { store, runId, q } = seeded();
    store.samples.insertMany(runId, [sample(q, 0, -1)]);
    const s0 = store.samples.list(runId)[0]!;
    const item = { sampleId: s0.id, questionId: q, prompt: 'p', response: 'r', kept: true, dropReason: null };
    const v1 = store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: {}, stats: {} }, [item]);
    store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: {}, stats: {} }, [item]);
    const other = store.datasets.create({ name: 'pairs', kind: 'pairs', sampleRunId: runId, rules: {}, stats: {} }, [item]);
    store.training.ensureRun({ name: 'sft', method: 'sft', datasetId: v1.id, baseModelId: 'base', seed: 1, config: {} });
    store.training.ensureRun({ name: 'dpo', method: 'dpo', datasetId: other.id, baseModelId: 'base', seed: 1, config: {} });
    expect(store.datasets.deleteByName('rft')).toEqual({ datasets: 2, trainingRunsDetached: 1 });
    expect(store.datasets.list().map((d) => `${d.name} v${d.version}`)).toEqual(['pairs v1']);
    expect(store.training.list().map((t) => [t.name, t.datasetId])).toEqual([['sft', null], ['dpo', other.id]]);
    expect(store.datasets.items(other.id).length).toBe(1);
    // Rebuilt, it is v1 again.
    expect(store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: {}, stats: {} }, [item]).version).toBe(1);
    store.close();
  });
});

describe('a damaged store file', () => {
  const expectDamaged = (path: string, cause: RegExp): void => {
    let err: unknown;
    try {
      Store.open(path).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SieveError);
    const e = err as SieveError;
    expect(e.message).toContain(path);
    expect(e.message).toMatch(cause);
    expect(e.where).toBe(path);
    expect(e.hint).toMatch(/restore .*backup.*another name/);
  };

  it('that is not a database at all names the file and says what to do', () => {
    const path = join(tempDir(), 'sieve.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0x41));
    expectDamaged(path, /file is not a database/);
  });

  it('whose schema page is garbled names the file and says what to do', () => {
    const { store } = seeded();
    const path = store.path;
    store.close(); // the last connection's close checkpoints the WAL into the file
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(3000, 0x5a), 0, 3000, 100); // after the 100-byte header: the sqlite_master b-tree page
    closeSync(fd);
    expectDamaged(path, /malformed/);
  });
});
