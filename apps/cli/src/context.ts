import { resolve, join, dirname } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { acquireRunLock, damagedStoreError, Store } from '@sieve/store';

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

export interface StoreAccess {
  /** false: a command that only reads (lists, exports) and may run beside a writer. Default true. */
  write?: boolean;
}

/** The command line as other processes see it in the lock file. */
const commandLine = (): string => ['sieve', ...process.argv.slice(2)].join(' ');

/**
 * Opens the store of a run folder, runs fn, always closes it. A writing command first takes the
 * folder's lock (one writer per run folder; a second one refuses, naming the first) and releases
 * it on the way out. A damaged store, at open or mid-command, is an error naming the file.
 */
export async function withStoreAt<T>(ctx: RunContext, fn: (store: Store, ctx: RunContext) => Promise<T> | T, access: StoreAccess = {}): Promise<T> {
  const lock = access.write === false ? null : acquireRunLock(ctx.runDir, { command: commandLine(), log: (l) => process.stderr.write(`${l}\n`) });
  try {
    const store = Store.open(ctx.dbPath);
    try {
      return await fn(store, ctx);
    } finally {
      store.close();
    }
  } catch (err) {
    throw damagedStoreError(err, ctx.dbPath);
  } finally {
    lock?.release();
  }
}

/** withStoreAt for the run folder of the command's --run/--db. */
export async function withStore<T>(cmd: Command, fn: (store: Store, ctx: RunContext) => Promise<T> | T, access: StoreAccess = {}): Promise<T> {
  return withStoreAt(runContext(cmd), fn, access);
}
