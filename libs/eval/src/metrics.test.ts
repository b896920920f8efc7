import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { avgAtN, greedyAccuracy, meanPassAtK, passAtK } from './metrics';
import { summarizeEvaluation } from './summary';

describe('pass@k (unbiased estimator)', () => {
  it('matches hand-computed values', () => {
    // n=4, c=1: pass@k = 1 − C(3,k)/C(4,k)
    expect(passAtK(4, 1, 1)).toBeCloseTo(0.25, 12); // 1 − 3/4
    expect(passAtK(4, 1, 2)).toBeCloseTo(0.5, 12); // 1 − 3/6
    expect(passAtK(4, 1, 4)).toBe(1); // 1 − 0/1
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12); // 1 − C(3,2)/C(5,2) = 1 − 3/10
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 12); // 1 − C(7,5)/C(10,5)
    expect(passAtK(16, 0, 8)).toBe(0);
    expect(passAtK(16, 16, 1)).toBe(1);
    expect(passAtK(16, 16, 16)).toBe(1);
  });

  it('stays exact where binomials overflow doubles', () => {
    // C(2000, 1000) ≈ 2e600 overflows; pass@1 must still be c/n, and pass@2 = 1 − (n−c)(n−c−1)/(n(n−1)).
    expect(passAtK(2000, 700, 1)).toBeCloseTo(0.35, 12);
    expect(passAtK(2000, 700, 2)).toBeCloseTo(1 - (1300 * 1299) / (2000 * 1999), 12);
    const v = passAtK(2000, 3, 1000);
    expect(v).toBeCloseTo(1 - (1000 * 999 * 998) / (2000 * 1999 * 1998), 12);
  });

  it('rejects k > n and malformed counts', () => {
    expect(() => passAtK(4, 1, 5)).toThrow(InputError);
    expect(() => passAtK(4, 1, 5)).toThrow(/k ≤ n/);
    expect(() => passAtK(4, 5, 1)).toThrow(InputError);
    expect(() => passAtK(4, 1, 0)).toThrow(InputError);
    expect(() => passAtK(4, 1.5, 1)).toThrow(InputError);
  });

  it('averages over questions', () => {
    // (1 − 3/6) + (1 − C(2,2)/C(4,2) = 5/6) + 0 over 3
    expect(meanPassAtK([{ n: 4, c: 1 }, { n: 4, c: 2 }, { n: 4, c: 0 }], 2)).toBeCloseTo((0.5 + 5 / 6 + 0) / 3, 12);
    expect(() => meanPassAtK([{ n: 4, c: 1 }, { n: 2, c: 1 }], 3)).toThrow(/question #1/);
    expect(() => meanPassAtK([], 1)).toThrow(InputError);
  });
});

describe('avg@N and greedy accuracy', () => {
  it('avg@N is the mean of per-question c/n', () => {
    expect(avgAtN([{ n: 4, c: 1 }, { n: 4, c: 4 }, { n: 2, c: 0 }])).toBeCloseTo((0.25 + 1 + 0) / 3, 12);
    expect(avgAtN([{ n: 16, c: 8 }])).toBe(0.5);
    expect(() => avgAtN([])).toThrow(InputError);
    expect(() => avgAtN([{ n: 0, c: 0 }])).toThrow(/n must be/);
  });

  it('greedy accuracy is the fraction of correct answers', () => {
    expect(greedyAccuracy([true, false, true, true])).toBe(0.75);
    expect(greedyAccuracy([false])).toBe(0);
    expect(() => greedyAccuracy([])).toThrow(InputError);
  });
});

describe('summarizeEvaluation', () => {
  it('gives the fields an evaluation row stores', () => {
    const sampled = [{ n: 4, c: 1 }, { n: 4, c: 4 }, { n: 4, c: 0 }];
    expect(summarizeEvaluation(sampled, [true, false, false], [4, 1, 2])).toEqual({
      n: 4,
      questions: 3,
      avgAtN: (0.25 + 1 + 0) / 3,
      greedy: 1 / 3,
      passAtK: { '1': (0.25 + 1 + 0) / 3, '2': (0.5 + 1 + 0) / 3, '4': (1 + 1 + 0) / 3 },
    });
    expect(Object.keys(summarizeEvaluation(sampled, null, [4, 1]).passAtK)).toEqual(['1', '4']);
  });

  it('handles greedy-only and sampling-only evaluations, and rejects mismatches', () => {
    expect(summarizeEvaluation([], [true, true, false, true], [1])).toEqual({ n: 0, questions: 4, avgAtN: null, greedy: 0.75, passAtK: {} });
    expect(summarizeEvaluation([{ n: 2, c: 1 }], null, []).greedy).toBeNull();
    expect(() => summarizeEvaluation([{ n: 2, c: 1 }], [true, false], [1])).toThrow(/2 questions|1 questions/);
    expect(() => summarizeEvaluation([{ n: 2, c: 1 }], null, [4])).toThrow(/k ≤ n/);
    expect(() => summarizeEvaluation([], null, [1])).toThrow(InputError);
  });
});
