import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastGradsEnabled, flopsPerToken, parseModelConfig } from '@sieve/model';
import { benchTrain } from './bench-train';
import { useBackend } from './test-helpers';

const config = { vocabSize: 20, dim: 16, layers: 1, heads: 2, kvHeads: 2, mlpDim: 32, contextLength: 8 };

describe('benchTrain', () => {
  beforeAll(async () => {
    await useBackend();
  });

  it.each([true, false])('times full steps (fast grads %s) and reports consistent throughput, leaving no tensor', async (fastGrads) => {
    const before = tf.memory().numTensors;
    const r = await benchTrain(config, { batch: 2, seq: 8, steps: 2, fastGrads });
    expect(tf.memory().numTensors).toBe(before);
    expect(fastGradsEnabled()).toBe(true);
    expect(r.params).toBe(20 * 16 + 16 + 4 * 16 * 16 + 16 + 3 * 16 * 32 + 16);
    expect(r.shards).toBe(1);
    const run = r.runs[0]!;
    expect(r.runs.map((x) => [x.workers, x.replicas])).toEqual([[1, 1]]);
    expect(run.msPerStep).toBeGreaterThan(0);
    expect(run.tokensPerSecond).toBeCloseTo((16 * 1000) / run.msPerStep, 6);
    expect(run.gflops).toBeCloseTo((run.tokensPerSecond * flopsPerToken(parseModelConfig(config), 8)) / 1e9, 9);
    expect(r.speedup).toBeNull();
  });

  it('1 and 2 workers run the same shards and end with identical weights', async () => {
    const before = tf.memory().numTensors;
    const r = await benchTrain(config, { batch: 4, seq: 8, steps: 2, fastGrads: true, workers: [2, 1] });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.shards).toBe(2);
    expect(r.runs.map((x) => [x.workers, x.replicas, x.maxParamDiff])).toEqual([
      [1, 1, 0],
      [2, 2, 0],
    ]);
    expect(r.speedup).toBeCloseTo(r.runs[1]!.tokensPerSecond / r.runs[0]!.tokensPerSecond, 9);
  });
});
