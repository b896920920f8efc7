/**
 * Which verifier grades a sample: the one its question set was imported with (`meta.verifier`,
 * else numeric) unless a stage names one. A MATH-style and a GSM8K-style set in one sample run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StageRunContext } from '@sieve/core';
import type { RunEnv, Store } from '@sieve/store';
import { buildDataset } from './build-dataset';
import { FILTER_STAGE } from './stages/filter';
import { VERIFY_STAGE, VerifyOptionsSchema, type VerifyOptions } from './stages/verify';
import { tempStores } from './test-helpers';
import { verifySamples } from './verify-stage';

const stores = tempStores();
afterEach(() => stores.cleanup());

const MATH_RESPONSES = ['\\boxed{0.5}', 'so \\boxed{\\frac{\\sqrt{2}}{2\\sqrt{2}}}', '\\boxed{2}'];
const GSM_RESPONSES = ['3*4=<<3*4=12>>12\n#### 12', '#### 1,2'];

/** Set math500 (imported with --verifier math): gold \frac{1}{2}; set gsm (no meta.verifier): gold 12; one run "mix" over both. */
function seed(): { store: Store; ids: number[] } {
  const store = stores.open();
  store.questions.insertMany('math500', 'test', 'import', [{ text: 'Half of 1?', goldAnswer: '\\frac{1}{2}', goldSolution: null, difficulty: null, meta: { verifier: 'math' } }]);
  store.questions.insertMany('gsm', 'test', 'import', [{ text: 'Three bags of 4?', goldAnswer: '12', goldSolution: null, difficulty: null, meta: {} }]);
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  const run = store.samples.ensureRun({ name: 'mix', modelId: 'base', set: 'math500+gsm', split: null, params: {}, seed: 1 });
  const sample = (questionId: number) => (text: string, sampleIndex: number) => ({ questionId, sampleIndex, seed: sampleIndex, text, tokenCount: text.length, logprobSum: -1, tokenLogprobs: null, finishReason: 'stop' as const });
  store.samples.insertMany(run.id, [...MATH_RESPONSES.map(sample(1)), ...GSM_RESPONSES.map(sample(2))]);
  return { store, ids: store.samples.list(run.id).map((s) => s.id) };
}

const verdictsOf = (store: Store, ids: number[]): string[][] => ids.map((id) => store.verdicts.forSample(id).map((v) => `${v.verifier}:${v.status}`));

/** Runs a stage instance as the runner would, with the sample run "mix" as its `samples` input. */
function ctx<S>(store: Store, slice: S): StageRunContext<RunEnv, S, Record<string, never>> {
  const outputs = { samples: { runName: 'mix' }, verdicts: {} };
  return {
    env: { store, runDir: '' },
    slice,
    key: '',
    out: {} as Record<string, never>,
    input: (role, name) => (outputs as Record<string, Record<string, string>>)[role]?.[name] ?? '',
    inputs: outputs,
    resume: false,
    fingerprint: 'f',
    log: () => undefined,
    progress: () => ({ update: () => undefined, stop: () => undefined }),
  };
}

describe('the verifier of a question set, overridable per stage', () => {
  it('grades each sample by its question set\'s verifier when none is given: math for the MATH-style set, numeric for the GSM8K-style one', () => {
    const { store, ids } = seed();
    expect(verifySamples(store, { runName: 'mix' })).toEqual({ verified: 5, skipped: 0, counts: { correct: 3, incorrect: 1, unparseable: 1 } });
    expect(verdictsOf(store, ids)).toEqual([['math:correct'], ['math:correct'], ['math:incorrect'], ['numeric:correct'], ['numeric:unparseable']]);
    // a rerun finds every sample judged by its own verifier
    expect(verifySamples(store, { runName: 'mix' }).verified).toBe(0);
  });

  it('an explicit numeric override grades every sample with numeric, which changes a verdict', () => {
    const { store, ids } = seed();
    verifySamples(store, { runName: 'mix' });
    expect(verifySamples(store, { runName: 'mix', verifier: 'numeric' })).toEqual({ verified: 3, skipped: 2, counts: { correct: 2, incorrect: 1, unparseable: 2 } });
    // the √2/(2√2) response: correct under math, not a number numeric reads
    expect(verdictsOf(store, ids)[1]).toEqual(['math:correct', 'numeric:unparseable']);
  });

  it('filters by the verdicts of each question\'s own verifier unless one is named, and records which', () => {
    const { store } = seed();
    verifySamples(store, { runName: 'mix' });
    const own = buildDataset(store, { runName: 'mix', name: 'own' });
    expect(own.counts.kept).toBe(3);
    expect(own.dataset.rules.verifier).toBeNull(); // two sets, two verifiers: each question's own
    expect(() => buildDataset(store, { runName: 'mix', name: 'num', verifier: 'numeric' })).toThrow(/3 samples without a "numeric" verdict/);
    verifySamples(store, { runName: 'mix', verifier: 'numeric' });
    const num = buildDataset(store, { runName: 'mix', name: 'num', verifier: 'numeric' });
    expect([num.counts.kept, num.dataset.rules.verifier]).toEqual([2, 'numeric']);
  });

  it('the verify and filter stages read the override from their slice, or the questions\' own without one', async () => {
    const { store, ids } = seed();
    const none: VerifyOptions = VerifyOptionsSchema.parse({});
    expect(none).toEqual({});
    expect(VERIFY_STAGE.select({ verify: none }, '')).toEqual({});
    expect(FILTER_STAGE.select({ verify: { verifier: 'numeric' }, filter: { dedup: 'none' } as never }, '')).toMatchObject({ verifier: 'numeric' });
    expect(FILTER_STAGE.select({ verify: none, filter: { dedup: 'none' } as never }, '')).not.toHaveProperty('verifier');
    await VERIFY_STAGE.run(ctx(store, VERIFY_STAGE.select({ verify: none }, '')));
    expect(verdictsOf(store, ids).map((v) => v.join())).toEqual(['math:correct', 'math:correct', 'math:incorrect', 'numeric:correct', 'numeric:unparseable']);
    const res = await VERIFY_STAGE.run(ctx(store, VERIFY_STAGE.select({ verify: { verifier: 'numeric' } }, '')));
    expect(res).toMatchObject({ correct: 2, incorrect: 1, unparseable: 2, verified: 3 });
  });

  it('names an unknown verifier recorded by an import before any work', () => {
    const { store } = seed();
    store.questions.insertMany('odd', 'test', 'import', [{ text: 'q?', goldAnswer: '1', goldSolution: null, difficulty: null, meta: { verifier: 'nosuch' } }]);
    const run = store.samples.ensureRun({ name: 'odd', modelId: 'base', set: 'odd', split: null, params: {}, seed: 1 });
    store.samples.insertMany(run.id, [{ questionId: 3, sampleIndex: 0, seed: 0, text: '#### 1', tokenCount: 1, logprobSum: -1, tokenLogprobs: null, finishReason: 'stop' }]);
    expect(() => verifySamples(store, { runName: 'odd' })).toThrow(/unknown verifier "nosuch"/);
    expect(store.verdicts.counts(run.id, null).unverified).toBe(1);
  });
});
