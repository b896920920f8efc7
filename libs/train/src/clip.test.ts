import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addGrads, clipByGlobalNorm, disposeGrads, scaleGrads } from './clip';
import { expectAllClose, useTestBackend } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

// ‖(3, 4)‖ with the 3 in one tensor and (0, 4) in another: global norm 5.
const make = (): Record<string, tf.Tensor> => ({ a: tf.tensor1d([3]), b: tf.tensor2d([[0], [4]]) });

describe('clipByGlobalNorm', () => {
  it('leaves gradients below the threshold unchanged and reports the norm', () => {
    const g = make();
    const { grads, norm } = clipByGlobalNorm(g, 10);
    expect(norm).toBeCloseTo(5, 6);
    expectAllClose(grads.a!.dataSync(), [3]);
    expectAllClose(grads.b!.dataSync(), [0, 4]);
    disposeGrads(grads);
    disposeGrads(g);
  });

  it('scales gradients above the threshold to the maximum norm', () => {
    const g = make();
    const before = tf.memory().numTensors;
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 6); // the norm before clipping
    expectAllClose(grads.a!.dataSync(), [0.6]);
    expectAllClose(grads.b!.dataSync(), [0, 0.8]);
    expect(tf.memory().numTensors).toBe(before + 2); // only the two new gradients
    expect(g.a!.dataSync()[0]).toBe(3); // inputs untouched
    disposeGrads(grads);
    disposeGrads(g);
    expect(() => clipByGlobalNorm({}, 0)).toThrow(/maxNorm/);
  });
});

describe('gradient accumulation helpers', () => {
  it('adds and scales records entry by entry', () => {
    const g1 = make();
    const g2 = make();
    const sum = addGrads(addGrads(undefined, g1), g2);
    const mean = scaleGrads(sum, 0.5);
    expectAllClose(sum.a!.dataSync(), [6]);
    expectAllClose(mean.b!.dataSync(), [0, 4]);
    expect(() => addGrads(sum, { a: g1.a! })).toThrow(/cannot add gradients for \[a\]/);
    expect(() => addGrads({ a: g1.a!, b: g1.b! }, { a: g1.b!, b: g1.b! })).toThrow(/shape/);
    [g1, g2, sum, mean].forEach(disposeGrads);
  });
});
