import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { rmsNorm, swiglu } from './ops';
import { floatBits, testValues } from './test-helpers';
import { pointwiseApplies, rmsNormGradKernel, rmsNormKernel, softmaxGradKernel, swigluGradKernel, swigluKernel } from './wasm-pointwise';

describe('RMSNorm and SwiGLU kernels (wasm SIMD) give the composed tfjs ops bit for bit', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  // [N, D]
  const cases: [number, number][] = [[1472, 96], [7, 256], [3, 8]];

  it.each(cases)('RMSNorm forward and backward, x [%i, %i]', (n, d) => {
    expect(pointwiseApplies(d)).toBe(true);
    const before = tf.memory().numTensors;
    const eps = 1e-6;
    const got = tf.tidy(() => {
      const x = tf.tensor2d(testValues(n * d, 3), [n, d]);
      const g = tf.tensor1d(testValues(d, 4));
      const dy = tf.tensor2d(testValues(n * d, 5), [n, d]);
      const [out, xhat, r] = rmsNormKernel(x, g, eps);
      const [dx, dg] = rmsNormGradKernel(dy, xhat, r, g);
      // The formulas of ops.rmsNorm with the stock kernels, one tfjs op per step.
      const wr = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
      const wxhat = tf.mul(x, wr);
      const dxhat = tf.mul(dy, g);
      const proj = tf.mean(tf.mul(dxhat, wxhat), -1, true);
      return {
        got: [out, xhat, r, dx, dg].map(floatBits),
        want: [tf.mul(wxhat, g), wxhat, wr, tf.mul(wr, tf.sub(dxhat, tf.mul(wxhat, proj))), tf.reshape(tf.matMul(tf.ones([1, n]), tf.mul(dy, wxhat)), [d])].map(floatBits),
      };
    });
    got.got.forEach((bits, i) => expect(bits).toEqual(got.want[i]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(cases)('SwiGLU forward and backward, g, u [%i, %i]', (n, d) => {
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => {
      const g = tf.tensor2d(testValues(n * d, 6), [n, d]);
      const u = tf.tensor2d(testValues(n * d, 7), [n, d]);
      const dy = tf.tensor2d(testValues(n * d, 8), [n, d]);
      const s = tf.sigmoid(g);
      const [gs, out] = swigluKernel(g, s, u);
      const [dg, du] = swigluGradKernel(dy, u, s, gs);
      const wgs = tf.mul(g, s);
      const dsilu = tf.add(s, tf.mul(wgs, tf.sub(1, s)));
      return {
        got: [gs, out, dg, du].map(floatBits),
        want: [wgs, tf.mul(wgs, u), tf.mul(tf.mul(dy, u), dsilu), tf.mul(dy, wgs)].map(floatBits),
      };
    });
    got.got.forEach((bits, i) => expect(bits).toEqual(got.want[i]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([[[48, 92, 92]], [[5, 7]], [[3, 1, 13]]])('softmax gradient over the last axis of %j, and tf.grad through tf.softmax uses it', (shape) => {
    const before = tf.memory().numTensors;
    const size = shape.reduce((a, b) => a * b, 1);
    const got = tf.tidy(() => {
      const z = tf.tensor(testValues(size, 9), shape);
      const dy = tf.tensor(testValues(size, 10), shape);
      const y = tf.softmax(z);
      const fused = softmaxGradKernel(dy, y) as tf.Tensor;
      const dyy = tf.mul(dy, y);
      const viaGrad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), dy)))(z);
      return [fused, tf.sub(dyy, tf.mul(tf.sum(dyy, [-1], true), y)), viaGrad].map(floatBits);
    });
    expect(got[0]).toEqual(got[1]);
    expect(got[2]).toEqual(got[1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rmsNorm and swiglu use them and still match a float64 reference', () => {
    const x = tf.tensor2d([[1, -2, 3, 0.5], [0.25, 4, -1, 2]]);
    const g = tf.tensor1d([1, 0.5, 2, -1]);
    const y = rmsNorm(x, g, 1e-6).arraySync();
    const xs = [[1, -2, 3, 0.5], [0.25, 4, -1, 2]];
    xs.forEach((row, i) => {
      const r = 1 / Math.sqrt(row.reduce((a, v) => a + v * v, 0) / 4 + 1e-6);
      row.forEach((v, j) => expect(y[i]![j]).toBeCloseTo(v * r * [1, 0.5, 2, -1][j]!, 5));
    });
    const s = swiglu(x, x).arraySync();
    xs.forEach((row, i) => row.forEach((v, j) => expect(s[i]![j]).toBeCloseTo((v / (1 + Math.exp(-v))) * v, 5)));
    tf.dispose([x, g]);
  });
});
