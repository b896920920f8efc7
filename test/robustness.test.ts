/** Issue 16 as a user meets it on the command line: a busy run folder, a garbled store, hostile input text. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sieve, tempDir } from './helpers';

const tmp = tempDir('sieve-robust-');
afterAll(() => tmp.cleanup());

describe('sieve CLI under misuse', () => {
  it('refuses a run folder another live process writes, and takes over a dead one\'s lock', () => {
    const runDir = join(tmp.dir, 'data', 'runs', 'busy');
    mkdirSync(runDir, { recursive: true });
    const lock = join(runDir, 'sieve.lock');
    // This test process is alive: it plays the other writer.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'sieve run --preset quick', startedAt: '2025-06-01T10:00:00.000Z' }));
    const refused = sieve(tmp.dir, ['questions', 'generate', '--run', 'busy', '--splits', 'train:id:3']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: run folder ${runDir} is in use by another sieve process: pid ${process.pid}, \`sieve run --preset quick\`, since 2025-06-01T10:00:00.000Z`);
    expect(refused.stderr).toContain(`hint: wait for it to finish (or stop it: kill ${process.pid})`);
    expect(existsSync(join(runDir, 'sieve.sqlite'))).toBe(false); // refused before opening anything

    // A lock from a process that is gone (kill -9 leaves it behind).
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), command: 'sieve run --preset quick', startedAt: '2025-06-01T10:00:00.000Z' }));
    const ok = sieve(tmp.dir, ['questions', 'generate', '--run', 'busy', '--splits', 'train:id:3']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`taking over the lock of process ${dead}`);
    expect(existsSync(lock)).toBe(false); // released on exit

    // Readers do not take the lock.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'sieve run', startedAt: '2025-06-01T10:00:00.000Z' }));
    const list = sieve(tmp.dir, ['questions', 'list', '--run', 'busy']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('train');
  });

  it('a garbled store names the file and says what to do', () => {
    const runDir = join(tmp.dir, 'data', 'runs', 'garbled');
    mkdirSync(runDir, { recursive: true });
    const db = join(runDir, 'sieve.sqlite');
    writeFileSync(db, Buffer.alloc(4096, 0x42));
    const res = sieve(tmp.dir, ['questions', 'list', '--run', 'garbled']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error: the store ${db} is damaged (file is not a database)`);
    expect(res.stderr).toContain('hint: restore sieve.sqlite from a backup, or start the run again under another name (--run NEW_NAME)');
  });

  it('an ESC sequence in a bad JSONL line reaches the terminal escaped; a directory is "not a file"', () => {
    const file = join(tmp.dir, 'evil.jsonl');
    writeFileSync(file, '{"question": "1+1?", "answer": "2"}\n{"question": \x1b[2J\x1b]0;owned\x07 }\n');
    const res = sieve(tmp.dir, ['questions', 'import', file, '--run', 'evil']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`at: ${file}:2`);
    expect(res.stderr).toContain('\\x1b');
    expect([...res.stderr].filter((c) => c !== '\n' && (c < ' ' || c === '\x7f'))).toEqual([]);

    const config = join(tmp.dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ name: 'bad', sample: { k: 'four' } }));
    const c = sieve(tmp.dir, ['run', '--config', config]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^error: invalid pipeline config/m);
    expect(c.stderr).toContain('"sample.k": Invalid input: expected number, received string');
    expect(c.stderr).not.toContain('"code"'); // no raw zod JSON dump after the message
    expect(c.stderr).not.toContain('caused by');

    const dir = join(tmp.dir, 'gsm8k');
    mkdirSync(dir);
    const d = sieve(tmp.dir, ['questions', 'import', dir, '--run', 'evil']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain(`error: ${dir} is not a file`);
  });
});
