import { describe, expect, it } from 'vitest';
import { benchmarkSummary } from './benchmark-summary';

describe('benchmarkSummary', () => {
  it('has a column per benchmark and their unweighted mean, whatever the sizes', () => {
    const s = benchmarkSummary([
      { set: 'synth', split: 'test', avgAtN: 0.5, greedy: 0.25 },
      { set: 'synth', split: 'ood', avgAtN: 0.2, greedy: null },
    ]);
    expect(s.benchmarks).toEqual(['test', 'ood']);
    expect(s.avgAtN.values).toEqual([0.5, 0.2]);
    expect(s.avgAtN.avg).toBeCloseTo(0.35, 12);
    expect(s.greedy).toEqual({ values: [0.25, null], avg: null }); // a missing value: no average
    const sets = benchmarkSummary([
      { set: 'MATH500', split: 'test', avgAtN: 0.6, greedy: 0.6 },
      { set: 'AIME24', split: 'test', avgAtN: 0.1, greedy: 0.0 },
      { set: 'AMC23', split: 'test', avgAtN: 0.2, greedy: 0.3 },
    ]);
    expect(sets.benchmarks).toEqual(['MATH500', 'AIME24', 'AMC23']);
    expect(sets.avgAtN.avg).toBeCloseTo(0.3, 12);
    expect(sets.greedy.avg).toBeCloseTo(0.3, 12);
  });
});
