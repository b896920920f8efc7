import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, SieveError } from '@sieve/core';
import { Store } from '@sieve/store';
import { inspectDataset, inspectQuestion, inspectRun } from './inspect';
import { openReadonlyStore } from './open-store';
import { questionText, runText, datasetText } from './render-text';
import { HOSTILE, makeFixture, type Fixture } from './test-helpers';

let fx: Fixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

function withStore<T>(fn: (s: Store) => T): T {
  const s = openReadonlyStore(fx.dbPath);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

describe('inspect a dataset', () => {
  it('computes acceptance, splits, drops, lengths and the hardest/easiest questions', () => {
    const d = withStore((s) => inspectDataset(s, 'rft@1', { top: 2 }));
    expect(d).toMatchObject({ name: 'rft', version: 1, kind: 'rft', sampleRun: 'samples-1', verifier: 'numeric', questions: 4, items: 14, kept: 6, dropped: 8 });
    expect(d.acceptanceRate).toBeCloseTo(6 / 14, 12);
    expect(d.bySplit.map((x) => [x.split, x.items, x.kept])).toEqual([['test', 2, 1], ['train', 12, 5]]);
    expect(d.drops).toEqual({ incorrect: 5, unparseable: 2, 'duplicate-exact': 1 });
    expect(d.correctPerQuestion).toEqual([1, 1, 1, 0, 1]);
    // accepted 6, 6, 6, 15, 21, 23; rejected 6, 6, 7, 7, 12, 21, 24, 25
    expect(d.lengths.accepted).toEqual({ n: 6, mean: 77 / 6, median: 10.5, p90: 22, min: 6, max: 23 });
    expect(d.lengths.rejected.n).toBe(8);
    expect(d.lengths.rejected.mean).toBe(13.5);
    expect(d.lengths.rejected.median).toBe(9.5);
    expect(d.lengths.rejected.p90).toBeCloseTo(24.3, 12);
    expect(d.hardest.map((q) => [q.questionId, q.passRate, q.text])).toEqual([[2, 0, 'What is 4*3?'], [1, 0.5, 'What is 2+3?']]);
    expect(d.easiest.map((q) => q.questionId)).toEqual([3, 1]);
  });

  it('renders the dataset as text', () => {
    const text = datasetText(withStore((s) => inspectDataset(s, 'rft@1'))).join('\n');
    expect(text).toContain('dataset rft@1 (rft, from sample run samples-1, verifier numeric)');
    expect(text).toContain('acceptance: 6/14 items kept = 42.9% over 4 questions');
    expect(text).toMatch(/test\s+2\s+1\s+50\.0%/);
    expect(text).toMatch(/train\s+12\s+5\s+41\.7%/);
    expect(text).toMatch(/incorrect\s+5/);
    expect(text).toMatch(/accepted\s+6\s+12\.8\s+10\.5\s+22\s+6\s+23/);
    expect(text).toMatch(/rejected\s+8\s+13\.5\s+9\.5\s+24\.3\s+6\s+25/);
    expect(text).toContain('4 │████████████████████████████████████████ 1');
    expect(text).toMatch(/2\s+train\s+0\/4\s+0\.0%\s+0\s+What is 4\*3\?/);
  });
});

describe('inspect a run folder', () => {
  it('gathers counts, stages, sample runs and the latest version of each dataset', () => {
    const r = withStore((s) => inspectRun(s));
    expect(r.counts.samples).toBe(14);
    expect(r.stages.byStatus).toEqual({ done: 1, failed: 1, running: 1 });
    expect(r.sampleRuns.map((x) => [x.name, x.samples, x.passRate])).toEqual([['samples-1', 14, 0.5]]);
    expect(r.sampleRuns[0]?.correctPerQuestion).toEqual([1, 1, 1, 0, 1]);
    expect(r.datasetVersions).toEqual([
      { name: 'rft', version: 1, kind: 'rft', items: 14, kept: 6 },
      { name: 'rft', version: 2, kind: 'rft', items: 2, kept: 2 },
    ]);
    expect(r.datasets.map((d) => [d.name, d.version, d.items, d.kept, d.acceptanceRate])).toEqual([['rft', 2, 2, 2, 1]]);
    const text = runText(r);
    expect(text).toContain('counts: questions 4 · models 2 · sample runs 1 · samples 14 · verdicts 14 · datasets 2 · kept items 8');
    expect(text).toContain('stages: 3 records (done 1, failed 1, running 1)');
    expect(text).toContain('numeric verdicts: correct 7, incorrect 5, unparseable 2, unverified 0; pass rate 50.0%');
    expect(text).toMatch(/rft@1\s+rft\s+14\s+6/);
  });

  it('only reads: the store file is unchanged and writes through the read-only store fail', () => {
    const before = readFileSync(fx.dbPath);
    const mtime = statSync(fx.dbPath).mtimeMs;
    const s = openReadonlyStore(fx.dbPath);
    try {
      inspectRun(s);
      inspectDataset(s, 'rft@1');
      inspectQuestion(s, 1, { dataset: 'rft@1' });
      expect(() => s.questions.insertMany('synth', 'train', 'x', [{ text: 'x', goldAnswer: '1', goldSolution: null, difficulty: null, meta: {} }])).toThrow(/readonly/);
      expect(() => s.stages.start('inspect', '', 'fp')).toThrow(/readonly/);
    } finally {
      s.close();
    }
    expect(readFileSync(fx.dbPath).equals(before)).toBe(true);
    expect(statSync(fx.dbPath).mtimeMs).toBe(mtime);
  });

  it('refuses a missing store with a hint instead of creating one', () => {
    const err = (() => {
      try {
        openReadonlyStore(`${fx.dir}/nope/sieve.sqlite`);
      } catch (e) {
        return e as SieveError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err?.hint).toMatch(/--run NAME/);
  });

  it('refuses a file that is not a sieve store', () => {
    const path = `${fx.dir}/empty.sqlite`;
    writeFileSync(path, '');
    expect(() => openReadonlyStore(path)).toThrow(/is not a sieve store/);
  });
});

describe('inspect one question', () => {
  it('shows every sample in a dataset with its decision, verdict and wrong steps marked', () => {
    const q = withStore((s) => inspectQuestion(s, 1, { dataset: 'rft@1' }));
    expect(q.dataset).toEqual({ id: 1, name: 'rft', version: 1 });
    expect(q.samples.map((x) => [x.sampleId, x.decision?.kept, x.decision?.dropReason, x.verdict?.status])).toEqual([
      [1, true, null, 'correct'],
      [2, true, null, 'correct'],
      [3, false, 'incorrect', 'incorrect'],
      [4, false, 'unparseable', 'unparseable'],
    ]);
    const text = questionText(q);
    expect(text).toContain('question 1 (synth/train)');
    expect(text).toContain('gold answer: 5');
    expect(text).toContain('sample 3 (run samples-1, #2, 22 tokens, stop) DROPPED (incorrect)');
    expect(text).toContain('verdict: incorrect · extracted 6 · differs from gold · steps 1 checked, 1 wrong, 0 unchecked');
    expect(text).toContain('wrong step: 2+3 = 6 claimed, actually 5 (chars 4–13)');
    expect(text).toContain('│ 2+3=[✗ <<2+3=6>> should be 5]6');
    expect(text).toContain('sample 1 (run samples-1, #0, 22 tokens, stop) KEPT');
  });

  it('without a dataset lists the question\'s samples of every run; hostile text stays text', () => {
    const q = withStore((s) => inspectQuestion(s, 4));
    expect(q.dataset).toBeNull();
    expect([q.total, q.samples.map((x) => x.sampleId)]).toEqual([2, [13, 14]]);
    expect(questionText(q)).toContain(`│ ${HOSTILE}`);
    expect(() => withStore((s) => inspectQuestion(s, 99))).toThrow(InputError);
  });
});
