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
  if (store.schemaVersion !== latest) {
    const v = store.schemaVersion;
    store.close();
    throw new SieveError(`the store ${dbPath} has schema v${v}, this sieve reads v${latest}`, {
      where: dbPath,
      hint: v < latest ? 'run any stage on this run once (it migrates the store), then inspect it' : 'update sieve',
    });
  }
  return store;
}
