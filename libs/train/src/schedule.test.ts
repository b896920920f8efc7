import './gradients';
import { InputError } from '@sieve/core';
import { describe, expect, it } from 'vitest';
import { lrAt } from './schedule';

describe('lrAt', () => {
  const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 };

  it('warms up linearly from 0 to peak', () => {
    expect(lrAt(0, s)).toBe(0);
    expect(lrAt(1, s)).toBeCloseTo(1e-4, 12);
    expect(lrAt(5, s)).toBeCloseTo(5e-4, 12);
    expect(lrAt(10, s)).toBeCloseTo(1e-3, 12);
  });

  it('decays along a cosine to peak·minRatio and stays there', () => {
    // progress 1/4: 1e-4 + 9e-4 · (1 + cos(π/4))/2
    expect(lrAt(35, s)).toBeCloseTo(1e-4 + 9e-4 * (1 + Math.SQRT1_2) / 2, 12);
    expect(lrAt(60, s)).toBeCloseTo(5.5e-4, 12); // half way: mean of peak and floor
    expect(lrAt(110, s)).toBeCloseTo(1e-4, 12);
    expect(lrAt(500, s)).toBeCloseTo(1e-4, 12);
  });

  it('starts at peak without warmup and rejects a bad schedule', () => {
    expect(lrAt(0, { ...s, warmupSteps: 0 })).toBeCloseTo(1e-3, 12);
    expect(lrAt(110, { ...s, warmupSteps: 110 })).toBeCloseTo(1e-3, 12); // all warmup: no decay left
    expect(() => lrAt(1, { ...s, warmupSteps: 200 })).toThrow(InputError);
    expect(() => lrAt(1, { ...s, minRatio: 1.5 })).toThrow(/minRatio/);
  });
});
