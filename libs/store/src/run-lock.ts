/**
 * One writer per run folder: `<run folder>/sieve.lock`, created with O_EXCL (so exactly one
 * process wins), holding who wrote it (pid, host, command, start time) and removed when that
 * process ends. A lock whose pid is no longer alive on this host was left by a killed process and
 * is taken over. SQLite's own locking only serialises single transactions: two `sieve run`s would
 * each take the other's running stages for killed ones and compute them again.
 *
 * Written by hand: proper-lockfile (the kept npm library) decides staleness by mtime, which needs
 * a heartbeat while a stage runs for an hour; a dead pid is the exact test here.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SieveError } from '@sieve/core';

export const LOCK_FILE = 'sieve.lock';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  /** ISO time the lock was taken. */
  startedAt: string;
}

export interface RunLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

export interface AcquireOptions {
  /** What to show other processes, e.g. `sieve run --preset quick`. */
  command: string;
  /** Where the take-over of a stale lock is reported. */
  log?: (line: string) => void;
  /** For tests: whether a pid is alive (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /** A lock file that cannot be parsed is stale once older than this (its writer died mid-write). */
  unreadableStaleMs?: number;
}

/**
 * Signal 0 checks existence without signalling; EPERM means it exists under another user. On Linux
 * a killed process its parent has not reaped yet (a zombie, state Z) still answers: it counts as dead.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) S …"; comm may hold spaces or parens
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): trust the signal
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string') return null;
    return { pid: o.pid, host: o.host, command: String(o.command ?? '?'), startedAt: String(o.startedAt ?? '?') };
  } catch {
    return null;
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SieveError(`cannot create the lock file ${path}`, { where: path, hint: 'check the run folder is writable', cause: err });
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function removeIfOwned(path: string, pid: number): void {
  if (readOwner(path)?.pid !== pid) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Takes the run folder's lock (creating the folder if needed).
 * Errors: SieveError naming the other process (pid, host, command, since) when a live one holds it.
 * Known limit: two processes taking over the same stale lock at the same instant can both win
 * (each removes it, one removes the other's fresh file); the window is a few microseconds.
 */
export function acquireRunLock(runDir: string, opts: AcquireOptions): RunLock {
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, LOCK_FILE);
  const alive = opts.isAlive ?? pidAlive;
  const me = hostname();
  const owner: LockOwner = { pid: process.pid, host: me, command: opts.command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, owner)) return held(path, owner);
    const other = readOwner(path);
    if (other === null) {
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < (opts.unreadableStaleMs ?? 10_000)) {
        throw new SieveError(`run folder ${runDir} is being locked by another process right now`, { where: path, hint: 'try again in a moment' });
      }
      opts.log?.(`taking over the unreadable lock ${path} (left by a process that died while writing it)`);
    } else if (other.host === me && !alive(other.pid)) {
      opts.log?.(`taking over the lock of process ${other.pid} (\`${other.command}\`, since ${other.startedAt}), which is no longer running`);
    } else {
      const elsewhere = other.host !== me;
      throw new SieveError(
        `run folder ${runDir} is in use by another sieve process: pid ${other.pid}${elsewhere ? ` on ${other.host}` : ''}, \`${other.command}\`, since ${other.startedAt}`,
        {
          where: path,
          hint: elsewhere
            ? `wait for it to finish; if it is no longer running on ${other.host}, delete ${path}`
            : `wait for it to finish (or stop it: kill ${other.pid}), or use another run folder (--run NAME)`,
        },
      );
    }
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new SieveError(`could not take the lock ${path}: other processes keep taking it`, { where: path, hint: 'try again when the run folder is idle' });
}

function held(path: string, owner: LockOwner): RunLock {
  // process.exit() (e.g. on EPIPE) skips finally blocks but runs 'exit' listeners.
  const onExit = (): void => removeIfOwned(path, owner.pid);
  process.on('exit', onExit);
  let released = false;
  return {
    path,
    owner,
    release: () => {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      removeIfOwned(path, owner.pid);
    },
  };
}
