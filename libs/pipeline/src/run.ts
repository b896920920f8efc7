import type { StageProgress } from '@sieve/core';
import type { Store } from '@sieve/store';
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
  return runStages({ store, runDir }, planStages(PIPELINE_STAGES, config), run);
}
