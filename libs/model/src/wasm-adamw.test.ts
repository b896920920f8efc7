import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { floatBits, testValues } from './test-helpers';
import { adamwKernel, type AdamWScalars } from './wasm-adamw';
import { registerWasmKernels } from './wasm-kernels';

/** The reference: libs/train's AdamW.step as composed tfjs ops (stock wasm kernels). */
function composed(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamWScalars): tf.Tensor[] {
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, s.beta1), tf.mul(g, 1 - s.beta1));
    const v1 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
    const denom = tf.add(tf.div(tf.sqrt(v1), s.sqrtBc2), s.eps);
    const update = tf.div(tf.mul(m1, s.stepSize), denom);
    const base = s.decay === 1 ? p : tf.mul(p, s.decay);
    return [tf.sub(base, update), m1, v1];
  });
}

describe('the AdamW kernel (one pass)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    expect(registerWasmKernels()).toBe(true);
  });

  // t = 1 and t = 37 of lr 3e-4 with and without weight decay 0.01; sizes with a scalar tail (1030 % 4 = 2) and 1.
  const cases: [string, number, number, number][] = [['t = 1, no decay', 1, 0, 1030], ['t = 37, decay 0.01', 37, 0.01, 1030], ['t = 2, one value', 2, 0.01, 1]];
  it.each(cases)('gives the composed ops’ floats bit for bit: %s, %i values', (_label, t, wd, n) => {
    const [beta1, beta2, lr] = [0.9, 0.999, 3e-4];
    const s: AdamWScalars = { beta1, beta2, eps: 1e-8, stepSize: lr / (1 - beta1 ** t), sqrtBc2: Math.sqrt(1 - beta2 ** t), decay: 1 - lr * wd };
    const p = tf.tensor1d(testValues(n, 1));
    const g = tf.tensor1d(testValues(n, 2).map((x) => x * 1e-3));
    const m = tf.tensor1d(testValues(n, 3).map((x) => x * 1e-4));
    const v = tf.tensor1d(testValues(n, 4).map((x) => x * x * 1e-7)); // v ≥ 0
    const before = tf.memory().numTensors;
    const got = adamwKernel(p, g, m, v, s);
    expect(got).not.toBeNull();
    const want = composed(p, g, m, v, s);
    (got as tf.Tensor[]).forEach((x, i) => expect(floatBits(x)).toEqual(floatBits(want[i] as tf.Tensor)));
    expect(floatBits((got as tf.Tensor[])[0] as tf.Tensor)).not.toEqual(floatBits(p)); // it did update
    tf.dispose([...(got as tf.Tensor[]), ...want]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, g, m, v]);
  });

  it('one update by hand: p = 1, g = 0.5, m = v = 0, lr 0.1 at t = 1 → m = 0.05, v = 0.00025, p = 1 − 0.1·0.5/(0.5 + ε)', () => {
    const [p, g, m, v] = [tf.tensor1d([1]), tf.tensor1d([0.5]), tf.tensor1d([0]), tf.tensor1d([0])];
    const got = adamwKernel(p, g, m, v, { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.1 / (1 - 0.9), sqrtBc2: Math.sqrt(1 - 0.999), decay: 1 }) as tf.Tensor[];
    expect(got[0]?.dataSync()[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 6);
    expect(got[1]?.dataSync()[0]).toBeCloseTo(0.05, 7);
    expect(got[2]?.dataSync()[0]).toBeCloseTo(0.00025, 9);
    tf.dispose([p, g, m, v, ...got]);
  });
});
