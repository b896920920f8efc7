import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { applyFilterRules } from './filter-rules';
import { buildPairs } from './pairs';
import { emptyDropCounts, type DropReason } from './rules-schema';
import { judgedSample as j } from './test-helpers';
import type { JudgedSample } from '@sieve/store';

/** sampleId → reason ('kept' when kept), for exact comparisons. */
function outcome(samples: JudgedSample[], rules: Parameters<typeof applyFilterRules>[1]): Record<string, DropReason | 'kept'> {
  const r = applyFilterRules(samples, rules);
  expect(r.decisions.map((d) => d.sample)).toEqual(samples); // one decision per sample, input order
  return Object.fromEntries(r.decisions.map((d) => [d.sample.reason, d.reason ?? 'kept']));
}

describe('per-sample rules', () => {
  const set = (): JudgedSample[] => [
    j({ questionId: 1, text: 'two steps #### 12', reason: 'ok' }),
    j({ questionId: 1, text: '#### 13', status: 'incorrect', reason: 'bad' }),
    j({ questionId: 1, text: 'no idea', status: 'unparseable', reason: 'unparse' }),
    j({ questionId: 1, text: '#### 12 again', status: null, reason: 'unverified' }),
    j({ questionId: 1, text: 'cut off #### 12', finishReason: 'length', reason: 'cut' }),
    j({ questionId: 1, text: '#### 12', reason: 'short' }), // 7 chars
    j({ questionId: 1, text: 'a very long winded answer #### 12', reason: 'long' }), // 33 chars
    j({ questionId: 1, text: '3*4=<<3*4=13>>13 then #### 12', stepsTotal: 1, stepsWrong: 1, reason: 'step' }), // 29 chars
  ];

  it('drops each sample for the first rule that fails, and counts the reasons', () => {
    const samples = set();
    const rules = { minLength: 8, maxLength: 30, requireSteps: true };
    expect(outcome(samples, rules)).toEqual({
      ok: 'kept',
      bad: 'incorrect',
      unparse: 'unparseable',
      unverified: 'unverified',
      cut: 'truncated',
      short: 'too-short',
      long: 'too-long',
      step: 'wrong-step',
    });
    const { counts } = applyFilterRules(samples, rules);
    expect(counts).toEqual({
      total: 8,
      kept: 1,
      dropped: { ...emptyDropCounts(), incorrect: 1, unparseable: 1, unverified: 1, truncated: 1, 'too-short': 1, 'too-long': 1, 'wrong-step': 1 },
    });
  });

  it('with the defaults keeps truncated-free correct samples of any length and ignores wrong steps', () => {
    expect(outcome(set(), {})).toEqual({
      ok: 'kept',
      bad: 'incorrect',
      unparse: 'unparseable',
      unverified: 'unverified',
      cut: 'truncated',
      short: 'kept',
      long: 'kept',
      step: 'kept',
    });
    expect(outcome(set(), { finish: 'any' }).cut).toBe('kept');
  });

  it('a length exactly at a bound is kept (bounds are inclusive)', () => {
    expect(outcome(set(), { minLength: 7, maxLength: 33 })).toMatchObject({ short: 'kept', long: 'kept' });
  });

  it('rejects invalid rules with an InputError naming the field', () => {
    expect(() => applyFilterRules([], { maxPerQuestion: 0 })).toThrow(InputError);
    expect(() => applyFilterRules([], { maxPerQuestion: 0 })).toThrow(/rules\.maxPerQuestion/);
    expect(() => applyFilterRules([], { minLength: 10, maxLength: 5 })).toThrow(/minLength/);
    expect(() => applyFilterRules([], { passRate: [0.8, 0.2] })).toThrow(/passRate/);
    expect(() => applyFilterRules([], { dedupe: 'equations' } as never)).toThrow(InputError);
  });
});

