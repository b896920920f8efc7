import type { StageProgress } from '@sieve/core';
import type { EngineEnv } from '@sieve/sample';
import type { RunEnv, Store } from '@sieve/store';
import type { TrainEnv } from '@sieve/train';
import type { PipelineConfig } from './config';
import { planStages, runStages, type RunOptions, type StageOutcome } from './runner';
import { PIPELINE_STAGES } from './stages';

export interface RunPipelineOptions extends RunOptions {
  store: Store;
  runDir: string;
  config: PipelineConfig;
  progress?: (label: string, total: number) => StageProgress;
  /** Train even when the memory estimate exceeds the free memory. */
  ignoreMemory?: boolean;
}

/** Runs the chain questions → pretrain → sample → verify → filter (→ pairs) → train → eval → report. */
export async function runPipeline(opts: RunPipelineOptions): Promise<StageOutcome[]> {
  const { store, runDir, config, ignoreMemory, ...run } = opts;
  // The engines' full configs (URLs, concurrency, key variable) go beside the fingerprinted slices:
  // the stages fingerprint only each engine's identity (libs/sample/src/engines/config.ts).
  const env: RunEnv & EngineEnv & TrainEnv = { store, runDir, engines: { sample: config.sample.engine, eval: config.eval.engine }, ...(ignoreMemory ? { ignoreMemory } : {}) };
  return runStages(env, planStages(PIPELINE_STAGES, config), run);
}
