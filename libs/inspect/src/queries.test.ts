import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { openReadonlyStore } from './open-store';
import { stageSummary, sampleRunSummaries } from './queries/overview';
import { correctHistogram, datasetPassRates, runPassRates, sortPasses } from './queries/pass-rates';
import { acceptanceBySplit, findDataset } from './queries/datasets';
import { datasetQuestionEntries, questionSamples, sampleDetail } from './queries/samples';
import { parseWrongSteps, segmentText } from './queries/verdict-view';
import { HOSTILE, makeFixture, type Fixture } from './test-helpers';

let fx: Fixture;
let store: Store;
beforeAll(() => {
  fx = makeFixture();
  store = openReadonlyStore(fx.dbPath);
});
afterAll(() => {
  store.close();
  fx.cleanup();
});

describe('overview queries', () => {
  it('counts every table', () => {
    // 14 items in rft@1 (6 kept) + 2 in rft@2 (both kept)
    expect(store.counts()).toEqual({ questions: 4, models: 2, sampleRuns: 1, samples: 14, verdicts: 14, datasets: 2, keptItems: 8, trainingRuns: 1, evaluations: 2 });
  });

  it('summarises stage records per status and per stage', () => {
    const s = stageSummary(store);
    expect(s.records.map((r) => [r.stage, r.key, r.status])).toEqual([
      ['questions', '', 'done'],
      ['sample', '', 'failed'],
      ['train', 'rft/seed1', 'running'],
    ]);
    expect(s.byStatus).toEqual({ done: 1, failed: 1, running: 1 });
    expect(s.byStage.map((x) => [x.stage, x.records, x.done])).toEqual([['questions', 1, 1], ['sample', 1, 0], ['train', 1, 0]]);
  });

  it('summarises sample runs with verdict counts', () => {
    const [r] = sampleRunSummaries(store, 'numeric');
    expect(r).toMatchObject({ name: 'samples-1', modelId: 'base', samples: 14, questions: 4, status: 'done' });
    // correct: q1 2, q3 4, q4 1 = 7; incorrect: q1 1, q2 4 = 5; unparseable 2
    expect(r?.verdicts).toEqual({ correct: 7, incorrect: 5, unparseable: 2, unverified: 0 });
    expect(sampleRunSummaries(store, 'other')[0]?.verdicts).toEqual({ correct: 0, incorrect: 0, unparseable: 0, unverified: 14 });
  });
});

describe('pass rates', () => {
  it('per question of a sample run', () => {
    const rows = runPassRates(store, 1, 'numeric');
    expect(rows.map((r) => [r.questionId, r.split, r.samples, r.correct, r.passRate])).toEqual([
      [1, 'train', 4, 2, 0.5],
      [2, 'train', 4, 0, 0],
      [3, 'train', 4, 4, 1],
      [4, 'test', 2, 1, 0.5],
    ]);
    expect(rows.every((r) => r.kept === null)).toBe(true);
  });

  it('per question of a dataset, with kept items', () => {
    const rows = datasetPassRates(store, 1, 'numeric');
    expect(rows.map((r) => [r.questionId, r.samples, r.correct, r.kept])).toEqual([
      [1, 4, 2, 2],
      [2, 4, 0, 0],
      [3, 4, 4, 3],
      [4, 2, 1, 1],
    ]);
  });

  it('orders hardest and easiest, ties broken by more samples then id', () => {
    const rows = runPassRates(store, 1, 'numeric');
    expect(sortPasses(rows, 'hardest').map((r) => r.questionId)).toEqual([2, 1, 4, 3]);
    expect(sortPasses(rows, 'easiest').map((r) => r.questionId)).toEqual([3, 1, 4, 2]);
    expect(sortPasses(rows, 'id').map((r) => r.questionId)).toEqual([1, 2, 3, 4]);
  });

  it('histograms correct samples per question', () => {
    // q2: 0, q4: 1, q1: 2, q3: 4 → [1, 1, 1, 0, 1]
    expect(correctHistogram(runPassRates(store, 1, 'numeric'))).toEqual([1, 1, 1, 0, 1]);
    expect(correctHistogram([])).toEqual([0]);
  });
});

