import { noProgress, type PipelineEnv, type ProgressBar } from './context';
import type { PipelineConfig } from './config';
import { runStages, type RunOptions, type StageOutcome } from './runner';
import { buildStages } from './stages';
import type { Store } from '@sieve/store';

export interface RunPipelineOptions extends RunOptions {
  store: Store;
  runDir: string;
  config: PipelineConfig;
  progress?: (label: string, total: number) => ProgressBar;
}

/** Runs the chain questions → pretrain → sample → verify → filter → train → eval → report. */
export async function runPipeline(opts: RunPipelineOptions): Promise<StageOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const env: PipelineEnv = {
    store: opts.store,
    runDir: opts.runDir,
    config: opts.config,
    log,
    progress: opts.progress ?? noProgress,
  };
  return runStages(opts.store, buildStages(env), {
    log,
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.from ? { from: opts.from } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.force ? { force: opts.force } : {}),
  });
}
