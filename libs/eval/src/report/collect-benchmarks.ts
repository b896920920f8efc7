/**
 * The paper's table: one row per method, one column per benchmark (an evaluated question set, or a
 * split of one) and their average, for avg@N and for greedy accuracy.
 */
import { meanCI, type CI } from '../stats';
import type { AttributedEval } from './collect-evals';
import type { BenchmarkRow, BenchmarkTable, SplitKey } from './types';

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * For each metric, a row per method: per benchmark the mean ± interval over the method's evaluated
 * models (one per seed), as in the detailed table; `avg` is, per model, the unweighted mean over
 * every benchmark, then the mean ± interval over the models that have all of them (so with the
 * same models in every column it equals the mean of the columns). A model missing a benchmark
 * counts in that benchmark's columns only; a method with no complete model has no average.
 */
export function benchmarkTables(items: readonly AttributedEval[], methods: readonly string[], benchmarks: readonly SplitKey[], level: number): BenchmarkTable[] {
  return (['avgAtN', 'greedy'] as const).map((metric) => ({
    metric,
    benchmarks: [...benchmarks],
    rows: methods.map((method): BenchmarkRow => {
      const mine = items.filter((x) => x.method === method);
      // model id → benchmark index → value
      const byModel = new Map<string, Map<number, number>>();
      const seeds = new Set<number>();
      benchmarks.forEach((b, bi) => {
        for (const x of mine) {
          const v = x.eval[metric];
          if (x.eval.set !== b.set || x.eval.split !== b.split || !finite(v)) continue;
          let m = byModel.get(x.eval.modelId);
          if (!m) byModel.set(x.eval.modelId, (m = new Map()));
          m.set(bi, v);
          if (x.seed !== null) seeds.add(x.seed);
        }
      });
      const models = [...byModel.values()];
      const cells = benchmarks.map((_, bi): CI | null => {
        const vs = models.flatMap((m) => (m.has(bi) ? [m.get(bi) as number] : []));
        return vs.length ? meanCI(vs, level) : null;
      });
      const complete = models.filter((m) => m.size === benchmarks.length);
      const avgs = complete.map((m) => [...m.values()].reduce((a, b) => a + b, 0) / benchmarks.length);
      return { method, seeds: [...seeds].sort((a, b) => a - b), models: models.length, cells, avg: avgs.length && benchmarks.length ? meanCI(avgs, level) : null };
    }),
  }));
}
