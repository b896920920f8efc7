import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@sieve/model';
import { trainModel } from './train-model';
import { greedyDecode, makeFixture, TINY_ITEMS, useBackend, type Fixture } from './test-helpers';

describe('trainModel on a tiny task', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  it('drives the SFT loss far below its start and greedy decoding reproduces every response', async () => {
    fx = await makeFixture();
    const losses: number[] = [];
    const outDir = path.join(fx.dir, 'models', 'sft-tiny');
    const res = await trainModel(fx.store, {
      runName: 'sft-tiny',
      method: 'sft',
      dataset: { name: 'tiny' },
      from: 'base',
      outDir,
      seed: 3,
      steps: 80,
      batchSize: 6,
      lr: 1e-2,
      warmupSteps: 5,
      weightDecay: 0,
      evalEvery: 0,
      checkpointEvery: 0,
      onProgress: (p) => losses.push(p.loss),
    });
    // Start ≈ ln(vocab) per response token; memorised, the loss is near 0.
    expect(losses[0]).toBeGreaterThan(2);
    expect(res.finalLoss).toBeLessThan(0.1 * losses[0]!);
    expect(res.trainExamples).toBe(TINY_ITEMS.length);

    const { model, tokenizer } = await loadCheckpoint(outDir);
    for (const it of TINY_ITEMS) expect(greedyDecode(model, tokenizer, it.prompt, 6)).toBe(it.response);
    model.dispose();

    const row = fx.store.models.get('sft-tiny')!;
    expect(row).toMatchObject({ kind: 'trained', parentId: 'base', path: 'models/sft-tiny' });
    const run = fx.store.training.get('sft-tiny')!;
    expect(run).toMatchObject({ status: 'done', step: 80, outModelId: 'sft-tiny', baseModelId: 'base', method: 'sft' });
  });
});
