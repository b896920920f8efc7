import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PHIST_BINS } from './loop';
import type { TrainMethod } from './methods';
import { trainModel } from './train-model';
import { makeFixture, useBackend, type Fixture } from './test-helpers';

const TRAIN_KEYS = ['loss', 'ce', 'meanP', 'q10', 'q25', 'q50', 'q75', 'q90', 'tokens', 'gradNorm', 'lr', 'tokensPerSec'];
const DPO_KEYS = ['rewardMargin', 'accuracy', 'chosenReward', 'rejectedReward'];

describe('every method trains a few steps in a real store', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  const cases: [TrainMethod, string][] = [
    ['sft', 'tiny'],
    ['dft', 'tiny'],
    ['iw-sft', 'tiny'],
    ['asft', 'tiny'],
    ['dpo', 'tiny-pairs'],
  ];
  it.each(cases)('%s writes train and eval metrics with the expected keys and leaks no tensor', async (method, dataset) => {
    fx = await makeFixture();
    const counts: number[] = [];
    const steps = 5;
    const res = await trainModel(fx.store, {
      runName: `${method}-run`,
      method,
      dataset: { name: dataset },
      from: fx.baseDir,
      outDir: path.join(fx.dir, 'models', `${method}-run`),
      steps,
      batchSize: 2,
      gradAccum: 2,
      lr: 1e-3,
      warmupSteps: 1,
      evalEvery: 2,
      checkpointEvery: 0,
      dftMinProb: 0.1,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    expect(res.evalExamples).toBe(1); // 5% of 6 prompts, at least one
    expect(res.trainExamples).toBe(5);
    // AdamW creates its moments in step 1; from then on every step frees what it makes.
    expect(new Set(counts.slice(1)).size).toBe(1);

    const run = fx.store.training.get(`${method}-run`)!;
    expect(run.baseModelId).toBe('base'); // found by its folder
    const train = fx.store.training.metrics(run.id, 'train');
    expect(train.map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    for (const m of train) {
      for (const k of TRAIN_KEYS) expect(Number.isFinite(m.values[k]), `${k} at step ${m.step}`).toBe(true);
      if (method === 'dpo') for (const k of DPO_KEYS) expect(Number.isFinite(m.values[k]), k).toBe(true);
      const hist = m.values['pHist'];
      if (m.step === 1 || m.step === steps) {
        expect(Array.isArray(hist) && hist.length).toBe(PHIST_BINS);
        expect((hist as number[]).reduce((a, b) => a + b, 0)).toBe(m.values['tokens']);
      } else expect(hist).toBeUndefined();
    }
    const ev = fx.store.training.metrics(run.id, 'eval');
    expect(ev.map((m) => m.step)).toEqual([2, 4, 5]);
    for (const m of ev) expect((m.values['pHist'] as number[]).length).toBe(PHIST_BINS);
    expect(res.finalEval?.['loss']).toBe(ev.at(-1)!.values['loss']);
  });

  it('dft raises the mean p(y_t) of a learnable task', async () => {
    fx = await makeFixture();
    const res = await trainModel(fx.store, {
      runName: 'dft-learn',
      method: 'dft',
      dataset: { name: 'tiny' },
      from: 'base',
      outDir: path.join(fx.dir, 'models', 'dft-learn'),
      steps: 40,
      batchSize: 6,
      lr: 1e-2,
      warmupSteps: 2,
      evalEvery: 0,
      checkpointEvery: 0,
    });
    const train = fx.store.training.metrics(res.runId, 'train');
    const first = train[0]!.values['meanP'] as number;
    const last = train.at(-1)!.values['meanP'] as number;
    expect(first).toBeLessThan(0.15); // ≈ 1/vocab for a fresh model
    expect(last).toBeGreaterThan(first + 0.3);
  });

  it('dpo on a dataset without rejected responses is an input error naming --dataset', async () => {
    fx = await makeFixture();
    await expect(
      trainModel(fx.store, { runName: 'x', method: 'dpo', dataset: { name: 'tiny' }, from: 'base', outDir: path.join(fx.dir, 'm'), steps: 1 }),
    ).rejects.toMatchObject({ name: 'InputError', where: '--dataset' });
    expect(fx.store.training.get('x')).toBeUndefined();
  });
});
