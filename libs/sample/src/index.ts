/**
 * @sieve/sample — the generation engine (batched, KV-cached, seeded per sample, worker threads)
 * and the resumable sample stage.
 */
export { argmax, logProbOf, candidates, drawFrom, sampleToken, type SamplingParams, type Candidates } from './token-sampler';
export type { GenerateParams, GenRequest, GenResult, FinishReason } from './sequence';
export { generate, checkGenerateParams, type GenerateHooks } from './generate';
export { generateUncached } from './generate-uncached';
export { encodePrompt } from './prompt';
export { openEngine, type Engine, type EngineOptions } from './engine';
export { SampleBudget, checkBudget, type BudgetOptions } from './budget';
export { resolveModelDir } from './model-path';
export {
  sampleStage,
  sampleRunParams,
  defaultSampleRunName,
  type SampleStageOptions,
  type SampleStageResult,
  type SampleProgress,
} from './sample-stage';
export { benchSample, type BenchSampleOptions, type BenchSampleResult, type ThroughputFigure } from './bench';
export { splitIntoBatches, MIN_BATCHES } from './batches';
export { SAMPLE_STAGE, SampleOptionsSchema, type SampleOptions } from './stages/sample';
export {
  checkSamplingRequest,
  seedsOf,
  sampleSeed,
  ContextLengthError,
  type SamplingEngine,
  type SamplingRequest,
  type EngineSample,
  type EnginePrompt,
  type EngineFinishReason,
} from './engines/engine';
export { openTfjsEngine, type TfjsEngineOptions, type TfjsSamplingEngine } from './engines/tfjs';
export { renderPlainChat } from './engines/plain-chat';
export { startModelServer, type ModelServer, type ModelServerOptions } from './serve/server';
export { createModelApp } from './serve/app';
export { openOpenAIEngine, type OpenAIEngineOptions, type OpenAISamplingEngine } from './engines/openai';
export type { Endpoint } from './engines/endpoint-pool';
export { DEFAULT_RETRY, type RetryPolicy } from './engines/retry';
export {
  EngineConfigSchema,
  EndpointSchema,
  engineIdentity,
  stageEngine,
  withModelId,
  openSamplingEngine,
  parseEngineConfig,
  isTfjsEngine,
  type EngineConfig,
  type EngineConfigInput,
  type EngineIdentity,
  type EngineEnv,
  type OpenedEngine,
} from './engines/config';
export {
  benchSampleEngines,
  BENCH_ENGINES,
  type BenchEngine,
  type BenchEnginesOptions,
  type BenchEnginesResult,
  type EngineFigure,
  type EngineSkipped,
} from './bench-engines/bench';
