/** Messages between the main thread and a sampling worker (structured-clone friendly). */
import type { SerializedError } from '@sieve/core';
import type { ModelConfig, TokenizerJSON } from '@sieve/model';
import type { GenRequest, GenResult, GenerateParams } from './sequence';

export interface WorkerInit {
  /** Checkpoint folder the worker loads. */
  checkpointDir: string;
  /** Backend to force (else the default order / SIEVE_BACKEND). */
  backend?: string;
  /** For the bootstrap: tsconfig with the path aliases, and the TS entry's URL. */
  tsconfig: string;
  entry: string;
}

export interface JobMessage {
  type: 'job';
  id: number;
  requests: GenRequest[];
  params: GenerateParams;
}

export type ToWorker = JobMessage | { type: 'close' };


export type FromWorker =
  | { type: 'ready'; config: ModelConfig; tokenizer: TokenizerJSON; backend: string }
  | { type: 'result'; id: number; results: GenResult[] }
  | { type: 'error'; id: number | null; error: SerializedError };

