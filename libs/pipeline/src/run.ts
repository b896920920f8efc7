import { availableParallelism } from 'node:os';
import type { StageProgress } from '@sieve/core';
import type { Store } from '@sieve/store';
import { childExecutor } from './child/run-in-child';
import type { PipelineConfig } from './config';
import { pipelineEnv } from './env';
import { planStages, runStages, type RunOptions, type StageOutcome } from './runner';
import { PIPELINE_STAGES } from './stages';

export interface RunPipelineOptions extends Omit<RunOptions, 'execute'> {
  store: Store;
  runDir: string;
  config: PipelineConfig;
  progress?: (label: string, total: number, id: string) => StageProgress;
  /** Train even when the memory estimate exceeds the free memory. */
  ignoreMemory?: boolean;
}

/** `--jobs` when not given: one instance per core (two single-thread trainings beat one two-worker training of a small model). */
export const defaultJobs = (): number => availableParallelism();

/**
 * Runs the chain questions → pretrain → sample → verify → filter (→ pairs) → train → eval → report.
 * With `jobs` > 1, instances whose inputs are done run side by side, each in a child process.
 */
export async function runPipeline(opts: RunPipelineOptions): Promise<StageOutcome[]> {
  const { store, runDir, config, ignoreMemory, ...run } = opts;
  const env = pipelineEnv(store, runDir, config, ignoreMemory ?? false);
  const execute = (run.jobs ?? 1) > 1 ? childExecutor({ config, ...(ignoreMemory ? { ignoreMemory } : {}), ...(run.log ? { log: run.log } : {}) }) : undefined;
  return runStages(env, planStages(PIPELINE_STAGES, config), { ...run, ...(execute ? { execute } : {}) });
}
