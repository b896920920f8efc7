/** The queries the viewer, the report and the verify stage run, on a real store file (fixture: seedRun). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from './store';
import { removeTempStores, seedRun, tempStorePath } from './test-helpers';

let path = '';
let store: Store;
beforeAll(() => {
  path = tempStorePath();
  store = Store.open(path);
  seedRun(store);
});
afterAll(() => {
  store.close();
  removeTempStores();
});

describe('store-wide', () => {
  it('counts the rows of every table', () => {
    // verdicts: 6 numeric + 2 other; kept items: 1, 4, 6 of v1 + 8, 9 of v2
    expect(store.counts()).toEqual({ questions: 3, models: 1, sampleRuns: 2, samples: 7, verdicts: 8, datasets: 2, keptItems: 5, trainingRuns: 0, evaluations: 0 });
  });

  it('changes its data version when another connection commits, not on its own reads or writes', () => {
    const reader = Store.open(path, { readonly: true });
    try {
      const v0 = reader.dataVersion();
      reader.counts();
      expect(reader.dataVersion()).toBe(v0);
      const own = store.dataVersion();
      store.stages.start('probe', '', 'fp');
      expect(store.dataVersion()).toBe(own);
      expect(reader.dataVersion()).not.toBe(v0);
    } finally {
      reader.close();
    }
  });
});

describe('datasets', () => {
  it('counts items, kept items and distinct questions', () => {
    expect(store.datasets.itemCounts(1)).toEqual({ items: 7, kept: 3 });
    expect(store.datasets.itemCounts(2)).toEqual({ items: 2, kept: 2 });
    expect(store.datasets.itemCounts(99)).toEqual({ items: 0, kept: 0 });
    expect(store.datasets.questionCount(1)).toBe(3); // item 7 has no question
    expect(store.datasets.questionCount(2)).toBe(2);
  });

  it('splits acceptance by question split, items without a question under "—"', () => {
    // test: item 6 (kept); train: items 1-5 (kept 1, 4); —: item 7. "—" sorts after ASCII.
    expect(store.datasets.acceptanceBySplit(1)).toEqual([
      { split: 'test', items: 1, kept: 1 },
      { split: 'train', items: 5, kept: 2 },
      { split: '—', items: 1, kept: 0 },
    ]);
  });

  it('counts response lengths of kept and dropped items', () => {
    // kept: "#### 1", "#### 2", "#### 3" (6 each); dropped: "#### 7" 6, "no" 2, "#### 2!" 7, "x" 1
    expect(store.datasets.lengthCounts(1)).toEqual({
      kept: [{ value: 6, count: 3 }],
      dropped: [{ value: 1, count: 1 }, { value: 2, count: 1 }, { value: 6, count: 1 }, { value: 7, count: 1 }],
    });
  });

  it('tallies items, correct and kept per question under one verifier', () => {
    expect(store.datasets.tallyByQuestion(1, 'numeric')).toEqual([
      { questionId: 1, split: 'train', samples: 3, correct: 1, kept: 1 },
      { questionId: 2, split: 'train', samples: 2, correct: 1, kept: 1 },
      { questionId: 3, split: 'test', samples: 1, correct: 1, kept: 1 },
    ]);
    expect(store.datasets.tallyByQuestion(1, 'other').map((t) => t.correct)).toEqual([1, 0, 0]); // sample 2
  });

  it('pages items by keyset, forwards and backwards, with a kept or reason filter', () => {
    const ids = (p: { rows: { id: number }[] }): number[] => p.rows.map((r) => r.id);
    const page = (filter: { kept?: boolean; reason?: string }, at: { after?: number; before?: number; limit: number }, d = 1) => {
      const p = store.datasets.itemsPage(d, filter, at);
      return [ids(p), p.prev, p.next];
    };
    expect(page({}, { limit: 3 })).toEqual([[1, 2, 3], null, 3]);
    expect(page({}, { after: 3, limit: 3 })).toEqual([[4, 5, 6], 4, 6]);
    expect(page({}, { after: 6, limit: 3 })).toEqual([[7], 7, null]); // v2's items 8, 9 never leak in
    expect(page({}, { before: 7, limit: 3 })).toEqual([[4, 5, 6], 4, 6]);
    expect(page({}, { before: 4, limit: 3 })).toEqual([[1, 2, 3], null, 3]);
    expect(page({ kept: true }, { limit: 2 })).toEqual([[1, 4], null, 4]);
    expect(page({ kept: true }, { after: 4, limit: 2 })).toEqual([[6], 6, null]);
    expect(page({ kept: false }, { before: 7, limit: 2 })).toEqual([[3, 5], 3, 5]);
    expect(page({ reason: 'incorrect' }, { limit: 5 })).toEqual([[2, 7], null, null]);
    expect(page({ reason: 'none such' }, { limit: 5 })).toEqual([[], null, null]);
    expect(page({}, { limit: 5 }, 2)).toEqual([[8, 9], null, null]);
    expect(store.datasets.itemsPage(1, {}, { after: 2, limit: 1 }).rows).toEqual([
      { id: 3, sampleId: 3, questionId: 1, kept: false, dropReason: 'unparseable', preview: 'no', length: 2 },
    ]);
  });

  it('previews the first 160 characters and counts length in code points', () => {
    const s = Store.open(tempStorePath());
    try {
      const response = `${'é'.repeat(200)}😀`;
      s.datasets.create({ name: 'd', kind: 'imported', sampleRunId: null, rules: {}, stats: {} }, [
        { sampleId: null, questionId: null, prompt: 'p', response, kept: true, dropReason: null },
      ]);
      const [row] = s.datasets.itemsPage(1, {}, { limit: 1 }).rows;
      expect([row?.preview, row?.length]).toEqual(['é'.repeat(160), 201]);
    } finally {
      s.close();
    }
  });

  it('lists a question\'s items with samples, verdicts and decisions', () => {
    const rows = store.datasets.questionEntries(1, 1, 'numeric');
    expect(rows.map((r) => [r.sampleId, r.runName, r.sampleIndex, r.text, r.verdict?.status, r.decision])).toEqual([
      [1, 'r1', 0, '#### 1', 'correct', { itemId: 1, kept: true, dropReason: null }],
      [2, 'r1', 1, '#### 7', 'incorrect', { itemId: 2, kept: false, dropReason: 'incorrect' }],
      [3, 'r1', 2, 'no', 'unparseable', { itemId: 3, kept: false, dropReason: 'unparseable' }],
    ]);
    expect(rows[0]?.verdict).toEqual({
      id: 1, sampleId: 1, verifier: 'numeric', status: 'correct', extracted: null, reason: 'correct', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: { wrongSteps: [] },
    });
    expect(store.datasets.questionEntries(1, 2, 'numeric').map((r) => [r.sampleId, r.verdict?.status ?? null])).toEqual([[4, 'correct'], [5, null]]);
    expect(store.datasets.questionEntries(2, 3, 'numeric')).toEqual([]);
  });

  it('finds every dataset a sample is in, with the decision there', () => {
    const of = (id: number) => {
      const s = store.samples.get(id);
      if (!s) throw new Error(`no sample ${id}`);
      return store.datasets.decisionsFor(s);
    };
    expect(of(1)).toEqual([
      { datasetId: 1, name: 'rft', version: 1, itemId: 1, kept: true, dropReason: null },
      { datasetId: 2, name: 'rft', version: 2, itemId: 8, kept: true, dropReason: null },
    ]);
    expect(of(2)).toEqual([{ datasetId: 1, name: 'rft', version: 1, itemId: 2, kept: false, dropReason: 'incorrect' }]);
    expect(of(7)).toEqual([]); // run r2 has no dataset
  });
});

describe('verdicts', () => {
  it('gives unverified samples with their gold answers, batch by batch after an id', () => {
    expect(store.verdicts.unverifiedBatch(1, 'numeric', 0, 10)).toEqual([{ id: 5, questionId: 2, text: '#### 2!', goldAnswer: '2', verifier: 'numeric' }]);
    expect(store.verdicts.unverifiedBatch(1, 'other', 0, 2).map((s) => s.id)).toEqual([3, 4]);
    expect(store.verdicts.unverifiedBatch(1, 'other', 4, 2).map((s) => [s.id, s.goldAnswer])).toEqual([[5, '2'], [6, '3']]);
    expect(store.verdicts.unverifiedBatch(2, 'numeric', 0, 10)).toEqual([]);
  });

  it('tallies samples and correct ones per question of a run', () => {
    expect(store.verdicts.tallyByQuestion(1, 'numeric')).toEqual([
      { questionId: 1, split: 'train', samples: 3, correct: 1, kept: null },
      { questionId: 2, split: 'train', samples: 2, correct: 1, kept: null },
      { questionId: 3, split: 'test', samples: 1, correct: 1, kept: null },
    ]);
    expect(store.verdicts.tallyByQuestion(2, 'other')).toEqual([{ questionId: 1, split: 'train', samples: 1, correct: 0, kept: null }]);
  });

  it('counts correct samples per question under one verifier or each question\'s own', () => {
    const byQ = (v: string | null) => store.verdicts.correctByQuestion(1, v).sort((a, b) => a.questionId - b.questionId);
    // own: no question records a verifier, so numeric's (sample 2's "other" correct does not count)
    expect(byQ(null)).toEqual([{ questionId: 1, samples: 3, correct: 1 }, { questionId: 2, samples: 2, correct: 1 }, { questionId: 3, samples: 1, correct: 1 }]);
    expect(byQ('numeric').map((r) => r.correct)).toEqual([1, 1, 1]);
    expect(byQ('other').map((r) => [r.samples, r.correct])).toEqual([[3, 1], [2, 0], [1, 0]]);
  });
});

describe('samples and questions', () => {
  it('totals samples and questions of a run', () => {
    expect(store.samples.runTotals(1)).toEqual({ samples: 6, questions: 3 });
    expect(store.samples.runTotals(2)).toEqual({ samples: 1, questions: 1 });
  });

  it('pages a question\'s samples over every run, or one, with verdicts', () => {
    const all = store.samples.ofQuestion(1, { verifier: 'numeric', limit: 10, offset: 0 });
    expect(all.total).toBe(4);
    expect(all.rows.map((r) => [r.sampleId, r.runName, r.verdict?.status, r.decision])).toEqual([
      [1, 'r1', 'correct', null],
      [2, 'r1', 'incorrect', null],
      [3, 'r1', 'unparseable', null],
      [7, 'r2', 'correct', null],
    ]);
    const page = store.samples.ofQuestion(1, { verifier: 'other', limit: 2, offset: 1 });
    expect([page.total, page.rows.map((r) => [r.sampleId, r.verdict?.status ?? null])]).toEqual([4, [[2, 'correct'], [3, null]]]);
    const r2 = store.samples.ofQuestion(1, { verifier: 'numeric', runId: 2, limit: 10, offset: 0 });
    expect([r2.total, r2.rows.map((r) => r.sampleId)]).toEqual([1, [7]]);
    expect(store.samples.ofQuestion(1, { verifier: 'numeric', runId: 99, limit: 10, offset: 0 })).toEqual({ rows: [], total: 0 });
  });

  it('gives question texts by id, "" for an unknown id', () => {
    expect(store.questions.textsById([2, 99, 1])).toEqual(new Map([[2, 'b?'], [99, ''], [1, 'a?']]));
  });
});

describe('evaluations', () => {
  it('deletes one row by id and leaves the others', () => {
    const e = { modelId: 'base', set: 's', split: 'test', settings: { n: 4 }, n: 4, avgAtN: 0.5, greedy: 1, passAtK: { '1': 0.5 }, questions: 1, detail: {} };
    const a = store.evaluations.add(e);
    const b = store.evaluations.add({ ...e, avgAtN: 0.25 });
    store.evaluations.delete(a);
    expect(store.evaluations.list({ modelId: 'base' }).map((r) => [r.id, r.avgAtN])).toEqual([[b, 0.25]]);
    store.evaluations.delete(a); // already gone: nothing happens
    expect(store.counts().evaluations).toBe(1);
  });
});
