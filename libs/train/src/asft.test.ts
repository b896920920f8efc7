import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@sieve/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { asftLoss, dftLoss, tokenKl } from './losses';
import { expectAllClose, finiteDiff, float2d, gradOf, int2d, logitsFromWeights, maxAbsDiff, useTestBackend, valueOf } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

function randomLogits(seed: number, shape: [number, number, number]): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Array.from({ length: shape[0] * shape[1] * shape[2] }, () => 2 * rng.normal()), shape);
}

describe('tokenKl', () => {
  it('is Σ p_θ log(p_θ / p_ref) (the KL from the policy to the reference)', () => {
    // policy p = [1/8, 2/8, 5/8] vs uniform reference; second row identical to its reference
    const z = logitsFromWeights([[[1, 2, 5], [1, 1, 2]]]);
    const ref = logitsFromWeights([[[1, 1, 1], [1, 1, 2]]]);
    const kl = tf.tidy(() => tokenKl(z, ref));
    const expected = (1 / 8) * Math.log(3 / 8) + (2 / 8) * Math.log(6 / 8) + (5 / 8) * Math.log(15 / 8);
    // the other direction, Σ q log(q/p), would be 1/3·(ln(8/3) + ln(4/3) + ln(8/15)) ≈ 0.2426
    expect(expected).not.toBeCloseTo(((1 / 3) * (Math.log(8 / 3) + Math.log(4 / 3) + Math.log(8 / 15))), 2);
    expectAllClose(kl.dataSync(), [expected, 0]);
    tf.dispose([z, ref, kl]);
  });

  it('is 0 when the reference logits equal the policy logits', () => {
    const z = randomLogits(3, [2, 3, 5]);
    const kl = tf.tidy(() => tokenKl(z, z));
    expectAllClose(kl.dataSync(), new Array(6).fill(0), 1e-6);
    tf.dispose([z, kl]);
  });
});

describe('asftLoss', () => {
  const targets = [[1, 4, 0], [2, 2, 3]];
  const mask = [[0, 1, 1], [1, 1, 0]];

  it('equals DFT when klWeight is 0, or when the reference is the policy itself', () => {
    const z = randomLogits(5, [2, 3, 5]);
    const ref = randomLogits(6, [2, 3, 5]);
    const dft = valueOf(() => dftLoss(z, int2d(targets), float2d(mask)));
    expect(valueOf(() => asftLoss(z, int2d(targets), float2d(mask), ref, { klWeight: 0 }))).toBeCloseTo(dft, 6);
    expect(valueOf(() => asftLoss(z, int2d(targets), float2d(mask), z, { klWeight: 3 }))).toBeCloseTo(dft, 5);
    tf.dispose([z, ref]);
  });

  it('adds klWeight × the mean KL over response tokens (hand-computed)', () => {
    const z = logitsFromWeights([[[1, 2, 5], [1, 1, 2]]]);
    const ref = logitsFromWeights([[[1, 1, 1], [1, 1, 2]]]);
    const kl0 = (1 / 8) * Math.log(3 / 8) + (2 / 8) * Math.log(6 / 8) + (5 / 8) * Math.log(15 / 8);
    const dft = -((5 / 8) * Math.log(5 / 8) + (1 / 4) * Math.log(1 / 4)) / 2;
    const loss = valueOf(() => asftLoss(z, int2d([[2, 0]]), float2d([[1, 1]]), ref, { klWeight: 0.5 }));
    expect(loss).toBeCloseTo(dft + (0.5 * (kl0 + 0)) / 2, 5);
    // masking out the first token drops its DFT term and its KL
    const masked = valueOf(() => asftLoss(z, int2d([[2, 0]]), float2d([[0, 1]]), ref, { klWeight: 0.5 }));
    expect(masked).toBeCloseTo(-(1 / 4) * Math.log(1 / 4), 5);
    tf.dispose([z, ref]);
  });

  it('has the DFT gradient plus the KL gradient (finite differences of the KL term)', () => {
    const z = randomLogits(8, [2, 3, 5]);
    const ref = randomLogits(9, [2, 3, 5]);
    const t = int2d(targets);
    const m = float2d(mask);
    const dftGrad = gradOf((x) => dftLoss(x, t, m), z);
    const asftGrad = gradOf((x) => asftLoss(x, t, m, ref, { klWeight: 0.7 }), z);
    // the KL term has no stop-gradient, so finite differences of its value are its gradient
    const klTerm = (x: tf.Tensor): tf.Tensor => tf.mul(0.7, tf.div(tf.sum(tf.mul(tokenKl(x, ref), m)), tf.sum(m)));
    const klFd = finiteDiff(klTerm, z);
    expect(maxAbsDiff(asftGrad, dftGrad.map((v, i) => v + klFd[i]!))).toBeLessThan(1e-3);
    expect(maxAbsDiff(asftGrad, dftGrad)).toBeGreaterThan(1e-2);
    tf.dispose([z, ref, t, m]);
  });

  it('gives 0 and a zero gradient for an all-zero mask', () => {
    const z = randomLogits(12, [2, 3, 5]);
    const ref = randomLogits(13, [2, 3, 5]);
    const zeros = float2d([[0, 0, 0], [0, 0, 0]]);
    expect(Math.abs(valueOf(() => asftLoss(z, int2d(targets), zeros, ref, { klWeight: 1 })))).toBe(0);
    expectAllClose(gradOf((x) => asftLoss(x, int2d(targets), zeros, ref, { klWeight: 1 }), z), new Array(30).fill(0), 0);
    tf.dispose([z, ref, zeros]);
  });

  it('rejects reference logits of another shape and a negative klWeight', () => {
    const z = randomLogits(1, [2, 3, 5]);
    const ref = randomLogits(2, [2, 3, 4]);
    expect(() => asftLoss(z, int2d(targets), float2d(mask), ref, { klWeight: 1 })).toThrow(/refLogits/);
    expect(() => asftLoss(z, int2d(targets), float2d(mask), z, { klWeight: -1 })).toThrow(/klWeight/);
    tf.dispose([z, ref]);
  });
});
