/** Messages between the main thread and a sampling worker (structured-clone friendly). */
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

export interface SerializedError {
  message: string;
  name: string;
  stack?: string;
  hint?: string;
  where?: string;
}

export type FromWorker =
  | { type: 'ready'; config: ModelConfig; tokenizer: TokenizerJSON; backend: string }
  | { type: 'result'; id: number; results: GenResult[] }
  | { type: 'error'; id: number | null; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const extra = err as Error & { hint?: unknown; where?: unknown };
    return {
      message: err.message,
      name: err.name,
      ...(err.stack ? { stack: err.stack } : {}),
      ...(typeof extra.hint === 'string' ? { hint: extra.hint } : {}),
      ...(typeof extra.where === 'string' ? { where: extra.where } : {}),
    };
  }
  return { message: String(err), name: 'Error' };
}
