/** SQLite's own corruption errors, turned into errors that name the store file and say what to do. */
import { SieveError } from '@sieve/core';

/** better-sqlite3 codes of a file that is not (or no longer) a readable SQLite database. */
const DAMAGED = /^SQLITE_(NOTADB|CORRUPT)/;

/** True for `file is not a database`, `database disk image is malformed` and their variants. */
export function isDamagedStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DAMAGED.test(code);
}

/**
 * Wraps a corruption error of the store at `path` in a SieveError with the file and a hint;
 * returns any other error unchanged (the caller rethrows it).
 */
export function damagedStoreError(err: unknown, path: string): unknown {
  if (!isDamagedStoreError(err)) return err;
  return new SieveError(`the store ${path} is damaged (${(err as Error).message})`, {
    where: path,
    hint: 'restore sieve.sqlite from a backup, or start the run again under another name (--run NEW_NAME)',
    cause: err,
  });
}
