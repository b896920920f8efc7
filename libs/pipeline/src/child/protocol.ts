/**
 * Messages between `sieve run` and a child process that runs one stage instance (over the IPC
 * channel of child_process.fork; JSON-serialised). The parent keeps the stage records; the child
 * only runs the stage's `run` against the same store file.
 */
import type { SerializedError } from '@sieve/core';

/** Parent → child, once: what to run. The child plans the same config and checks the fingerprint. */
export interface ChildStart {
  type: 'start';
  /** The parsed pipeline config (JSON). */
  config: unknown;
  dbPath: string;
  runDir: string;
  id: string;
  fingerprint: string;
  resume: boolean;
  threads?: number;
  ignoreMemory?: boolean;
  /** The parent's compute backend, so both compute alike. */
  backend: string;
}

export type ChildMessage =
  | { type: 'log'; line: string }
  | { type: 'progress'; bar: number; label: string; total: number }
  | { type: 'update'; bar: number; done: number; info?: Record<string, string | number> }
  | { type: 'stop'; bar: number }
  | { type: 'done'; info: Record<string, unknown> }
  | { type: 'error'; error: SerializedError };
