import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { type SampleInput } from './samples';

const dirs: string[] = [];
function open(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-repos-'));
  dirs.push(dir);
  return Store.open(join(dir, 'sieve.sqlite'));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function seeded(store: Store): { runId: number; qIds: number[] } {
  store.questions.insertMany('s', 'train', 'x', [
    { text: 'q1', goldAnswer: '1', goldSolution: null, difficulty: null, meta: {} },
    { text: 'q2', goldAnswer: '2', goldSolution: null, difficulty: null, meta: {} },
  ]);
  const qIds = store.questions.list({ set: 's' }).map((q) => q.id);
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: { dim: 8 }, parentId: null, meta: {} });
  const run = store.samples.ensureRun({ name: 'r1', modelId: 'base', set: 's', split: 'train', params: { k: 2 }, seed: 5 });
  return { runId: run.id, qIds };
}

const sample = (questionId: number, sampleIndex: number, text: string): SampleInput => ({
  questionId,
  sampleIndex,
  seed: 100 + sampleIndex,
  text,
  tokenCount: text.length,
  logprobSum: -1.5,
  tokenLogprobs: new Float32Array([-0.5, -1, 0]),
  finishReason: 'stop',
});

describe('sample, verdict, dataset, training and evaluation repos', () => {
  it('stores samples with compact per-token log-probs and never duplicates one', () => {
    const store = open();
    const { runId, qIds } = seeded(store);
    expect(store.samples.ensureRun({ name: 'r1', modelId: 'base', set: 's', split: 'train', params: {}, seed: 0 }).id).toBe(runId);
    expect(store.samples.insertMany(runId, [sample(qIds[0]!, 0, 'a'), sample(qIds[0]!, 1, 'b')])).toBe(2);
    expect(store.samples.insertMany(runId, [sample(qIds[0]!, 1, 'other'), sample(qIds[1]!, 0, 'c')])).toBe(1);
    const rows = store.samples.list(runId);
    expect(rows.map((r) => r.text)).toEqual(['a', 'b', 'c']);
    expect(Array.from(rows[0]!.tokenLogprobs!)).toEqual([-0.5, -1, 0]);
    expect(store.samples.countsByQuestion(runId).get(qIds[0]!)).toBe(2);
    expect(store.samples.existingKeys(runId).has(`${qIds[1]}:0`)).toBe(true);
    store.close();
  });

  it('keeps one verdict per sample and verifier, and knows what is left to verify', () => {
    const store = open();
    const { runId, qIds } = seeded(store);
    store.samples.insertMany(runId, [sample(qIds[0]!, 0, '#### 1'), sample(qIds[1]!, 0, '#### 3')]);
    const [s1, s2] = store.samples.list(runId);
    const v = { extracted: '1', reason: 'r', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} };
    store.verdicts.upsertMany([{ ...v, sampleId: s1!.id, verifier: 'numeric', status: 'correct' }]);
    expect(store.verdicts.unverifiedBatch(runId, 'numeric', 0, 10).map((x) => x.id)).toEqual([s2!.id]);
    store.verdicts.upsertMany([
      { ...v, sampleId: s1!.id, verifier: 'numeric', status: 'incorrect' },
      { ...v, sampleId: s1!.id, verifier: 'other', status: 'correct' },
    ]);
    expect(store.verdicts.forSample(s1!.id).map((x) => [x.verifier, x.status])).toEqual([
      ['numeric', 'incorrect'],
      ['other', 'correct'],
    ]);
    expect(store.verdicts.counts(runId, 'numeric')).toEqual({ correct: 0, incorrect: 1, unparseable: 0, unverified: 1 });
    const judged = store.verdicts.judged(runId, 'numeric');
    expect(judged.map((j) => [j.goldAnswer, j.status])).toEqual([
      ['1', 'incorrect'],
      ['2', null],
    ]);
    store.close();
  });

  it('versions datasets instead of overwriting them and counts drops per reason', () => {
    const store = open();
    const { runId } = seeded(store);
    const item = (kept: boolean, reason: string | null) => ({ sampleId: null, questionId: null, prompt: 'p', response: 'r', kept, dropReason: reason });
    const d1 = store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: { a: 1 }, stats: {} }, [
      item(true, null),
      item(false, 'incorrect'),
      item(false, 'incorrect'),
      item(false, 'duplicate'),
    ]);
    const d2 = store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: runId, rules: { a: 2 }, stats: {} }, [item(true, null)]);
    expect([d1.version, d2.version]).toEqual([1, 2]);
    expect(store.datasets.byName('rft')!.rules).toEqual({ a: 2 });
    expect(store.datasets.byName('rft', 1)!.rules).toEqual({ a: 1 });
    expect(store.datasets.items(d1.id, { kept: true })).toHaveLength(1);
    expect(store.datasets.dropCounts(d1.id)).toEqual({ incorrect: 2, duplicate: 1 });
    store.close();
  });

  it('records training metrics, replaces a step written again and truncates after a resume point', () => {
    const store = open();
    seeded(store);
    const run = store.training.ensureRun({ name: 't', method: 'dft', datasetId: null, baseModelId: 'base', seed: 1, config: {} });
    store.training.addMetrics(run.id, [1, 2, 3].map((step) => ({ step, kind: 'train' as const, values: { loss: step } })));
    store.training.addMetrics(run.id, [{ step: 2, kind: 'train', values: { loss: 20 } }]);
    expect(store.training.metrics(run.id).map((m) => m.values['loss'])).toEqual([1, 20, 3]);
    store.training.truncateMetrics(run.id, 1);
    expect(store.training.metrics(run.id)).toHaveLength(1);
    store.training.finish(run.id, 'done', 'base');
    expect(store.training.get('t')!.status).toBe('done');
    const id = store.evaluations.add({ modelId: 'base', set: 's', split: 'test', settings: { n: 4 }, n: 4, avgAtN: 0.25, greedy: 0.5, passAtK: { '1': 0.25 }, questions: 2, detail: {} });
    expect(store.evaluations.list({ modelId: 'base' })[0]!.id).toBe(id);
    store.close();
  });
});