describe('dataset queries', () => {
  it('finds a dataset by name (latest) or name@version, else names the ones there are', () => {
    expect(findDataset(store, 'rft').version).toBe(2);
    expect(findDataset(store, 'rft@1').version).toBe(1);
    expect(() => findDataset(store, 'rft@3')).toThrow(InputError);
    const err = (() => {
      try {
        findDataset(store, 'nope');
      } catch (e) {
        return e as InputError;
      }
      return null;
    })();
    expect(err?.message).toBe('no dataset "nope" in this run');
    expect(err?.hint).toBe('datasets here: rft@1, rft@2');
  });

  it('splits acceptance by question split', () => {
    // train: q1..q3 = 12 items, kept 2 + 0 + 3; test: q4 = 2 items, kept 1
    expect(acceptanceBySplit(store, 1)).toEqual([
      { split: 'test', items: 2, kept: 1, rate: 0.5 },
      { split: 'train', items: 12, kept: 5, rate: 5 / 12 },
    ]);
  });

  it('gives response length distributions of kept and dropped items', () => {
    const d = store.datasets.lengthCounts(1);
    // kept: 21, 6, 23, 6, 15, 6; dropped: 21, 12, 7, 7, 24, 6, 6, 25
    expect(d.kept).toEqual([{ value: 6, count: 3 }, { value: 15, count: 1 }, { value: 21, count: 1 }, { value: 23, count: 1 }]);
    expect(d.dropped).toEqual([{ value: 6, count: 2 }, { value: 7, count: 2 }, { value: 12, count: 1 }, { value: 21, count: 1 }, { value: 24, count: 1 }, { value: 25, count: 1 }]);
  });

  it('pages items by keyset, forwards and backwards, with any filter', () => {
    const ids = (p: { rows: { id: number }[] }) => p.rows.map((r) => r.id);
    const p1 = store.datasets.itemsPage(1, {}, { limit: 5 });
    expect([ids(p1), p1.prev, p1.next]).toEqual([[1, 2, 3, 4, 5], null, 5]);
    const p3 = store.datasets.itemsPage(1, {}, { after: 10, limit: 5 });
    expect([ids(p3), p3.prev, p3.next]).toEqual([[11, 12, 13, 14], 11, null]); // dataset 2's items 15, 16 never leak in
    const back = store.datasets.itemsPage(1, {}, { before: 11, limit: 5 });
    expect([ids(back), back.prev, back.next]).toEqual([[6, 7, 8, 9, 10], 6, 10]);
    const kept = store.datasets.itemsPage(1, { kept: true }, { limit: 4 });
    expect([ids(kept), kept.next]).toEqual([[1, 2, 9, 10], 10]);
    expect(ids(store.datasets.itemsPage(1, { kept: true }, { after: 10, limit: 4 }))).toEqual([12, 13]);
    const unparseable = store.datasets.itemsPage(1, { reason: 'unparseable' }, { limit: 10 });
    expect([ids(unparseable), unparseable.prev, unparseable.next]).toEqual([[4, 14], null, null]);
    expect(unparseable.rows[1]).toMatchObject({ sampleId: 14, questionId: 4, kept: false, dropReason: 'unparseable', preview: HOSTILE, length: 25 });
    expect(store.datasets.itemsPage(1, { reason: 'no-such' }, { limit: 10 })).toEqual({ rows: [], next: null, prev: null });
    expect(ids(store.datasets.itemsPage(2, {}, { limit: 10 }))).toEqual([15, 16]);
  });
});

