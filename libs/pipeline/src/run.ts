import type { StageProgress } from '@sieve/core';
import type { EngineEnv } from '@sieve/sample';
import type { RunEnv, Store } from '@sieve/store';
import type { PipelineConfig } from './config';
import { planStages, runStages, type RunOptions, type StageOutcome } from './runner';
import { PIPELINE_STAGES } from './stages';

export interface RunPipelineOptions extends RunOptions {
  store: Store;
  runDir: string;
  config: PipelineConfig;
  progress?: (label: string, total: number) => StageProgress;
}

/** Runs the chain questions → pretrain → sample → verify → filter (→ pairs) → train → eval → report. */
export async function runPipeline(opts: RunPipelineOptions): Promise<StageOutcome[]> {
  const { store, runDir, config, ...run } = opts;
  // The engines' full configs (URLs, concurrency, key variable) go beside the fingerprinted slices:
  // the stages fingerprint only each engine's identity (libs/sample/src/engines/config.ts).
  const env: RunEnv & EngineEnv = { store, runDir, engines: { sample: config.sample.engine, eval: config.eval.engine } };
  return runStages(env, planStages(PIPELINE_STAGES, config), run);
}
