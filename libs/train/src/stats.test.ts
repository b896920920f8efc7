import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addToHistogram, emptyHistogram, mergeHistograms, quantileSorted, tokenProbHistogram, tokenProbStats } from './stats';
import { float2d, useTestBackend } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

describe('tokenProbStats', () => {
  it('computes mean, quantiles and cross-entropy of p(y_t) over response tokens', () => {
    // response p = 0.1 … 0.5; the masked positions hold values that would change every statistic
    const lp = float2d([
      [Math.log(0.3), Math.log(0.1), Math.log(0.99), Math.log(0.5)],
      [Math.log(0.2), Math.log(0.01), Math.log(0.4), -50],
    ]);
    const mask = float2d([
      [1, 1, 0, 1],
      [1, 0, 1, 0],
    ]);
    const before = tf.memory().numTensors;
    const s = tokenProbStats(lp, mask);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.tokens).toBe(5);
    expect(s.meanP).toBeCloseTo(0.3, 6);
    // numpy-style linear interpolation on [.1 .2 .3 .4 .5]: position q·(n−1)
    expect(s.q10).toBeCloseTo(0.14, 6); // 0.4 → .1 + .4·.1
    expect(s.q25).toBeCloseTo(0.2, 6);
    expect(s.q50).toBeCloseTo(0.3, 6);
    expect(s.q75).toBeCloseTo(0.4, 6);
    expect(s.q90).toBeCloseTo(0.46, 6); // 3.6 → .4 + .6·.1
    expect(s.ce).toBeCloseTo(-Math.log(0.1 * 0.2 * 0.3 * 0.4 * 0.5) / 5, 5);
    tf.dispose([lp, mask]);
  });

  it('reports NaN statistics and 0 tokens for an empty mask', () => {
    const lp = float2d([[-1, -2]]);
    const mask = float2d([[0, 0]]);
    const s = tokenProbStats(lp, mask);
    expect(s.tokens).toBe(0);
    expect(s.meanP).toBeNaN();
    expect(s.q50).toBeNaN();
    expect(s.ce).toBeNaN();
    tf.dispose([lp, mask]);
  });

  it('interpolates quantiles of a single value and of two values', () => {
    expect(quantileSorted([0.7], 0.9)).toBe(0.7);
    expect(quantileSorted([0, 1], 0.25)).toBe(0.25);
  });
});

describe('p(y_t) histogram', () => {
  it('counts response tokens in 20 equal bins on [0, 1], with p = 1 in the last bin', () => {
    const ps = [0.12, 0.33, 0.51, 0.77, 0.99, 1];
    const lp = float2d([ps.map(Math.log), [Math.log(0.5), 0, 0, 0, 0, 0]]);
    const mask = float2d([[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]]);
    const h = tokenProbHistogram(lp, mask);
    expect(h.edges).toHaveLength(21);
    expect(h.edges[0]).toBe(0);
    expect(h.edges[20]).toBe(1);
    expect(h.edges[1]).toBeCloseTo(0.05, 12);
    const expected = new Array(20).fill(0);
    for (const bin of [2, 6, 10, 15, 19, 19]) expected[bin] += 1; // 0.12 → [0.10, 0.15), …
    expect(h.counts).toEqual(expected);
    tf.dispose([lp, mask]);
  });

  it('pools batches and refuses histograms with other bins', () => {
    const a = addToHistogram(emptyHistogram(4), [0.1, 0.3]);
    const b = addToHistogram(emptyHistogram(4), [0.3, 0.9, -0.2, Number.NaN]);
    expect(mergeHistograms(a, b).counts).toEqual([2, 2, 0, 1]); // bins of width .25; −0.2 clamps into bin 0, NaN is skipped
    expect(() => mergeHistograms(a, emptyHistogram(5))).toThrow(/different bin edges/);
    expect(() => emptyHistogram(0)).toThrow(/bins/);
  });
});
