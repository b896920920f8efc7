import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@sieve/store';
import { fingerprints, runStages, type StageInstance, type StageName } from './runner';

const dirs: string[] = [];
function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-runner-'));
  dirs.push(dir);
  return Store.open(join(dir, 'sieve.sqlite'));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A chain questions → sample → filter → train(a, b), each recording that it ran. */
function chain(cfg: Record<string, unknown>, ran: string[], failAt?: string): StageInstance[] {
  const inst = (stage: StageName, key: string, deps: string[]): StageInstance => ({
    stage,
    key,
    deps,
    config: cfg[stage] ?? null,
    run: async ({ resume }) => {
      const id = key ? `${stage}:${key}` : stage;
      if (failAt === id) throw new Error(`killed in ${id}`);
      ran.push(resume ? `${id} (resumed)` : id);
      return { ok: true };
    },
  });
  return [
    inst('questions', '', []),
    inst('sample', '', ['questions']),
    inst('filter', '', ['sample']),
    inst('train', 'a', ['filter']),
    inst('train', 'b', ['filter']),
  ];
}

describe('runStages', () => {
  it('runs everything once, then skips what is unchanged', async () => {
    const s = store();
    const ran: string[] = [];
    const cfg = { questions: 1, sample: 1, filter: 1, train: 1 };
    const first = await runStages(s, chain(cfg, ran));
    expect(ran).toEqual(['questions', 'sample', 'filter', 'train:a', 'train:b']);
    expect(first.map((o) => o.action)).toEqual(['ran', 'ran', 'ran', 'ran', 'ran']);
    ran.length = 0;
    const lines: string[] = [];
    const second = await runStages(s, chain(cfg, ran), { log: (l) => lines.push(l) });
    expect(ran).toEqual([]);
    expect(second.every((o) => o.action === 'skipped')).toBe(true);
    expect(lines).toContain('sample: unchanged, skipped');
    expect(s.stages.get('train', 'b')!.status).toBe('done');
  });

  it('a changed stage config reruns that stage and everything downstream, not upstream', async () => {
    const s = store();
    const ran: string[] = [];
    await runStages(s, chain({ questions: 1, sample: 1, filter: 1, train: 1 }, ran));
    ran.length = 0;
    await runStages(s, chain({ questions: 1, sample: 1, filter: 2, train: 1 }, ran));
    expect(ran).toEqual(['filter', 'train:a', 'train:b']);
  });

  it('--only reruns one stage; --from reruns it and what follows; --until stops', async () => {
    const s = store();
    const ran: string[] = [];
    const cfg = { questions: 1, sample: 1, filter: 1, train: 1 };
    await runStages(s, chain(cfg, ran));
    ran.length = 0;
    await runStages(s, chain(cfg, ran), { only: 'sample' });
    expect(ran).toEqual(['sample']);
    ran.length = 0;
    await runStages(s, chain(cfg, ran), { from: 'filter' });
    expect(ran).toEqual(['filter', 'train:a', 'train:b']);
    ran.length = 0;
    await runStages(s, chain({ ...cfg, questions: 2 }, ran), { until: 'sample' });
    expect(ran).toEqual(['questions', 'sample']);
  });

  it('a stage killed mid-way is resumed (not restarted) with the same fingerprint; a failure is recorded', async () => {
    const s = store();
    const ran: string[] = [];
    const cfg = { questions: 1, sample: 1, filter: 1, train: 1 };
    await runStages(s, chain(cfg, ran), { until: 'filter' });
    // A kill leaves the record 'running' (start without finish), with this config's fingerprint.
    s.stages.start('train', 'a', fingerprints(chain(cfg, [])).get('train:a')!);
    ran.length = 0;
    await runStages(s, chain(cfg, ran));
    expect(ran).toEqual(['train:a (resumed)', 'train:b']);

    ran.length = 0;
    await expect(runStages(s, chain({ ...cfg, train: 2 }, ran, 'train:b'))).rejects.toThrow(/killed in train:b/);
    expect(s.stages.get('train', 'b')!.status).toBe('failed');
    expect(s.stages.get('train', 'b')!.info).toEqual({ error: 'killed in train:b' });
  });
});
