/** A model that produces NaN log-probs must fail the sample stage loudly, not store nothing and say done. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, saveCheckpoint } from '@sieve/model';
import { Store } from '@sieve/store';
import { sampleStage } from './sample-stage';
import { tinyConfig, tinyTokenizer, useTestBackend } from './test-helpers';

let runDir: string;
let store: Store;

beforeAll(async () => {
  await useTestBackend();
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-nan-'));
  const m = createModel(tinyConfig(), { seed: 3 });
  // What a pretraining lr of 1e9 leaves behind: every weight NaN.
  for (const v of Object.values(m.params)) tf.tidy(() => v.assign(tf.fill(v.shape, NaN)));
  await saveCheckpoint(path.join(runDir, 'model'), { config: m.config, tokenizer: tinyTokenizer, params: m.params });
  m.dispose();
  store = Store.open(path.join(runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'nan-model', kind: 'base', path: 'model', config: {}, parentId: null, meta: {} });
  store.questions.insertMany('arith', 'train', 'test', [{ text: 'what is 1 + 1', goldAnswer: '2', goldSolution: null, difficulty: null, meta: {} }]);
});
afterAll(() => store.close());

describe('sample stage with non-finite log-probs', () => {
  it('fails naming the model and the sample, storing nothing (the new run leaves no row)', async () => {
    const run = sampleStage(store, {
      runName: 'nan-run', modelId: 'nan-model', runDir, set: 'arith', split: 'train', k: 2, temperature: 1, topP: 1, topK: 0,
      maxNewTokens: 5, batchSize: 2, workers: 0, seed: 1, backend: 'wasm',
    });
    await expect(run).rejects.toThrow(/model "nan-model".*non-finite log-prob.*question \d+, sample 0/s);
    await run.catch((err: { hint?: string }) => expect(err.hint).toMatch(/learning rate/));
    expect(store.samples.getRun('nan-run')).toBeUndefined();
  });
});
