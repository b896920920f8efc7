import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { rotateHalf } from './ops';
import { applyRope, ropeTablePair } from './rope';
import { floatBits, testValues } from './test-helpers';
import { ropeKernelApplies } from './wasm-rope';

describe('RoPE kernels (wasm SIMD) give the composed path bit for bit', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  // [N, H, hd]
  const cases: [number, number, number][] = [[1472, 3, 32], [7, 2, 64], [5, 4, 8]];
  it.each(cases)('forward and gradient for x [%i, %i, %i]', (n, h, hd) => {
    expect(ropeKernelApplies(hd)).toBe(true);
    const before = tf.memory().numTensors;
    const check = tf.tidy(() => {
      const pos = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (i * 7) % 150), 'int32');
      const t = ropeTablePair(pos, hd, 10000, 1 / Math.sqrt(hd)).q;
      const x = tf.tensor3d(testValues(n * h * hd, 3), [n, h, hd]);
      const w = tf.tensor3d(testValues(n * h * hd, 4), [n, h, hd]);
      // The composed path of rope.ts: x·cos + rotateHalf(x)·sin, rotateHalf as a ±1 GEMM.
      const composed = (v: tf.Tensor): tf.Tensor => tf.add(tf.mul(v, t.cos), tf.mul(rotateHalf(v), t.sin));
      const fused = (v: tf.Tensor): tf.Tensor => applyRope(v as tf.Tensor3D, t);
      const loss = (f: (v: tf.Tensor) => tf.Tensor) => (v: tf.Tensor): tf.Scalar => tf.sum(tf.mul(f(v), w));
      const got = fused(x);
      const [xv, cv, sv] = [x.dataSync(), t.cos.dataSync(), t.sin.dataSync()];
      return {
        forward: [floatBits(got), floatBits(composed(x))],
        gradient: [floatBits(tf.grad(loss(fused))(x)), floatBits(tf.grad(loss(composed))(x))],
        // out1 = x1·cos − x2·sin at the first element, by hand in float64
        first: [got.dataSync()[0] as number, (xv[0] as number) * (cv[0] as number) - (xv[hd / 2] as number) * (sv[0] as number)],
      };
    });
    expect(check.forward[0]).toEqual(check.forward[1]);
    expect(check.gradient[0]).toEqual(check.gradient[1]);
    expect(check.first[0]).toBeCloseTo(check.first[1] as number, 6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
