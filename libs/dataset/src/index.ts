export {
  formatPrompt,
  PROMPT_FORMAT_VERSION,
  PROMPT_FORMATS,
  PromptFormatSchema,
  PLAIN_PROMPT,
  promptSpec,
  modelPromptSpec,
  type ModelPromptConfig,
  questionPrompt,
  storedPrompt,
  promptOfStored,
  promptRecord,
  recordedPrompt,
  describePrompt,
  type PromptFormat,
  type PromptSpec,
} from './prompt';
export { findRun } from './run-lookup';
export {
  verifySamples,
  DEFAULT_VERIFY_BATCH,
  type VerifySamplesOptions,
  type VerifySamplesResult,
  type WrongStep,
} from './verify-stage';
export {
  FilterRules,
  parseFilterRules,
  DROP_REASONS,
  emptyDropCounts,
  type DropReason,
  type FilterRulesInput,
} from './rules-schema';
export { normaliseResponse, normaliseEquation, extractEquations, equationKey, levenshtein, selectMostDifferent } from './text-keys';
export { applyFilterRules, countDecisions, passRates, type FilterDecision, type FilterCounts, type FilterResult } from './filter-rules';
export { pairUp, buildPairs, type PreferencePair, type PairOptions } from './pairs';
export { datasetStats, type DatasetStats } from './dataset-stats';
export { buildDataset, type BuildDatasetOptions, type BuildDatasetResult } from './build-dataset';
export { exportDataset, findDataset, type ExportDatasetOptions } from './export';
export { csvField, csvRow } from './csv-write';
export { importDataset, type ImportDatasetOptions, type ImportDatasetResult } from './import';
export { VERIFY_STAGE, VerifyOptionsSchema, type VerifyOptions } from './stages/verify';
export { FILTER_STAGE, PAIRS_STAGE, FilterOptionsSchema } from './stages/filter';
export { exportForTrainer, trainerFiles, TRAINERS, type Trainer, type ExportForTrainerOptions, type ExportForTrainerResult } from './trainers/export-trainer';
export { questionAsUser, type PromptStyle, type ChatMessage, type TrainerItem } from './trainers/items';
export { DEFAULT_TRAINER_HYPER, type TrainerHyper } from './trainers/hyper';
