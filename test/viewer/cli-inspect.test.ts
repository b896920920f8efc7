/** `sieve inspect` and `sieve serve` as a user types them, on a run folder under data/runs/. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '@sieve/store';
import { sieve, sieveBin, tempDir } from '../helpers';
import { writeRun } from '../helpers';

let dir = '';
let cleanup = (): void => undefined;
let dbPath = '';
beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sieve-inspect-cli-'));
  ({ dbPath } = await writeRun(dir, 'demo'));
});
afterAll(() => cleanup());

const storeCounts = (): { samples: number; items: number; kept: number } => {
  const s = Store.open(dbPath, { readonly: true });
  try {
    const items = s.datasets.list().map((d) => s.datasets.itemCounts(d.id));
    return { samples: s.counts().samples, items: items.reduce((a, c) => a + c.items, 0), kept: items.reduce((a, c) => a + c.kept, 0) };
  } finally {
    s.close();
  }
};

describe('sieve inspect', () => {
  it('reports the run as JSON without touching the store', () => {
    const bytes = readFileSync(dbPath);
    const mtime = statSync(dbPath).mtimeMs;
    const res = sieve(dir, ['--run', 'demo', 'inspect', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    const c = storeCounts();
    expect(out.counts.samples).toBe(c.samples);
    expect(out.datasets[0]).toMatchObject({ name: 'rft', version: 1, items: c.items, kept: c.kept });
    expect(out.datasets[0].acceptanceRate).toBeCloseTo(c.kept / c.items, 12);
    expect(out.stages.records.map((r: { stage: string }) => r.stage)).toEqual(['sample']);
    expect(readFileSync(dbPath).equals(bytes)).toBe(true);
    expect(statSync(dbPath).mtimeMs).toBe(mtime);
  });

  it('prints a dataset and a question as text', () => {
    const d = sieve(dir, ['--run', 'demo', 'inspect', '--dataset', 'rft@1']);
    expect(d.code, d.stderr).toBe(0);
    const c = storeCounts();
    expect(d.stdout).toContain(`acceptance: ${c.kept}/${c.items} items kept`);
    expect(d.stdout).toContain('hardest questions (lowest pass rate):');
    const q = sieve(dir, ['--run', 'demo', 'inspect', '--dataset', 'rft', '--question', '1']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toContain('question 1 (synth/train)');
    expect(q.stdout).toMatch(/\[✗ <<3\*4=13>> should be 12\]/);
  });

  it('fails with exit 2 and a hint for a run that does not exist, creating nothing', () => {
    const res = sieve(dir, ['--run', 'nope', 'inspect']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no store at .*nope/);
    expect(res.stderr).toMatch(/hint: pick the run with --run NAME/);
    expect(existsSync(join(dir, 'data', 'runs', 'nope'))).toBe(false);
  });
});

describe('sieve serve', () => {
  it('prints its URL on 127.0.0.1, serves the run read-only, stops on Ctrl-C', async () => {
    const bytes = readFileSync(dbPath);
    const child = spawn(process.execPath, [sieveBin, '--run', 'demo', 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, SIEVE_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        void exited.then((code) => reject(new Error(`sieve serve exited (${code}) before printing a URL: ${stderr}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<h1>Run demo</h1>');
      expect((await fetch(new URL('/datasets/1', url))).status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(readFileSync(dbPath).equals(bytes)).toBe(true);
  });
});
