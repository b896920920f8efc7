import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineStage, outName, SieveError } from '@sieve/core';
import { Store, type RunEnv } from '@sieve/store';
import { planStages, runInProcess, runStages, type AnyStage, type InstanceExecutor } from './runner';

const dirs: string[] = [];
function env(): RunEnv {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-runner-'));
  dirs.push(dir);
  return { store: Store.open(join(dir, 'sieve.sqlite')), runDir: dir };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Cfg {
  questions: number;
  sample: number;
  filter: number;
  pairs: number;
  train: number;
  trains?: string[];
}

/** A chain questions → sample → filter (→ pairs on demand) → train(a, b…), each recording that it ran. */
function chain(ran: string[], failAt?: string, broken: Set<string> = new Set()): AnyStage[] {
  const stage = (name: string, inputs: (cfg: Cfg, key: string) => Record<string, string>, keys: (cfg: Cfg) => string[] = () => [''], onDemand = false) =>
    defineStage<RunEnv, Cfg, number, { name: string }>({
      name,
      summary: name,
      ...(onDemand ? { onDemand } : {}),
      instances: (cfg) => keys(cfg).map((key) => ({ key, inputs: inputs(cfg, key) })),
      select: (cfg) => (cfg as unknown as Record<string, number>)[name] ?? 0,
      outputs: (_s, tag, key) => ({ name: outName(`${name}${key}`, tag) }),
      run: async ({ resume, key, input }) => {
        const id = key ? `${name}:${key}` : name;
        if (failAt === id) throw new Error(`killed in ${id}`);
        if (name === 'train') input('data', 'name');
        ran.push(resume ? `${id} (resumed)` : id);
        return { ok: true };
      },
      check: ({ out }) => (broken.has(out.name) ? 'checksum mismatch' : null),
    });
  return [
    stage('questions', () => ({})),
    stage('sample', () => ({ q: 'questions' })),
    stage('filter', () => ({ s: 'sample' })),
    stage('pairs', () => ({ s: 'sample' }), () => [''], true),
    stage('train', (_c, key) => ({ data: key === 'dpo' ? 'pairs' : 'filter' }), (cfg) => cfg.trains ?? ['a', 'b']),
  ];
}

const CFG: Cfg = { questions: 1, sample: 1, filter: 1, pairs: 1, train: 1 };

describe('planStages', () => {
  it('plans an on-demand stage only when an instance reads it, and chains fingerprints', () => {
    const plain = planStages(chain([]), CFG);
    expect(plain.map((i) => i.id)).toEqual(['questions', 'sample', 'filter', 'train:a', 'train:b']);
    const withDpo = planStages(chain([]), { ...CFG, trains: ['a', 'dpo'] });
    expect(withDpo.map((i) => i.id)).toEqual(['questions', 'sample', 'filter', 'pairs', 'train:a', 'train:dpo']);
    expect(withDpo.find((i) => i.id === 'filter')?.fingerprint).toBe(plain.find((i) => i.id === 'filter')?.fingerprint);
    const changed = planStages(chain([]), { ...CFG, sample: 2 });
    expect(changed.map((i, n) => i.fingerprint === plain[n]?.fingerprint)).toEqual([true, false, false, false, false]);
  });

  it('refuses an instance that reads one planned after it', () => {
    const stages = chain([]);
    expect(() => planStages([stages[1]!, stages[0]!], CFG)).toThrow(/stage sample reads questions \(as q\), which is not planned before it/);
  });
});

describe('runStages', () => {
  it('runs everything once, then skips what is unchanged', async () => {
    const e = env();
    const ran: string[] = [];
    const first = await runStages(e, planStages(chain(ran), CFG));
    expect(ran).toEqual(['questions', 'sample', 'filter', 'train:a', 'train:b']);
    expect(first.map((o) => o.action)).toEqual(['ran', 'ran', 'ran', 'ran', 'ran']);
    ran.length = 0;
    const lines: string[] = [];
    const second = await runStages(e, planStages(chain(ran), CFG), { log: (l) => lines.push(l) });
    expect(ran).toEqual([]);
    expect(second.every((o) => o.action === 'skipped')).toBe(true);
    expect(lines).toContain('sample: unchanged, skipped');
    expect(e.store.stages.get('train', 'b')!.status).toBe('done');
  });

  it('a changed stage config reruns that stage and everything downstream, not upstream', async () => {
    const e = env();
    const ran: string[] = [];
    await runStages(e, planStages(chain(ran), CFG));
    ran.length = 0;
    await runStages(e, planStages(chain(ran), { ...CFG, filter: 2 }));
    expect(ran).toEqual(['filter', 'train:a', 'train:b']);
  });

  it('adding a method that trains on pairs builds the pairs and trains it, and skips the rest', async () => {
    const e = env();
    const ran: string[] = [];
    await runStages(e, planStages(chain(ran), CFG));
    ran.length = 0;
    await runStages(e, planStages(chain(ran), { ...CFG, trains: ['a', 'b', 'dpo'] }));
    expect(ran).toEqual(['pairs', 'train:dpo']);
  });

  it('--only reruns one stage; --from reruns it and what follows; --until stops', async () => {
    const e = env();
    const ran: string[] = [];
    await runStages(e, planStages(chain(ran), CFG));
    ran.length = 0;
    await runStages(e, planStages(chain(ran), CFG), { only: 'sample' });
    expect(ran).toEqual(['sample']);
    ran.length = 0;
    await runStages(e, planStages(chain(ran), CFG), { from: 'filter' });
    expect(ran).toEqual(['filter', 'train:a', 'train:b']);
    ran.length = 0;
    await runStages(e, planStages(chain(ran), { ...CFG, questions: 2 }), { until: 'sample' });
    expect(ran).toEqual(['questions', 'sample']);
  });

  it('what read a rerun stage is stale: --only sample, then a plain run reruns what follows it', async () => {
    const e = env();
    const ran: string[] = [];
    await runStages(e, planStages(chain(ran), CFG));
    ran.length = 0;
    await runStages(e, planStages(chain(ran), CFG), { only: 'sample' });
    expect(e.store.stages.get('filter')!.status).toBe('stale');
    expect(e.store.stages.get('questions')!.status).toBe('done');
    ran.length = 0;
    await runStages(e, planStages(chain(ran), CFG));
    expect(ran).toEqual(['filter', 'train:a', 'train:b']);
  });

  it('reruns a done instance whose outputs fail their check, saying so', async () => {
    const e = env();
    const ran: string[] = [];
    const plan = planStages(chain(ran), CFG);
    await runStages(e, plan);
    ran.length = 0;
    const lines: string[] = [];
    const bad = new Set([plan.find((i) => i.id === 'train:b')!.outputs['name'] as string]);
    await runStages(e, planStages(chain(ran, undefined, bad), CFG), { log: (l) => lines.push(l) });
    expect(ran).toEqual(['train:b']);
    expect(lines).toContain('train:b: output broken (checksum mismatch), running again');
  });

  it('a stage killed mid-way is resumed (not restarted) with the same fingerprint; a failure is recorded and rerun', async () => {
    const e = env();
    const ran: string[] = [];
    await runStages(e, planStages(chain(ran), CFG), { until: 'filter' });
    // A kill leaves the record 'running' (start without finish), with this config's fingerprint.
    e.store.stages.start('train', 'a', planStages(chain([]), CFG).find((i) => i.id === 'train:a')!.fingerprint);
    ran.length = 0;
    await runStages(e, planStages(chain(ran), CFG));
    expect(ran).toEqual(['train:a (resumed)', 'train:b']);

    ran.length = 0;
    const cfg2 = { ...CFG, train: 2 };
    const err = await runStages(e, planStages(chain(ran, 'train:b'), cfg2)).then(() => null, (x: unknown) => x);
    // An unexpected error comes out named with its stage, the original as its cause.
    expect(err).toBeInstanceOf(SieveError);
    expect(err).toMatchObject({ message: 'stage train:b failed: killed in train:b', where: 'stage train:b', cause: { message: 'killed in train:b' } });
    expect(e.store.stages.get('train', 'b')!.status).toBe('failed');
    expect(e.store.stages.get('train', 'b')!.info).toEqual({ error: 'killed in train:b' });
    ran.length = 0;
    await runStages(e, planStages(chain(ran), cfg2));
    expect(ran).toEqual(['train:b']);
  });

  /** runInProcess, recording when each instance starts (with its threads and whether it runs alone) and ends. */
  const traced = (events: string[]): InstanceExecutor => async (env, task) => {
    events.push(`start ${task.inst.id} threads=${task.threads ?? 'own'}${task.alone ? ' alone' : ''}`);
    await new Promise((r) => setImmediate(r)); // let the others start
    try {
      return await runInProcess(env, task);
    } finally {
      events.push(`end ${task.inst.id}`);
    }
  };

  it('with jobs 2, what is ready runs side by side on a share of the cores; what most instances wait for runs alone', async () => {
    const e = env();
    const events: string[] = [];
    const trains = ['a', 'b', 'c'];
    await runStages(e, planStages(chain([]), { ...CFG, trains }), { jobs: 2, cores: 2, execute: traced(events) });
    expect(events).toEqual([
      'start questions threads=own alone',
      'end questions',
      'start sample threads=own alone',
      'end sample',
      'start filter threads=own alone',
      'end filter',
      'start train:a threads=1',
      'start train:b threads=1',
      'end train:a',
      'start train:c threads=1',
      'end train:b',
      'end train:c',
    ]);
    // The same records as one after another.
    const seq = env();
    await runStages(seq, planStages(chain([]), { ...CFG, trains }));
    const records = (x: RunEnv) => x.store.stages.list().map((r) => [r.stage, r.key, r.status, r.fingerprint]);
    expect(records(e)).toEqual(records(seq));
  });

  it('with jobs 2, a failure starts nothing new, lets the running instance finish, and throws its error', async () => {
    const e = env();
    const events: string[] = [];
    const lines: string[] = [];
    const run = runStages(e, planStages(chain([], 'train:a'), { ...CFG, trains: ['a', 'b', 'c'] }), { jobs: 2, cores: 2, execute: traced(events), log: (l) => lines.push(l) });
    await expect(run).rejects.toThrow(/killed in train:a/);
    expect(events).toContain('end train:b');
    expect(events.filter((ev) => ev.startsWith('start train:c'))).toEqual([]);
    expect(lines).toContain('train:a: failed: killed in train:a; starting nothing new, waiting for train:b to finish');
    expect(e.store.stages.get('train', 'a')!.status).toBe('failed');
    expect(e.store.stages.get('train', 'b')!.status).toBe('done');
    expect(e.store.stages.get('train', 'c')).toBeUndefined();
  });
});
