import { describe, expect, it } from 'vitest';
import { binCounts, quantile, summarize, textHistogram } from './stats';

const vc = (...pairs: [number, number][]) => pairs.map(([value, count]) => ({ value, count }));

describe('distribution statistics from (value, count) pairs', () => {
  it('interpolates quantiles between order statistics (numpy type 7)', () => {
    // 1, 2, 3, 4: h(median) = 1.5 → 2.5; h(p90) = 2.7 → 3 + 0.7·1 = 3.7
    const d = vc([3, 1], [1, 1], [4, 1], [2, 1]);
    expect(quantile(d, 0.5)).toBe(2.5);
    expect(quantile(d, 0.9)).toBeCloseTo(3.7, 12);
    expect(quantile(d, 0)).toBe(1);
    expect(quantile(d, 1)).toBe(4);
  });

  it('expands counts: 6 ×3, 15, 21, 23 has median 10.5 and p90 22', () => {
    const s = summarize(vc([6, 3], [15, 1], [21, 1], [23, 1]));
    expect(s).toEqual({ n: 6, mean: 77 / 6, median: 10.5, p90: 22, min: 6, max: 23 });
  });

  it('merges repeated values and ignores zero counts', () => {
    expect(summarize(vc([5, 1], [5, 2], [9, 0]))).toEqual({ n: 3, mean: 5, median: 5, p90: 5, min: 5, max: 5 });
  });

  it('gives nulls for an empty distribution', () => {
    expect(summarize([])).toEqual({ n: 0, mean: null, median: null, p90: null, min: null, max: null });
    expect(quantile([], 0.5)).toBeNull();
  });

  it('bins values over [0, max), the top value in the last bin', () => {
    // width 2.5: 0,1,2 → bin 0; 3 → bin 1; 9, 10 → bin 3
    expect(binCounts(vc([0, 1], [1, 2], [2, 1], [3, 1], [9, 1], [10, 4]), 4, 10)).toEqual([4, 1, 0, 5]);
    expect(binCounts(vc([1, 1]), 3, 0)).toEqual([0, 0, 0]);
  });

  it('draws a text histogram scaled to the largest count, a non-zero count never invisible', () => {
    expect(textHistogram([1, 4, 0, 100], undefined, 10)).toEqual(['0 │█ 1', '1 │█ 4', '2 │ 0', '3 │██████████ 100']);
    expect(textHistogram([2, 1], ['ten', 'x'], 4)).toEqual(['ten │████ 2', '  x │██ 1']);
  });
});
