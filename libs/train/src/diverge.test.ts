/** A diverging run (lr 1e9) stops with a message, keeps its last good state and is recorded as failed. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { stateDirFor } from './run-record';
import { readLoopState } from './train-state';
import { trainModel, type TrainModelOptions } from './train-model';
import { makeFixture, useBackend, type Fixture } from './test-helpers';

describe('training that diverges', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  const opts = (f: Fixture, name: string, over: Partial<TrainModelOptions> = {}): TrainModelOptions => ({
    runName: name,
    method: 'sft',
    dataset: { name: 'tiny' },
    from: 'base',
    outDir: path.join(f.dir, 'models', name),
    seed: 1,
    steps: 30,
    batchSize: 2,
    lr: 1e9,
    warmupSteps: 0,
    clip: 0,
    evalEvery: 0,
    checkpointEvery: 1,
    ...over,
  });

  const failure = async (p: Promise<unknown>): Promise<SieveError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SieveError);
    return err as SieveError;
  };

  it('stops after the allowed skipped steps, names the step and the loss, keeps the last good state, records failed', async () => {
    fx = await makeFixture();
    const f = fx;
    const o = opts(f, 'lr1e9');
    const err = await failure(trainModel(f.store, o));
    expect(err.exitCode).toBe(1);

    const metrics = f.store.training.metrics(f.store.training.get('lr1e9')!.id, 'train');
    const bad = metrics.filter((m) => !Number.isFinite(m.values['loss'] as number) || !Number.isFinite(m.values['gradNorm'] as number));
    // The default tolerates 3 skipped steps and fails at the 4th.
    expect(bad.length).toBe(4);
    const failedAt = bad[3]!.step;
    expect(metrics[metrics.length - 1]!.step).toBe(failedAt);
    expect(err.message).toMatch(new RegExp(`diverged at step ${failedAt} of 30: loss (NaN|-?Infinity|[-\\d.e+]+), gradient norm`));
    expect(err.message).toContain('4 steps');
    expect(err.hint).toMatch(/lower the learning rate \(--lr, now 1000000000\)/);

    const run = f.store.training.get('lr1e9')!;
    expect(run.status).toBe('failed');
    expect(run.outModelId).toBeNull();
    expect(f.store.models.get('lr1e9')).toBeUndefined();
    expect(fs.existsSync(o.outDir)).toBe(false); // no diverged final checkpoint
    // The kept state is from before the first bad step, and the hint says where it is.
    const state = await readLoopState(stateDirFor(o.outDir));
    expect(state?.step).toBeLessThan(bad[0]!.step);
    expect(err.hint).toContain(stateDirFor(o.outDir));
    expect(err.where).toBe(`training run lr1e9, step ${failedAt}`);
  });

  it('maxSkippedSteps 0 stops at the first non-finite step', async () => {
    fx = await makeFixture();
    const f = fx;
    const err = await failure(trainModel(f.store, opts(f, 'strict', { maxSkippedSteps: 0 })));
    const metrics = f.store.training.metrics(f.store.training.get('strict')!.id, 'train');
    const last = metrics[metrics.length - 1]!;
    expect(Number.isFinite(last.values['loss'] as number) && Number.isFinite(last.values['gradNorm'] as number)).toBe(false);
    expect(metrics.slice(0, -1).every((m) => Number.isFinite(m.values['loss'] as number))).toBe(true);
    expect(err.message).toContain(`at step ${last.step} of 30`);
  });
});
