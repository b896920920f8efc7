import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '@sieve/store';
import { STAGES } from '@sieve/pipeline';
import { repoRoot, sieve, sieveBin, tempDir } from './helpers';

const METHODS = ['base', 'sft', 'dft', 'iw-sft', 'dpo', 'asft'];
let dir = '';
let cleanup = (): void => undefined;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('sieve-pipeline-'));
});
afterAll(() => cleanup());

const runDir = (): string => join(dir, 'data', 'runs', 'quick');
const quick = (): Record<string, Record<string, unknown>> =>
  JSON.parse(readFileSync(join(repoRoot, 'data', 'presets', 'quick.json'), 'utf8'));
const stageLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /^(questions|pretrain|sample|verify|filter|pairs|train|eval|report)(:\S+)?: /.test(l));

const openRun = (): Store => Store.open(join(runDir(), 'sieve.sqlite'), { readonly: true });

function stageStatus(): Record<string, string> {
  const store = openRun();
  try {
    return Object.fromEntries(store.stages.list().map((r) => [r.key ? `${r.stage}:${r.key}` : r.stage, r.status]));
  } finally {
    store.close();
  }
}

describe('sieve run --preset quick, end to end', { timeout: 300_000 }, () => {
  it('runs the whole chain and writes a report with every method', () => {
    const res = sieve(dir, ['run', '--preset', 'quick']);
    expect(res.code, res.stderr).toBe(0);
    const md = readFileSync(join(runDir(), 'report', 'report.md'), 'utf8');
    for (const m of METHODS) {
      expect(md).toMatch(new RegExp(`^\\| ${m} \\|.*\\| test \\| \\d\\.\\d{3}`, 'm'));
      expect(md).toMatch(new RegExp(`^\\| ${m} \\|.*\\| ood \\| \\d\\.\\d{3}`, 'm'));
    }
    const html = readFileSync(join(runDir(), 'report', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(Object.values(stageStatus()).every((s) => s === 'done')).toBe(true);
  });

  it('a second run skips every stage', () => {
    const res = sieve(dir, ['run', '--preset', 'quick']);
    expect(res.code, res.stderr).toBe(0);
    const lines = stageLines(res.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const l of lines) expect(l).toMatch(/unchanged, skipped$/);
  });

  it('changing one filter rule reruns filter and what follows, not sampling', () => {
    const cfg = quick();
    cfg['filter'] = { ...cfg['filter'], maxPerQuestion: 1 };
    const file = join(dir, 'changed.json');
    writeFileSync(file, JSON.stringify(cfg));
    const res = sieve(dir, ['run', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    const err = res.stderr;
    for (const s of ['questions', 'pretrain', 'sample', 'verify']) expect(err).toContain(`${s}: unchanged, skipped`);
    expect(err).toMatch(/^filter: config changed, running/m);
    expect(err).toMatch(/^train:dft\/s1: config changed, running/m);
    expect(err).toMatch(/^eval:dft\/s1: config changed, running/m);
    expect(err).toMatch(/^eval:base: unchanged, skipped/m);
    expect(err).toMatch(/^report: config changed, running/m);
  });

  it('adding dpo to a finished run builds the pairs and trains dpo, and reruns nothing that was done', () => {
    const cfg = quick();
    cfg['train'] = { ...cfg['train'], methods: ['sft'] };
    const file = join(dir, 'no-dpo.json');
    writeFileSync(file, JSON.stringify(cfg));
    const first = sieve(dir, ['--run', 'adddpo', 'run', '--config', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/^pairs: /m);
    cfg['train'] = { ...cfg['train'], methods: ['sft', 'dpo'] };
    writeFileSync(file, JSON.stringify(cfg));
    const res = sieve(dir, ['--run', 'adddpo', 'run', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    for (const s of ['questions', 'pretrain', 'sample', 'verify', 'filter', 'train:sft/s1', 'eval:base', 'eval:sft/s1']) expect(res.stderr).toContain(`${s}: unchanged, skipped`);
    for (const s of ['pairs', 'train:dpo/s1', 'eval:dpo/s1']) expect(res.stderr).toMatch(new RegExp(`^${s}: running$`, 'm'));
    expect(res.stderr).toMatch(/^report: config changed, running/m);
    const md = readFileSync(join(dir, 'data', 'runs', 'adddpo', 'report', 'report.md'), 'utf8');
    expect(md).toMatch(/^\| dpo \|.*\| test \| \d\.\d{3}/m);
  });

  it('a run killed during training resumes that training and finishes', async () => {
    const cfg = quick();
    cfg['train'] = { ...cfg['train'], steps: 14, checkpointEvery: 4 };
    const file = join(dir, 'longer.json');
    writeFileSync(file, JSON.stringify(cfg));
    const child = spawn(process.execPath, [sieveBin, 'run', '--config', file], { cwd: dir, env: { ...process.env, SIEVE_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Kill it once the first training run is past its first checkpoint.
    const watch = openRun();
    try {
      for (;;) {
        const row = watch.training.list().filter((r) => r.status === 'running' && r.method !== 'pretrain').at(-1);
        if (row && row.step >= 6) break;
        if (child.exitCode !== null) throw new Error(`run ended before it could be killed:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      watch.close();
    }
    child.kill('SIGKILL');
    await exited;
    const killedStage = Object.entries(stageStatus()).find(([, s]) => s === 'running')?.[0];
    expect(killedStage).toMatch(/^train:/);

    const res = sieve(dir, ['run', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`${killedStage}: resuming`);
    expect(Object.values(stageStatus()).every((s) => s === 'done')).toBe(true);
    expect(existsSync(join(runDir(), 'report', 'report.md'))).toBe(true);
    // Exactly one metrics row per step of the resumed run: nothing lost, nothing doubled.
    const check = openRun();
    try {
      const runs = check.training.list().filter((r) => r.status === 'done' && r.method !== 'pretrain' && r.step === 14);
      expect(runs.length).toBe(5);
      for (const r of runs) {
        const steps = check.training.metrics(r.id, 'train').map((m) => m.step);
        expect(steps).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
      }
    } finally {
      check.close();
    }
  });
});

describe('reruns from any stage on a finished run', { timeout: 600_000 }, () => {
  /** The quick preset shrunk to seconds: two methods (one on pairs), a handful of questions and steps. */
  function micro(): string {
    const cfg = quick() as Record<string, Record<string, unknown>>;
    const q = cfg['questions'] as { splits: Record<string, { count: number }> };
    for (const s of Object.values(q.splits)) s.count = 6;
    cfg['pretrain'] = { ...cfg['pretrain'], steps: 30, corpus: { ...(cfg['pretrain']?.['corpus'] as object), count: 120 } };
    cfg['train'] = { ...cfg['train'], methods: ['sft', 'dpo'], steps: 2, evalEvery: 1, checkpointEvery: 1 };
    cfg['eval'] = { ...cfg['eval'], n: 2, passAtK: [1, 2] };
    const file = join(dir, 'micro.json');
    writeFileSync(file, JSON.stringify({ ...cfg, name: 'micro' }));
    return file;
  }
  const statuses = (): string[] => {
    const store = Store.open(join(dir, 'data', 'runs', 'micro', 'sieve.sqlite'), { readonly: true });
    try {
      return store.stages.list().map((r) => `${r.stage}${r.key ? `:${r.key}` : ''}=${r.status}`);
    } finally {
      store.close();
    }
  };

  it('--from every stage, then --force, each ends with every stage done and a report', () => {
    const file = micro();
    const first = sieve(dir, ['run', '--config', file]);
    expect(first.code, first.stderr).toBe(0);
    for (const stage of STAGES) {
      const res = sieve(dir, ['run', '--config', file, '--from', stage]);
      expect(res.code, `--from ${stage}:\n${res.stderr}`).toBe(0);
      expect(res.stderr, `--from ${stage}`).toMatch(new RegExp(`^${stage}(:\\S+)?: rerunning`, 'm'));
      expect(statuses().filter((s) => !s.endsWith('=done')), `--from ${stage}`).toEqual([]);
    }
    const forced = sieve(dir, ['run', '--config', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(statuses().filter((s) => !s.endsWith('=done'))).toEqual([]);
    expect(existsSync(join(dir, 'data', 'runs', 'micro', 'report', 'report.md'))).toBe(true);
    // Every rerun of filter/pairs replaced its dataset: one version per name, no orphans.
    const store = Store.open(join(dir, 'data', 'runs', 'micro', 'sieve.sqlite'), { readonly: true });
    try {
      const ds = store.datasets.list();
      expect(ds.map((d) => `${d.name}@${d.version}`).sort()).toEqual(ds.map((d) => `${d.name}@1`).sort());
      expect(ds.length).toBe(2);
    } finally {
      store.close();
    }
  });

  it('a corrupt checkpoint of a finished stage is rebuilt by the next run, which says why', () => {
    const file = micro();
    const store = Store.open(join(dir, 'data', 'runs', 'micro', 'sieve.sqlite'), { readonly: true });
    const trained = store.models.list().find((m) => m.id.startsWith('sft-s1-'));
    store.close();
    expect(trained).toBeDefined();
    const weights = join(dir, 'data', 'runs', 'micro', 'models', trained!.id, 'weights.bin');
    writeFileSync(weights, readFileSync(weights).subarray(0, 100));
    const res = sieve(dir, ['run', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^train:sft\/s1: output broken \(checkpoint .*weights\.bin.*\), running again$/m);
    expect(res.stderr).toMatch(/^train:dpo\/s1: unchanged, skipped$/m);
    expect(res.stderr).toMatch(/^eval:sft\/s1: (rerunning|running)/m);
    expect(readFileSync(weights).length).toBeGreaterThan(100);
  });

  it('--only a stage marks what read it stale, and the next plain run reruns exactly that', () => {
    const file = micro();
    const only = sieve(dir, ['run', '--config', file, '--only', 'sample']);
    expect(only.code, only.stderr).toBe(0);
    expect(statuses()).toContain('verify=stale');
    const res = sieve(dir, ['run', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^pretrain: unchanged, skipped$/m);
    expect(res.stderr).toMatch(/^verify: rerunning$/m);
    expect(statuses().filter((s) => !s.endsWith('=done'))).toEqual([]);
  });
});
