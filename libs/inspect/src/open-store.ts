import { existsSync } from 'node:fs';
import { InputError, SieveError } from '@sieve/core';
import { Store, migrations } from '@sieve/store';

/**
 * Opens a run's store for reading only: no migration, no write can go through it (SQLite
 * refuses with SQLITE_READONLY). A WAL reader may leave empty -wal/-shm files beside it; the
 * store file itself is never touched.
 */
export function openReadonlyStore(dbPath: string): Store {
  if (!existsSync(dbPath)) {
    throw new InputError(`no store at ${dbPath}`, {
      where: dbPath,
      hint: 'pick the run with --run NAME (a folder under data/runs/) or --db PATH; a stage creates the store when it first runs',
    });
  }
  const store = Store.open(dbPath, { readonly: true });
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  const v = store.schemaVersion;
  // Every query here reads v1 tables, so an older store is fine (later migrations add indexes and columns).
  if (v < 1 || v > latest) {
    store.close();
    throw new SieveError(v < 1 ? `${dbPath} is not a sieve store (no schema)` : `the store ${dbPath} has schema v${v}, newer than this sieve reads (v${latest})`, {
      where: dbPath,
      hint: v < 1 ? 'point --db at a run\'s sieve.sqlite' : 'update sieve',
    });
  }
  return store;
}
