import type { Store } from '@sieve/store';
import type { PipelineConfig } from './config';

export interface ProgressBar {
  update(done: number, info?: Record<string, string | number>): void;
  stop(): void;
}

/** What the stages need from the caller: the store, the run folder, logging and progress bars. */
export interface PipelineEnv {
  store: Store;
  runDir: string;
  config: PipelineConfig;
  log: (line: string) => void;
  progress: (label: string, total: number) => ProgressBar;
}

/** Outputs are named after the fingerprint of the stage that made them: a changed config never reuses them. */
export const outName = (base: string, fp: string): string => `${base}-${fp.slice(0, 8)}`;

export const noProgress = (): ProgressBar => ({ update: () => undefined, stop: () => undefined });