describe('duplicates, cap and pass rate', () => {
  it('drops exact then normalised duplicates per question, comparing only with surviving samples', () => {
    const samples = [
      j({ questionId: 1, text: ['He has 1,000 apples.', '#### 1000'].join('\n'), reason: 'first' }),
      j({ questionId: 1, text: ['He has 1,000 apples.', '#### 1000'].join('\n'), reason: 'exact' }),
      j({ questionId: 1, text: 'he  HAS 1000 apples. #### 1000', reason: 'normalised' }),
      j({ questionId: 1, text: 'He has 1000 pears. #### 1000', reason: 'other' }),
      j({ questionId: 2, text: 'He has 1000 pears. #### 1000', reason: 'other-question' }),
      // the first copy is truncated, so the second is the first survivor and is kept
      j({ questionId: 2, text: 'Copy #### 1000', finishReason: 'length', reason: 'cut' }),
      j({ questionId: 2, text: 'Copy #### 1000', reason: 'copy' }),
      // an incorrect duplicate is dropped as incorrect (that rule comes first)
      j({ questionId: 2, text: 'Copy #### 1000', status: 'incorrect', reason: 'wrong-copy' }),
    ];
    expect(outcome(samples, {})).toEqual({
      first: 'kept',
      exact: 'duplicate-exact',
      normalised: 'duplicate-normalised',
      other: 'kept',
      'other-question': 'kept',
      cut: 'truncated',
      copy: 'kept',
      'wrong-copy': 'incorrect',
    });
  });

  it('caps the kept samples of a question at maxPerQuestion, first in input order', () => {
    const samples = ['a', 'b', 'c'].map((t) => j({ questionId: 1, text: `${t} #### 12`, reason: t }));
    samples.push(j({ questionId: 2, text: 'd #### 12', reason: 'd' }));
    expect(outcome(samples, { maxPerQuestion: 2 })).toEqual({ a: 'kept', b: 'kept', c: 'over-cap', d: 'kept' });
  });

  it('keeps only questions whose pass rate is in the inclusive range', () => {
    const q = (id: number, statuses: ('correct' | 'incorrect')[]): JudgedSample[] =>
      statuses.map((status, i) => j({ questionId: id, text: `q${id} s${i}`, status, reason: `q${id}s${i}` }));
    // pass rates: q1 3/4 = 0.75, q2 1/4 = 0.25, q3 0/2 = 0
    const samples = [
      ...q(1, ['correct', 'correct', 'incorrect', 'correct']),
      ...q(2, ['incorrect', 'correct', 'incorrect', 'incorrect']),
      ...q(3, ['incorrect', 'incorrect']),
    ];
    expect(outcome(samples, { passRate: [0.2, 0.5] })).toEqual({
      q1s0: 'pass-rate',
      q1s1: 'pass-rate',
      q1s2: 'incorrect',
      q1s3: 'pass-rate',
      q2s0: 'incorrect',
      q2s1: 'kept',
      q2s2: 'incorrect',
      q2s3: 'incorrect',
      q3s0: 'incorrect',
      q3s1: 'incorrect',
    });
    const both = applyFilterRules(samples, { passRate: [0.25, 0.75] });
    expect(both.counts.kept).toBe(4);
    expect(both.counts.dropped['pass-rate']).toBe(0);
  });
});

