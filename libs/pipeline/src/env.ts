import type { EngineEnv } from '@sieve/sample';
import type { RunEnv, Store } from '@sieve/store';
import type { TrainEnv } from '@sieve/train';
import type { PipelineConfig } from './config';

export type PipelineEnv = RunEnv & EngineEnv & TrainEnv;

/**
 * What every stage of a pipeline run works in, in `sieve run` and in its child processes alike.
 * The engines' full configs (URLs, concurrency, key variable) go beside the fingerprinted slices:
 * the stages fingerprint only each engine's identity (libs/sample/src/engines/config.ts).
 */
export function pipelineEnv(store: Store, runDir: string, config: PipelineConfig, ignoreMemory: boolean): PipelineEnv {
  return { store, runDir, engines: { sample: config.sample.engine, eval: config.eval.engine }, ...(ignoreMemory ? { ignoreMemory } : {}) };
}
