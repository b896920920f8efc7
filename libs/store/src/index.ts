export { Store, type StoreCounts } from './store';
export { migrations } from './migrations';
export { type QuestionRow } from './questions';
export { type StageRecord } from './stages';
export { fromJson } from './json';
export { type ModelRow, type ModelKind } from './models';
export { type SampleRunRow, type SampleInput, type SampleRow } from './samples';
export {
  questionVerifier,
  type VerdictInput,
  type VerdictRow,
  type VerdictStatus,
  type JudgedSample,
  type UnverifiedSample,
  type QuestionTally,
} from './verdicts';
export { type DatasetRow, type DatasetItemInput, type DatasetItemRow } from './datasets';
export { type TrainingRunRow, type MetricRow } from './training';
export { type EvaluationInput, type EvaluationRow } from './evaluations';
export { modelFolder, type RunEnv } from './run-env';
export { type ItemSummary, type Page } from './dataset-item-pages';
export { type SampleWithVerdict } from './sample-entries';
export { damagedStoreError } from './store-errors';
export { acquireRunLock } from './run-lock';
