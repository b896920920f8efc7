/** One model's results as the paper's table: a column per benchmark (evaluated set/split) and their average. */
import { benchmarkLabel } from '../report/collect-evals';

export interface BenchmarkResult {
  set: string;
  split: string;
  avgAtN: number | null;
  greedy: number | null;
}

export interface BenchmarkSummary {
  /** Column names, in the order of the results: the split (one set), the set (one split each), else set/split. */
  benchmarks: string[];
  /** Per metric the value per benchmark and their unweighted mean (null when a benchmark lacks the metric). */
  avgAtN: { values: (number | null)[]; avg: number | null };
  greedy: { values: (number | null)[]; avg: number | null };
}

const mean = (vs: (number | null)[]): number | null => (vs.length && vs.every((v) => v !== null) ? (vs as number[]).reduce((a, b) => a + b, 0) / vs.length : null);

/** The per-benchmark row of one evaluated model; the average weighs every benchmark equally, whatever its size. */
export function benchmarkSummary(results: readonly BenchmarkResult[]): BenchmarkSummary {
  const metric = (k: 'avgAtN' | 'greedy') => {
    const values = results.map((r) => r[k]);
    return { values, avg: mean(values) };
  };
  return { benchmarks: results.map((r) => benchmarkLabel(results, r)), avgAtN: metric('avgAtN'), greedy: metric('greedy') };
}
