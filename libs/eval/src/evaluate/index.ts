export { evaluateModel, evaluationSeed, type EvaluateOptions, type EvaluateProgress, type SplitEvaluation } from './evaluate-model';
export { evaluationSettings, replaceEvaluation, type EvaluationSettings } from './settings';
export { evaluateSets, type EvaluateSetsOptions, type SetEvaluation } from './evaluate-sets';
export { benchmarkSummary, type BenchmarkResult, type BenchmarkSummary } from './benchmark-summary';
