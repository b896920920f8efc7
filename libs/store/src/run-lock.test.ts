/** One writer per run folder, checked with real processes. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { acquireRunLock, LOCK_FILE, pidAlive } from './run-lock';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dirs: string[] = [];
const children: ChildProcessByStdio<Writable, Readable, Readable>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sieve-lock-'));
  dirs.push(d);
  return join(d, 'run');
}

/** Starts lock-child.ts on `dir` and resolves once it holds the lock. */
function holder(dir: string): Promise<ChildProcessByStdio<Writable, Readable, Readable>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'libs/store/src/lock-child.ts'), dir], {
    cwd: repoRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.base.json') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve(child));
    child.on('exit', (code) => reject(new Error(`lock-child exited ${code}: ${err}`)));
  });
}
const exited = (c: { on(e: 'exit', f: () => void): void }): Promise<void> => new Promise((r) => c.on('exit', () => r()));

describe('run folder lock', () => {
  it('a second writer refuses, naming the process that holds the folder', async () => {
    const dir = runDir();
    const child = await holder(dir);
    let err: unknown;
    try {
      acquireRunLock(dir, { command: 'sieve run --preset quick' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SieveError);
    const e = err as SieveError;
    expect(e.message).toMatch(new RegExp(`in use by another sieve process: pid ${child.pid}, \`lock-child test\`, since \\d{4}-\\d\\d-\\d\\dT`));
    expect(e.hint).toContain(`kill ${child.pid}`);
    expect(e.where).toBe(join(dir, LOCK_FILE));

    // The holder ends normally (process.exit): its lock goes with it and the folder is free.
    child.stdin.end();
    await exited(child);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const lock = acquireRunLock(dir, { command: 'sieve run' });
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'sieve run' });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('a lock left by a killed process is taken over, with a message', async () => {
    const dir = runDir();
    const child = await holder(dir);
    const pid = child.pid;
    child.kill('SIGKILL');
    await exited(child);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true); // kill -9 leaves it behind
    const logs: string[] = [];
    const lock = acquireRunLock(dir, { command: 'sieve run', log: (l) => logs.push(l) });
    expect(logs).toEqual([expect.stringMatching(new RegExp(`taking over the lock of process ${pid} \\(\`lock-child test\`, since .*\\), which is no longer running`))]);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a killed process not yet reaped by its parent (a zombie) counts as dead', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    expect(pidAlive(child.pid!)).toBe(true);
    // Kill it and look before the event loop turns: libuv has not reaped it, so it is a zombie.
    process.kill(child.pid!, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z') {
      /* spin until the kernel has finished it */
    }
    expect(pidAlive(child.pid!)).toBe(false);
    await exited(child);
    expect(pidAlive(child.pid!)).toBe(false);
  });

  it('a lock from another host is never taken over; an unreadable old one is', () => {
    const dir = runDir();
    acquireRunLock(dir, { command: 'x' }).release();
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'elsewhere', command: 'sieve run', startedAt: '2025-01-01T00:00:00.000Z' }));
    expect(() => acquireRunLock(dir, { command: 'y', isAlive: () => false })).toThrow(/pid 1 on elsewhere, `sieve run`/);
    writeFileSync(path, '{"pid": 12'); // its writer died mid-write
    expect(() => acquireRunLock(dir, { command: 'y' })).toThrow(/being locked by another process/);
    const logs: string[] = [];
    acquireRunLock(dir, { command: 'y', unreadableStaleMs: 0, log: (l) => logs.push(l) }).release();
    expect(logs[0]).toMatch(/taking over the unreadable lock/);
  });
});
