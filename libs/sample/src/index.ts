/**
 * @sieve/sample — the generation engine (batched, KV-cached, seeded per sample, worker threads)
 * and the resumable sample stage.
 */
export { argmax } from './token-sampler';
export { generate, checkGenerateParams } from './generate';
export { encodePrompt } from './prompt';
export { resolveModelDir } from './model-path';
export { sampleStage, defaultSampleRunName, type SampleProgress } from './sample-stage';
export { benchSample, type BenchSampleResult } from './bench';
export { splitIntoBatches } from './batches';
export { SAMPLE_STAGE, SampleOptionsSchema } from './stages/sample';
export { type SamplingRequest } from './engines/engine';
export { startModelServer } from './serve/server';
export {
  EngineConfigSchema,
  engineIdentity,
  stageEngine,
  withModelId,
  openSamplingEngine,
  parseEngineConfig,
  isTfjsEngine,
  type EngineConfig,
  type EngineIdentity,
  type EngineEnv,
  type OpenedEngine,
} from './engines/config';
export {
  benchSampleEngines,
  BENCH_ENGINES,
  type BenchEngine,
  type BenchEnginesResult,
  type EngineFigure,
} from './bench-engines/bench';
