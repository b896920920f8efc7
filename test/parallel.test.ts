import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runContents, sieve, sieveBin, tempDir } from './helpers';

let dir = '';
let cleanup = (): void => undefined;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('sieve-parallel-'));
});
afterAll(() => cleanup());

/** The quick preset shrunk to seconds, with three trainings (one on pairs) and four evaluations to run side by side. */
function micro(): string {
  const cfg = JSON.parse(readFileSync(join(repoRoot, 'data', 'presets', 'quick.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const q = cfg['questions'] as { splits: Record<string, { count: number }> };
  for (const s of Object.values(q.splits)) s.count = 6;
  cfg['pretrain'] = { ...cfg['pretrain'], steps: 30, corpus: { ...(cfg['pretrain']?.['corpus'] as object), count: 120 } };
  cfg['train'] = { ...cfg['train'], methods: ['sft', 'dft', 'dpo'], steps: 3, evalEvery: 1, checkpointEvery: 1 };
  cfg['eval'] = { ...cfg['eval'], n: 2, passAtK: [1, 2] };
  const file = join(dir, 'micro.json');
  writeFileSync(file, JSON.stringify({ ...cfg, name: 'micro' }));
  return file;
}
const runDir = (name: string): string => join(dir, 'data', 'runs', name);

describe('sieve run --jobs 2', { timeout: 600_000 }, () => {
  it('runs trainings and evaluations side by side and computes exactly what --jobs 1 computes', () => {
    const file = micro();
    const one = sieve(dir, ['--run', 'one', 'run', '--config', file, '--jobs', '1']);
    expect(one.code, one.stderr).toBe(0);
    const two = sieve(dir, ['--run', 'two', 'run', '--config', file, '--jobs', '2']);
    expect(two.code, two.stderr).toBe(0);
    // Side by side: a second training starts before the first one finished.
    const lines = two.stderr.split('\n');
    const firstStart = lines.findIndex((l) => /^train:\S+: running$/.test(l));
    const firstEnd = lines.findIndex((l) => /^train:\S+: \S+: final loss/.test(l));
    expect(lines.slice(firstStart + 1, firstEnd).some((l) => /^train:\S+: running$/.test(l)), two.stderr).toBe(true);
    // Off a terminal, progress lines are plain and prefixed by the stage id.
    expect(two.stderr).not.toContain('\u001b[');
    const a = runContents(runDir('one'));
    const b = runContents(runDir('two'));
    expect(Object.keys(a['weights'] as object).length).toBe(4); // base + three trained models
    expect((a['evaluations'] as unknown[]).length).toBe(8); // 4 models × 2 splits
    expect(b).toEqual(a);
  });

  it('a stage process killed mid-run stops the run naming it; the others finish, and the next run resumes from there', async () => {
    const file = micro();
    const child = spawn(process.execPath, [sieveBin, '--run', 'fail', 'run', '--config', file, '--jobs', '2'], { cwd: dir, env: { ...process.env, SIEVE_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // The child process that runs train:dft/s1 (its command line names the instance), killed as it appears.
    for (;;) {
      const pid = stagePid('train:dft/s1');
      if (pid !== null) {
        process.kill(pid, 'SIGKILL');
        break;
      }
      if (child.exitCode !== null) throw new Error(`run ended before train:dft/s1 could be killed:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await exited, stderr).toBe(1);
    expect(stderr).toMatch(/^train:dft\/s1: failed: .*killed by SIGKILL/m);
    expect(stderr).toMatch(/^error: stage train:dft\/s1: its process ended \(killed by SIGKILL\)/m);
    const stages = runContents(runDir('fail'))['stages'] as Record<string, { status: string }>;
    expect(stages['train:dft/s1']?.status).toBe('failed');
    // What ran beside it finished; nothing reading the failed one started.
    expect(stages['train:sft/s1']?.status).toBe('done');
    expect(stages['eval:dft/s1']).toBeUndefined();
    expect(stages['report']).toBeUndefined();

    const again = sieve(dir, ['--run', 'fail', 'run', '--config', file, '--jobs', '2']);
    expect(again.code, again.stderr).toBe(0);
    for (const s of ['questions', 'pretrain', 'sample', 'verify', 'filter', 'train:sft/s1']) expect(again.stderr).toMatch(new RegExp(`^${s}: unchanged, skipped$`, 'm'));
    expect(again.stderr).toMatch(/^train:dft\/s1: rerunning$/m);
    // The same contents as an uninterrupted run of the same config (the first test's).
    expect(runContents(runDir('fail'))).toEqual(runContents(runDir('one')));
  });
});

/** The pid of the `sieve run --jobs` child process running instance `id`, or null. */
function stagePid(id: string): number | null {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('bootstrap.mjs')) && argv.includes(`--stage=${id}`)) return Number(p);
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}
