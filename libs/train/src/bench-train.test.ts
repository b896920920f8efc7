import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastGradsEnabled, flopsPerToken, parseModelConfig } from '@sieve/model';
import { benchTrainStep } from './bench-train';
import { useBackend } from './test-helpers';

describe('benchTrainStep', () => {
  beforeAll(async () => {
    await useBackend();
  });

  it.each([true, false])('times full steps (fast grads %s) and reports consistent throughput, leaving no tensor', (fastGrads) => {
    const config = { vocabSize: 20, dim: 16, layers: 1, heads: 2, kvHeads: 2, mlpDim: 32, contextLength: 8 };
    const before = tf.memory().numTensors;
    const r = benchTrainStep(config, { batch: 2, seq: 8, steps: 2, fastGrads });
    expect(tf.memory().numTensors).toBe(before);
    expect(fastGradsEnabled()).toBe(true);
    expect(r.params).toBe(20 * 16 + 16 + 4 * 16 * 16 + 16 + 3 * 16 * 32 + 16);
    expect(r.msPerStep).toBeGreaterThan(0);
    expect(r.tokensPerSecond).toBeCloseTo((16 * 1000) / r.msPerStep, 6);
    expect(r.gflops).toBeCloseTo((r.tokensPerSecond * flopsPerToken(parseModelConfig(config), 8)) / 1e9, 9);
  });
});
