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
export { verifySamples, type WrongStep } from './verify-stage';
export { type FilterRulesInput } from './rules-schema';
export { buildDataset } from './build-dataset';
export { exportDataset, findDataset } from './export';
export { importDataset } from './import';
export { VERIFY_STAGE, VerifyOptionsSchema, type VerifyOptions } from './stages/verify';
export { FILTER_STAGE, PAIRS_STAGE, FilterOptionsSchema } from './stages/filter';
export { exportForTrainer, TRAINERS, type Trainer } from './trainers/export-trainer';
export { questionAsUser, type ChatMessage } from './trainers/items';
export { DEFAULT_TRAINER_HYPER } from './trainers/hyper';
