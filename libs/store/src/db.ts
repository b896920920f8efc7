import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SieveError } from '@sieve/core';
import { migrations, type Migration } from './migrations';
import { damagedStoreError } from './store-errors';

export type Db = Database.Database;

/**
 * Opens (creating if needed) a store file with WAL, foreign keys and the latest schema.
 * A file that is not a SQLite database, or whose schema is damaged, is a SieveError naming it.
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new SieveError(`cannot open the store ${path}`, {
      where: path,
      hint: opts.readonly ? 'check the path, or run a stage that creates it first' : 'check the folder is writable',
      cause: err,
    });
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // reads the schema page: a garbled file fails here, not mid-stage
    if (!opts.readonly) migrate(db, migrations, path);
  } catch (err) {
    db.close();
    throw damagedStoreError(err, path);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Db, list: readonly Migration[], where = 'store'): void {
  const current = schemaVersion(db);
  const latest = list.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    throw new SieveError(`the store has schema v${current}, newer than this sieve knows (v${latest})`, {
      where,
      hint: 'update sieve, or use another run folder',
    });
  }
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    const fkWas = db.pragma('foreign_keys', { simple: true }) as number;
    if (m.rebuildsReferencedTable) db.pragma('foreign_keys = OFF'); // a no-op inside a transaction: set it outside
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsReferencedTable) {
          const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
          if (broken.length) {
            const b = broken[0] as { table: string; rowid: number; parent: string };
            throw new SieveError(`migration v${m.version} (${m.name}) would leave ${broken.length} broken reference(s), e.g. ${b.table} row ${b.rowid} → ${b.parent}`, {
              where,
              hint: 'the store was not changed; restore it from a copy or report this',
            });
          }
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsReferencedTable) db.pragma(`foreign_keys = ${fkWas ? 'ON' : 'OFF'}`);
    }
  }
}
