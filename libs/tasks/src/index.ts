export type { NewQuestion } from './types';
export {
  PRESETS,
  resolveGeneratorOptions,
  type GeneratorOptions,
  type GeneratorOptionsInput,
  type PresetName,
} from './generator/options';
export { generateQuestions, generateSplits, type SplitSpec } from './generator/generate';
export { readRecords } from './import/read-records';
export type { RecordFormat } from './import/records';
export { DEFAULT_MAX_TEXT_BYTES, textTooLong } from './import/records';
export { loadQuestions } from './import/load-questions';
export { QUESTIONS_STAGE, QuestionsOptionsSchema } from './stages/questions';
