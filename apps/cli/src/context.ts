import { resolve, join, dirname } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { Store } from '@sieve/store';

export interface GlobalOptions {
  run: string;
  db?: string;
}

export interface RunContext {
  /** The run folder: data/runs/<name>/ (or the folder of --db). */
  runDir: string;
  dbPath: string;
}

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function runContext(cmd: Command): RunContext {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  if (opts.db) {
    const dbPath = resolve(opts.db);
    return { runDir: dirname(dbPath), dbPath };
  }
  if (!RUN_NAME.test(opts.run)) {
    throw new InputError(`invalid run name "${opts.run}"`, {
      where: '--run',
      hint: 'use letters, digits, ".", "_" or "-" (it names a folder under data/runs/)',
    });
  }
  const runDir = resolve('data', 'runs', opts.run);
  return { runDir, dbPath: join(runDir, 'sieve.sqlite') };
}

/** Opens the run's store, runs fn, always closes it. */
export async function withStore<T>(cmd: Command, fn: (store: Store, ctx: RunContext) => Promise<T> | T): Promise<T> {
  const ctx = runContext(cmd);
  const store = Store.open(ctx.dbPath);
  try {
    return await fn(store, ctx);
  } finally {
    store.close();
  }
}
