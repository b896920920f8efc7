export { SieveError, InputError, formatError, exitCodeOf } from './errors';
export { createRng, mixSeed, shuffleInPlace, type Rng } from './rng';
export { stableStringify, sha256, fingerprint } from './hash';
export { gsm8kData, readGsm8kRows, GSM8K_FIXTURE_DIR } from './gsm8k-data';
export {
  defineStage,
  outName,
  type StageDef,
  type StageOutputs,
  type StageProgress,
  type StageRunContext,
} from './stage';
export { escapeControl, quoteText } from './escape';
export { serializeError, rebuildError, type SerializedError } from './worker-error';
