export { passAtK, meanPassAtK, avgAtN, greedyAccuracy, type QuestionCount } from './metrics';
export { summarizeEvaluation, type EvaluationSummary } from './summary';
export { meanCI, pairedDiffCI, type CI, type PairedDiffCI } from './stats';
export { tQuantile, tCdf, normalQuantile } from './t-dist';
export { escapeXml } from './svg/xml';
export { lineChart, type LineChartSpec, type LineSeries } from './svg/line-chart';
export { barChart, type BarChartSpec, type BarGroup, type Bar } from './svg/bar-chart';
export { histogram, type HistogramSpec, type HistogramSeries } from './svg/histogram';
export type {
  ReportData,
  ComparisonRow,
  PairedComparison,
  DatasetSummary,
  TrainingCurve,
  CurvePoint,
  TokenProbHistograms,
  SplitKey,
} from './report/types';
export { collectReportData, type CollectOptions } from './report/collect';
export { buildFigures, type Figure } from './report/figures';
export { renderMarkdown, mdEscape } from './report/markdown';
export { renderHtml } from './report/html';
export { writeReport, type ReportFiles } from './report/write';
export {
  evaluateModel,
  evaluationSeed,
  evaluationSettings,
  replaceEvaluation,
  type EvaluateOptions,
  type EvaluateProgress,
  type SplitEvaluation,
  type EvaluationSettings,
  evaluateSets,
  type EvaluateSetsOptions,
  type SetEvaluation,
  benchmarkSummary,
  type BenchmarkSummary,
} from './evaluate';
export { EVAL_STAGE, EvalOptionsSchema, type EvalOptions } from './stages/eval';
export { REPORT_STAGE } from './stages/report';
