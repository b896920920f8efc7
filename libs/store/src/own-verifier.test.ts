/**
 * A question set's own verifier (recorded at import in `meta.verifier`, else numeric) decides which
 * verdicts the run queries read when no verifier is named; a named one overrides it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from './store';
import { questionVerifier } from './verdicts';
import { removeTempStores, tempStorePath } from './test-helpers';
import type { VerdictStatus } from './verdicts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  removeTempStores();
});

/**
 * q1 (set m, meta.verifier math): samples 1, 2; q2 (set g, no meta): sample 3; one run r.
 * Verdicts: 1 math correct + numeric incorrect; 2 numeric correct (no math verdict); 3 numeric correct + math incorrect.
 */
function seed(): Store {
  const store = Store.open(tempStorePath());
  stores.push(store);
  store.questions.insertMany('m', 'test', 'hand', [{ text: 'half?', goldAnswer: '\\frac{1}{2}', goldSolution: null, difficulty: null, meta: { verifier: 'math' } }]);
  store.questions.insertMany('g', 'test', 'hand', [{ text: 'two?', goldAnswer: '2', goldSolution: null, difficulty: null, meta: { source: 'x' } }]);
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  const run = store.samples.ensureRun({ name: 'r', modelId: 'base', set: 'm', split: null, params: {}, seed: 1 });
  const s = (questionId: number, sampleIndex: number, text: string) => ({ questionId, sampleIndex, seed: 0, text, tokenCount: 1, logprobSum: 0, tokenLogprobs: null, finishReason: 'stop' as const });
  store.samples.insertMany(run.id, [s(1, 0, '\\boxed{0.5}'), s(1, 1, '#### 0.5'), s(2, 0, '#### 2')]);
  const v = (sampleId: number, verifier: string, status: VerdictStatus) => ({ sampleId, verifier, status, extracted: null, reason: '', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} });
  store.verdicts.upsertMany([v(1, 'math', 'correct'), v(1, 'numeric', 'incorrect'), v(2, 'numeric', 'correct'), v(3, 'numeric', 'correct'), v(3, 'math', 'incorrect')]);
  return store;
}

describe('a question set\'s own verifier', () => {
  it('is meta.verifier, else numeric', () => {
    expect(questionVerifier({ verifier: 'math' })).toBe('math');
    expect(questionVerifier({})).toBe('numeric');
    expect(questionVerifier({ verifier: '' })).toBe('numeric');
    expect(questionVerifier({ verifier: 3 })).toBe('numeric');
  });

  it('picks the verdicts of each question\'s own verifier when none is named, and a named one overrides it', () => {
    const store = seed();
    // own: sample 1 → math correct, sample 2 → math (none yet), sample 3 → numeric correct
    expect(store.verdicts.counts(1, null)).toEqual({ correct: 2, incorrect: 0, unparseable: 0, unverified: 1 });
    expect(store.verdicts.counts(1, 'numeric')).toEqual({ correct: 2, incorrect: 1, unparseable: 0, unverified: 0 });
    expect(store.verdicts.counts(1, 'math')).toEqual({ correct: 1, incorrect: 1, unparseable: 0, unverified: 1 });
    expect(store.verdicts.judged(1, null).map((j) => [j.sampleId, j.status])).toEqual([[1, 'correct'], [2, null], [3, 'correct']]);
    expect(store.verdicts.judged(1, 'numeric').map((j) => [j.sampleId, j.status])).toEqual([[1, 'incorrect'], [2, 'correct'], [3, 'correct']]);
    const byQ = (v: string | null) => store.verdicts.correctByQuestion(1, v).sort((a, b) => a.questionId - b.questionId).map((r) => [r.samples, r.correct]);
    expect(byQ(null)).toEqual([[2, 1], [1, 1]]);
    expect(byQ('math')).toEqual([[2, 1], [1, 0]]);
  });

  it('gives the next unverified samples with the verifier each is to be judged by', () => {
    const store = seed();
    expect(store.verdicts.unverifiedBatch(1, null, 0, 10)).toEqual([{ id: 2, questionId: 1, text: '#### 0.5', goldAnswer: '\\frac{1}{2}', verifier: 'math' }]);
    expect(store.verdicts.unverifiedBatch(1, 'math', 0, 10).map((s) => [s.id, s.verifier])).toEqual([[2, 'math']]);
    expect(store.verdicts.unverifiedBatch(1, 'other', 1, 10).map((s) => [s.id, s.verifier])).toEqual([[2, 'other'], [3, 'other']]);
    expect(store.verdicts.ownVerifiers(1)).toEqual(['math', 'numeric']);
    expect(store.verdicts.ownVerifiers(99)).toEqual([]);
  });
});
