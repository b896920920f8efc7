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
