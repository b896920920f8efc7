import { InputError, SieveError } from './errors';

/** An error as it crosses a worker-thread boundary (structured clone keeps no class, hint or where). */
export interface SerializedError {
  message: string;
  name: string;
  stack?: string;
  hint?: string;
  where?: string;
}

/** Flattens an error (and a SieveError's hint/where) for postMessage. */
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

/** The worker's error on the main thread: an InputError stays one (exit 2); anything else says `what` failed, with the original as cause. */
export function rebuildError(e: SerializedError, what: string): SieveError {
  const opts = { ...(e.where ? { where: e.where } : {}), ...(e.hint ? { hint: e.hint } : {}) };
  const cause = Object.assign(new Error(e.message), { name: e.name, stack: e.stack });
  return e.name === 'InputError' ? new InputError(e.message, { ...opts, cause }) : new SieveError(`${what}: ${e.message}`, { ...opts, cause });
}