describe('equation dedup (RFT distinct reasoning paths)', () => {
  it('keeps one response per distinct list of calculator annotations, whatever the wording', () => {
    const samples = [
      j({ questionId: 1, text: 'Tom has 3 bags of 4, so 3*4=<<3*4=12>>12 apples.\n#### 12', reason: 'a' }),
      j({ questionId: 1, text: 'Each of the 3 bags holds 4: 3 * 4 = << 3 * 4 = 12 >>12.\n#### 12', reason: 'same-eqs' }),
      j({ questionId: 1, text: 'Four in each of three bags: 4*3=<<4*3=12>>12.\n#### 12', reason: 'other-eqs' }),
      j({ questionId: 1, text: 'Bags: 3*4=<<3*4=12>>12, then 12+0=<<12+0=12>>12.\n#### 12', reason: 'longer' }),
      // no annotations: the `a op b = c` equations in the text are the path
      j({ questionId: 2, text: 'We get 6 x 2 = 12 apples.\n#### 12', reason: 'plain' }),
      j({ questionId: 2, text: 'Since 6*2 = 12, the answer is\n#### 12', reason: 'plain-same' }),
      j({ questionId: 2, text: 'So 2 × 6 = 12.\n#### 12', reason: 'plain-other' }),
    ];
    expect(outcome(samples, { dedup: 'equations' })).toEqual({
      a: 'kept',
      'same-eqs': 'duplicate-equations',
      'other-eqs': 'kept',
      longer: 'kept',
      plain: 'kept',
      'plain-same': 'duplicate-equations',
      'plain-other': 'kept',
    });
    // without the rule, all of them are kept
    expect(applyFilterRules(samples, { dedup: 'none' }).counts.kept).toBe(7);
  });

  it('under a cap keeps the most different equation lists (greedy max-min Levenshtein)', () => {
    // keys A "1+1=2", B "1+1=3", C "9*9=81", D "1+1=4": d(A,B)=d(A,D)=d(B,D)=1, d(C, any other)=5
    const samples = [
      j({ questionId: 1, text: '<<1+1=2>> #### 12', reason: 'A' }),
      j({ questionId: 1, text: '<<1+1=3>> #### 12', reason: 'B' }),
      j({ questionId: 1, text: '<<9*9=81>> #### 12', reason: 'C' }),
      j({ questionId: 1, text: '<<1+1=4>> #### 12', reason: 'D' }),
    ];
    // cap 2: start with A, then the farthest from A is C
    expect(outcome(samples, { dedup: 'equations', maxPerQuestion: 2 })).toEqual({ A: 'kept', B: 'over-cap', C: 'kept', D: 'over-cap' });
    // cap 3: B and D tie at distance 1 from {A, C}: the earlier (B) wins
    expect(outcome(samples, { dedup: 'equations', maxPerQuestion: 3 })).toEqual({ A: 'kept', B: 'kept', C: 'kept', D: 'over-cap' });
    // the plain cap keeps the first two
    expect(outcome(samples, { maxPerQuestion: 2 })).toEqual({ A: 'kept', B: 'kept', C: 'over-cap', D: 'over-cap' });
  });
});

describe('buildPairs', () => {
  it('pairs each accepted sample with a wrong one of its question, incorrect before unparseable, cycling', () => {
    const samples = [
      j({ questionId: 1, text: 'a1 #### 12', reason: 'a1' }),
      j({ questionId: 1, text: 'u1', status: 'unparseable', reason: 'u1' }),
      j({ questionId: 1, text: 'r1 #### 3', status: 'incorrect', reason: 'r1' }),
      j({ questionId: 1, text: 'a2 #### 12', reason: 'a2' }),
      j({ questionId: 1, text: 'r2 #### 4', status: 'incorrect', reason: 'r2' }),
      j({ questionId: 1, text: 'a3 #### 12', reason: 'a3' }),
      j({ questionId: 1, text: 'a4 #### 12', reason: 'a4' }),
      j({ questionId: 2, text: 'only right #### 12', reason: 'b1' }),
      j({ questionId: 3, text: 'c1 #### 12', reason: 'c1' }),
      j({ questionId: 3, text: 'c2 #### 12', reason: 'c2' }),
      j({ questionId: 3, text: 'cr #### 1', status: 'incorrect', reason: 'cr' }),
    ];
    const names = (ps: ReturnType<typeof buildPairs>): string[][] => ps.map((p) => [p.accepted.reason!, p.rejected.reason!]);
    expect(names(buildPairs(samples))).toEqual([
      ['a1', 'r1'],
      ['a2', 'r2'],
      ['a3', 'u1'],
      ['a4', 'r1'],
      ['c1', 'cr'],
      ['c2', 'cr'],
    ]);
    expect(names(buildPairs(samples, { maxPairsPerQuestion: 1 }))).toEqual([
      ['a1', 'r1'],
      ['c1', 'cr'],
    ]);
    // accepted = kept by the rules
    expect(names(buildPairs(samples, { rules: { maxPerQuestion: 1 } }))).toEqual([
      ['a1', 'r1'],
      ['c1', 'cr'],
    ]);
    expect(buildPairs(samples)).toEqual(buildPairs(samples)); // deterministic
  });
});
