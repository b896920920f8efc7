export type { NewQuestion } from './types';
export {
  GeneratorOptionsSchema,
  PRESETS,
  OPERATORS,
  STYLES,
  isPresetName,
  resolveGeneratorOptions,
  type GeneratorOptions,
  type GeneratorOptionsInput,
  type Operator,
  type PresetName,
  type Style,
} from './generator/options';
export { generateQuestions, generateSplits, GENERATOR_NAME, type GenerateOptions, type SplitSpec } from './generator/generate';
export { readRecords } from './import/read-records';
export type { BadRecord, ReadRecordsOptions, RecordFormat, RecordRow } from './import/records';
export { DEFAULT_MAX_TEXT_BYTES, textTooLong } from './import/records';
export { loadQuestions, type LoadQuestionsOptions, type LoadedQuestions } from './import/load-questions';
export { extractGoldAnswer, type GoldAnswer } from './import/gold-answer';
export { QUESTIONS_STAGE, QuestionsOptionsSchema, type QuestionsOptions } from './stages/questions';
