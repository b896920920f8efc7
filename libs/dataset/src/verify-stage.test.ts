import { afterEach, describe, expect, it } from 'vitest';
import { InputError, SieveError } from '@sieve/core';
import { registerVerifier } from '@sieve/verify';
import { verifySamples } from './verify-stage';
import { seedRun, tempStores, thrown, type SeedQuestion } from './test-helpers';

const stores = tempStores();
afterEach(() => stores.cleanup());

const QUESTIONS: SeedQuestion[] = [
  {
    text: 'Tom has 3 bags of 4 apples. How many apples?',
    gold: '12',
    samples: ['3*4=<<3*4=12>>12\n#### 12', 'He has 3*4=<<3*4=13>>13 apples.\n#### 13', 'no idea'],
  },
  { text: 'What is 3+4?', gold: '7', samples: ['#### 7', '#### 8'] },
];

// a verifier that accepts everything, to show verdicts of two verifiers live side by side
registerVerifier('lenient-test', (_response, gold) => ({
  status: 'correct',
  extracted: null,
  extractedBy: null,
  gold,
  reason: 'always correct',
  steps: { total: 0, wrong: 0, unchecked: 0 },
}));

describe('verifySamples', () => {
  it('gives every sample a verdict with its reason and wrong steps, then verifies nothing on a rerun', () => {
    const store = stores.open();
    const { runId, ids } = seedRun(store, 'r1', QUESTIONS);
    const first = verifySamples(store, { runName: 'r1' });
    expect(first).toEqual({ verified: 5, skipped: 0, counts: { correct: 2, incorrect: 2, unparseable: 1 } });

    const [right, wrongStep, none] = ids[0]!.map((id) => store.verdicts.forSample(id));
    expect(right).toHaveLength(1);
    expect(right![0]).toMatchObject({ verifier: 'numeric', status: 'correct', extracted: '12', stepsTotal: 1, stepsWrong: 0 });
    expect(wrongStep![0]).toMatchObject({ status: 'incorrect', extracted: '13', stepsTotal: 1, stepsWrong: 1 });
    const text = QUESTIONS[0]!.samples[1] as string;
    const wrong = (wrongStep![0]!.detail as { wrongSteps: { expr: string; claimed: string; actual: number; start: number; end: number }[] }).wrongSteps;
    expect(wrong).toEqual([{ expr: '3*4', claimed: '13', actual: 12, start: 11, end: 21 }]);
    expect(text.slice(wrong[0]!.start, wrong[0]!.end)).toBe('<<3*4=13>>');
    expect(none![0]).toMatchObject({ status: 'unparseable', extracted: null });
    expect(none![0]!.reason).not.toBe('');

    expect(verifySamples(store, { runName: 'r1' })).toEqual({ verified: 0, skipped: 5, counts: { correct: 2, incorrect: 2, unparseable: 1 } });
    expect(store.verdicts.counts(runId, 'numeric').unverified).toBe(0);
  });

  it('keeps the verdicts of both verifiers when a run is verified again with another', () => {
    const store = stores.open();
    const { runId, ids } = seedRun(store, 'r1', QUESTIONS);
    verifySamples(store, { runName: 'r1' });
    expect(verifySamples(store, { runName: 'r1', verifier: 'lenient-test' })).toEqual({
      verified: 5,
      skipped: 0,
      counts: { correct: 5, incorrect: 0, unparseable: 0 },
    });
    expect(store.verdicts.forSample(ids[1]![1]!).map((v) => [v.verifier, v.status])).toEqual([
      ['lenient-test', 'correct'],
      ['numeric', 'incorrect'],
    ]);
    expect(store.verdicts.counts(runId, 'numeric')).toEqual({ correct: 2, incorrect: 2, unparseable: 1, unverified: 0 });
  });

  it('resumes an interrupted run without redoing or missing a sample', () => {
    const store = stores.open();
    const many: SeedQuestion[] = [{ text: 'What is 2+2?', gold: '4', samples: ['#### 4', '#### 5', '#### 4', 'x', '#### 4', '#### 6', '#### 4'] }];
    const { runId, ids } = seedRun(store, 'r1', many);
    const calls: [number, number][] = [];
    expect(() =>
      verifySamples(store, {
        runName: 'r1',
        batchSize: 3,
        onProgress: (done, total) => {
          calls.push([done, total]);
          throw new Error('killed');
        },
      }),
    ).toThrow('killed');
    expect(calls).toEqual([[3, 7]]);
    expect(store.verdicts.counts(runId, 'numeric').unverified).toBe(4);
    // the first batch is the first three samples by id, committed
    expect(ids[0]!.map((id) => store.verdicts.forSample(id).length)).toEqual([1, 1, 1, 0, 0, 0, 0]);

    const resumed: [number, number][] = [];
    const r = verifySamples(store, { runName: 'r1', batchSize: 3, onProgress: (d, t) => resumed.push([d, t]) });
    expect(r).toEqual({ verified: 4, skipped: 3, counts: { correct: 4, incorrect: 2, unparseable: 1 } });
    expect(resumed).toEqual([
      [3, 4],
      [4, 4],
    ]);
    expect(store.counts().verdicts).toBe(7);
  });

  it('names the existing runs for an unknown run, and the question of a gold it cannot parse', () => {
    const store = stores.open();
    seedRun(store, 'r1', QUESTIONS);
    const err = thrown(() => verifySamples(store, { runName: 'nope' }));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('nope');
    expect((err as InputError).hint).toContain('r1');

    const { ids } = seedRun(store, 'r2', [{ text: 'Broken gold?', gold: 'many', samples: ['#### 3'] }]);
    const qid = store.samples.get(ids[0]![0]!)!.questionId;
    expect(() => verifySamples(store, { runName: 'r2' })).toThrow(SieveError);
    expect(() => verifySamples(store, { runName: 'r2' })).toThrow(new RegExp(`question ${qid}\\b`));
    expect(() => verifySamples(store, { runName: 'r1', verifier: 'nosuch' })).toThrow(/unknown verifier/);
  });
});
