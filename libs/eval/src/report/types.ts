import type { CI, PairedDiffCI } from '../stats';

/** One evaluation split: the question set's name and the split inside it; label is what tables show. */
export interface SplitKey {
  set: string;
  split: string;
  label: string;
}

/** A method on one split, aggregated over seeds (one evaluated model per seed). null = not evaluated yet. */
export interface ComparisonRow {
  method: string;
  set: string;
  split: string;
  /** Seeds of the evaluated models (trained methods); empty for the base model. */
  seeds: number[];
  /** Evaluated models in this cell (the n of the intervals). */
  models: number;
  /** Samples per question behind avg@N, when every evaluation used the same N. */
  n: number | null;
  questions: number | null;
  avgAtN: CI | null;
  greedy: CI | null;
  /** Keyed by k as a string ("1", "4", …). */
  passAtK: Record<string, CI>;
}

/** One method's row of a per-benchmark table: a cell per benchmark, in the table's order, and their average. */
export interface BenchmarkRow {
  method: string;
  /** Seeds of its evaluated models (empty for the base model). */
  seeds: number[];
  /** Evaluated models behind the row. */
  models: number;
  /** Mean ± interval over the models, per benchmark; null = not evaluated. */
  cells: (CI | null)[];
  /** Per model the unweighted mean over the benchmarks, then mean ± interval over the models that have every benchmark. */
  avg: CI | null;
}

/** The paper's table for one metric: rows = methods, columns = benchmarks + their average. */
export interface BenchmarkTable {
  metric: 'avgAtN' | 'greedy';
  benchmarks: SplitKey[];
  rows: BenchmarkRow[];
}

/** method − baseline, paired seed by seed. */
export interface PairedComparison {
  method: string;
  baseline: string;
  set: string;
  split: string;
  metric: 'avgAtN' | 'greedy';
  seeds: number[];
  diff: PairedDiffCI;
}

export interface DatasetSummary {
  name: string;
  version: number;
  kind: string;
  questions: number | null;
  samples: number | null;
  kept: number;
  dropped: number;
  /** kept / samples. */
  acceptanceRate: number | null;
  /** Index c = number of questions with exactly c correct samples. */
  correctPerQuestion: number[] | null;
  /** Dropped items per reason, largest first. */
  drops: Record<string, number>;
}

export interface CurvePoint {
  step: number;
  loss: number | null;
  ce: number | null;
  meanP: number | null;
}

export interface TrainingCurve {
  method: string;
  seed: number;
  runName: string;
  status: string;
  points: CurvePoint[];
}

/** p(y_t) histograms (bin counts on [0, 1]) at the first and last logged step, summed over a method's seeds. */
export interface TokenProbHistograms {
  method: string;
  seeds: number[];
  start: number[] | null;
  end: number[] | null;
  startSteps: number[];
  endSteps: number[];
}

export interface ReportData {
  runName: string;
  createdAt: string;
  command: string | null;
  machine: string | null;
  commit: string | null;
  /** Confidence level of every interval. */
  level: number;
  methods: string[];
  splits: SplitKey[];
  rows: ComparisonRow[];
  /** avg@N and greedy per benchmark (each evaluated set/split) and their average, one row per method. */
  benchmarks: BenchmarkTable[];
  /** The k of pass@k columns, ascending. */
  passKs: number[];
  baseline: string | null;
  comparisons: PairedComparison[];
  datasets: DatasetSummary[];
  curves: TrainingCurve[];
  pHists: TokenProbHistograms[];
  notes: string[];
}