describe('question and sample queries', () => {
  it('lists the samples of a question with verdicts and wrong steps, paged', () => {
    const all = questionSamples(store, 1, { verifier: 'numeric', limit: 10, offset: 0 });
    expect(all.total).toBe(4);
    expect(all.rows.map((r) => [r.sampleId, r.sampleIndex, r.verdict?.status, r.verdict?.extracted])).toEqual([
      [1, 0, 'correct', '5'],
      [2, 1, 'correct', '5'],
      [3, 2, 'incorrect', '6'],
      [4, 3, 'unparseable', null],
    ]);
    // "2+3=<<2+3=6>>6\n#### 6": << at 4, >> ends at 13
    expect(all.rows[2]?.verdict?.wrongSteps).toEqual([{ expr: '2+3', claimed: '6', actual: 5, start: 4, end: 13 }]);
    expect(all.rows.every((r) => r.decision === null && r.runName === 'samples-1')).toBe(true);
    const page2 = questionSamples(store, 1, { verifier: 'numeric', limit: 3, offset: 3 });
    expect([page2.total, page2.rows.map((r) => r.sampleId)]).toEqual([4, [4]]);
    expect(questionSamples(store, 1, { verifier: 'numeric', runId: 99, limit: 10, offset: 0 })).toEqual({ rows: [], total: 0 });
  });

  it('gives a question\'s items in a dataset with the filter\'s decisions', () => {
    const rows = datasetQuestionEntries(store, 1, 3, 'numeric');
    expect(rows.map((r) => [r.sampleId, r.decision?.kept, r.decision?.dropReason])).toEqual([
      [9, true, null],
      [10, true, null],
      [11, false, 'duplicate-exact'],
      [12, true, null],
    ]);
    expect(datasetQuestionEntries(store, 2, 3, 'numeric')).toEqual([]);
  });

  it('details one sample: verdicts, log-probs and every dataset it is in', () => {
    const s = sampleDetail(store, 1);
    expect(s).toMatchObject({ id: 1, sampleIndex: 0, seed: 100, finishReason: 'stop', text: '2+3=<<2+3=5>>5\n#### 5' });
    expect(s?.run.name).toBe('samples-1');
    expect(s?.question.goldAnswer).toBe('5');
    expect(s?.tokenLogprobs?.length).toBe(22); // 21 characters + EOS
    expect(s?.verdicts.map((v) => [v.verifier, v.status])).toEqual([['numeric', 'correct']]);
    expect(s?.decisions.map((d) => [d.name, d.version, d.kept, d.dropReason])).toEqual([
      ['rft', 1, true, null],
      ['rft', 2, true, null],
    ]);
    expect(sampleDetail(store, 11)?.decisions.map((d) => [d.version, d.kept, d.dropReason])).toEqual([[1, false, 'duplicate-exact']]);
    expect(sampleDetail(store, 999)).toBeUndefined();
  });
});

describe('wrong-step highlighting', () => {
  const text = 'a <<1+1=3>> b <<2+2=5>>';
  const step = (start: number, end: number) => ({ expr: 'x', claimed: 'y', actual: 1, start, end });

  it('keeps steps inside the text, in order, without overlaps', () => {
    const detail = { wrongSteps: [step(14, 23), step(2, 11), step(5, 15), step(20, 40), { start: 'x' }] };
    expect(parseWrongSteps(detail, text).map((s) => [s.start, s.end])).toEqual([[2, 11], [14, 23]]);
    expect(parseWrongSteps({ wrongSteps: 'not a list' }, text)).toEqual([]);
    expect(parseWrongSteps({}, text)).toEqual([]);
  });

  it('cuts a text into plain and wrong segments that join back to it', () => {
    const segs = segmentText(text, [step(2, 11), step(14, 23)]);
    expect(segs.map((s) => [s.text, s.wrong !== null])).toEqual([['a ', false], ['<<1+1=3>>', true], [' b ', false], ['<<2+2=5>>', true]]);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    expect(segmentText('', [])).toEqual([{ text: '', wrong: null }]);
  });
});
