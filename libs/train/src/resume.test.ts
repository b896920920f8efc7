import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stateDirFor } from './run-record';
import { trainModel, type TrainModelOptions } from './train-model';
import { makeFixture, maxParamDiff, paramsOf, useBackend, type Fixture } from './test-helpers';

class Killed extends Error {}

describe('resume after a kill', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  const opts = (f: Fixture, name: string): TrainModelOptions => ({
    runName: name,
    method: 'iw-sft', // uses the frozen reference too
    dataset: { name: 'tiny' },
    from: 'base',
    outDir: path.join(f.dir, 'models', name),
    seed: 5,
    steps: 9,
    batchSize: 2,
    gradAccum: 2,
    lr: 5e-3,
    warmupSteps: 2,
    evalEvery: 3,
    checkpointEvery: 4,
  });

  it('ends with the parameters of an uninterrupted run and one metric row per step', async () => {
    fx = await makeFixture();
    const f = fx;
    await trainModel(f.store, opts(f, 'straight'));

    // Killed in step 6, after the state saved at step 4.
    await expect(
      trainModel(f.store, {
        ...opts(f, 'killed'),
        onProgress: (p) => {
          if (p.step === 6) throw new Killed('kill');
        },
      }),
    ).rejects.toBeInstanceOf(Killed);
    const killedRun = f.store.training.get('killed')!;
    expect(killedRun.status).toBe('running');
    expect(killedRun.step).toBe(6);
    expect(fs.existsSync(path.join(stateDirFor(opts(f, 'killed').outDir), 'state.json'))).toBe(true);
    expect(fs.existsSync(opts(f, 'killed').outDir)).toBe(false);

    const lines: string[] = [];
    const resumed = await trainModel(f.store, { ...opts(f, 'killed'), log: (l) => lines.push(l) });
    expect(resumed.resumedFrom).toBe(4);
    expect(lines.some((l) => l.includes('resuming run killed after step 4'))).toBe(true);

    const a = await paramsOf(opts(f, 'straight').outDir);
    const b = await paramsOf(opts(f, 'killed').outDir);
    expect(maxParamDiff(a, b)).toBeLessThan(1e-5);

    const run = f.store.training.get('killed')!;
    expect(run.status).toBe('done');
    const train = f.store.training.metrics(run.id, 'train').map((m) => m.step);
    expect(train).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(f.store.training.metrics(run.id, 'eval').map((m) => m.step)).toEqual([3, 6, 9]);
    // The resumed run logged the same losses as the uninterrupted one.
    const straight = f.store.training.metrics(f.store.training.get('straight')!.id, 'train');
    const killed = f.store.training.metrics(run.id, 'train');
    killed.forEach((m, i) => expect(m.values['loss'] as number).toBeCloseTo(straight[i]!.values['loss'] as number, 5));
    // The resumable state is gone once the final checkpoint is registered.
    expect(fs.existsSync(stateDirFor(opts(f, 'killed').outDir))).toBe(false);
  });

  it('a finished run is not trained again; another configuration under its name is refused; restart starts over', async () => {
    fx = await makeFixture();
    const f = fx;
    const first = await trainModel(f.store, { ...opts(f, 'r'), steps: 2, evalEvery: 0 });
    const again = await trainModel(f.store, { ...opts(f, 'r'), steps: 2, evalEvery: 0 });
    expect(again.alreadyDone).toBe(true);
    expect(again.finalLoss).toBe(first.finalLoss);
    await expect(trainModel(f.store, { ...opts(f, 'r'), steps: 3, evalEvery: 0 })).rejects.toMatchObject({ name: 'InputError' });
    const restarted = await trainModel(f.store, { ...opts(f, 'r'), steps: 3, evalEvery: 0, resume: false });
    expect(restarted.alreadyDone).toBe(false);
    expect(f.store.training.metrics(restarted.runId, 'train').map((m) => m.step)).toEqual([1, 2, 3]);
  });
});
