export { openReadonlyStore } from './open-store';
export {
  inspectRun,
  inspectDataset,
  inspectSampleRuns,
  inspectQuestion,
  analyseDataset,
  type InspectOptions,
  type RunInspection,
  type DatasetInspection,
  type SampleRunInspection,
  type QuestionInspection,
  type QuestionRef,
  type DatasetAnalysis,
} from './inspect';
export { runText, datasetText, questionText, markWrongSteps, textTable } from './render-text';
export { quantile, summarize, binCounts, textHistogram, type Summary, type ValueCount } from './stats';
export { stageSummary, sampleRunSummaries, type StageSummary, type SampleRunSummary } from './queries/overview';
export { runPassRates, datasetPassRates, sortPasses, correctHistogram, type QuestionPass, type PassOrder } from './queries/pass-rates';
export { findDataset, acceptanceBySplit, type SplitAcceptance } from './queries/datasets';
export { questionSamples, datasetQuestionEntries, sampleDetail, type SampleEntry, type SampleDetail } from './queries/samples';
export { parseWrongSteps, segmentText, type VerdictView, type TextSegment } from './queries/verdict-view';
export { createViewerApp, CSP, type ViewerOptions } from './app';
export { startViewer, type ViewerServer, type ViewerServerOptions } from './server';
export { TokenProbService, checkpointDir, type TokenProbs } from './token-probs';
