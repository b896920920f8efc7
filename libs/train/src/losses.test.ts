import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@sieve/core';
import { maskedMean, sequenceLogProbs, tokenLogProbs } from './log-probs';
import { dftLoss, sftLoss } from './losses';
import { stopGradient } from './stop-gradient';
import { expectAllClose, finiteDiff, float2d, gradOf, int2d, logitsFromWeights, maxAbsDiff, probs, useTestBackend, valueOf } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

// One sequence of two tokens, V = 3. Row 0 has p = [1/8, 2/8, 5/8], row 1 p = [1/4, 1/4, 1/2].
const W = [[[1, 2, 5], [1, 1, 2]]];
const P = W[0]!.map(probs);
const TARGETS = [[2, 0]]; // p(y_0) = 5/8, p(y_1) = 1/4

/** Hand-written closed forms for the gradient w.r.t. logits, flattened [T·V]. */
function closedForm(weight: (py: number) => number, mask: number[]): number[] {
  const n = mask.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  P.forEach((p, t) => {
    const y = TARGETS[0]![t]!;
    const py = p[y]!;
    p.forEach((pv, v) => out.push(((mask[t]! * weight(py)) / n) * (pv - (v === y ? 1 : 0))));
  });
  return out;
}

describe('tokenLogProbs / sequenceLogProbs', () => {
  it('selects log p(y_t) with the one-hot product', () => {
    const lp = tf.tidy(() => tokenLogProbs(logitsFromWeights(W), int2d(TARGETS)));
    expectAllClose(lp.dataSync(), [Math.log(5 / 8), Math.log(1 / 4)]);
    lp.dispose();
  });

  it('sums log-probs over response tokens only', () => {
    const s = tf.tidy(() => sequenceLogProbs(logitsFromWeights(W), int2d(TARGETS), float2d([[0, 1]])));
    expectAllClose(s.dataSync(), [Math.log(1 / 4)]);
    s.dispose();
    const all = tf.tidy(() => sequenceLogProbs(logitsFromWeights(W), int2d(TARGETS), float2d([[1, 1]])));
    expectAllClose(all.dataSync(), [Math.log(5 / 8) + Math.log(1 / 4)]);
    all.dispose();
  });

  it('gives 0 and no gradient for an out-of-vocabulary (padding) id, and stays finite for huge logits', () => {
    const z = logitsFromWeights(W);
    const lp = tf.tidy(() => tokenLogProbs(z, int2d([[-1, 0]])));
    expectAllClose(lp.dataSync(), [0, Math.log(1 / 4)]);
    const g = gradOf((x) => tf.sum(tokenLogProbs(x, int2d([[-1, 0]]))), z);
    expectAllClose(g, [0, 0, 0, 3 / 4, -1 / 4, -1 / 2]);
    const big = tf.tensor3d([[[1000, 0, -1000]]]);
    const lpBig = tf.tidy(() => tokenLogProbs(big, int2d([[1]])));
    expectAllClose(lpBig.dataSync(), [-1000], 1e-3);
    tf.dispose([z, lp, big, lpBig]);
  });

  it('has a gradient on this backend (no tf.gather)', () => {
    const g = gradOf((z) => tf.sum(tokenLogProbs(z, int2d(TARGETS))), logitsFromWeights(W));
    // d log p_y / dz = onehot − p
    expectAllClose(g, [-1 / 8, -2 / 8, 3 / 8, 3 / 4, -1 / 4, -1 / 2]);
  });
});

describe('stopGradient', () => {
  it('passes values and blocks gradients: d/dx [x·sg(x)] = sg(x), not 2x', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(valueOf(() => tf.sum(tf.mul(x, stopGradient(x))))).toBeCloseTo(14, 5);
    expectAllClose(gradOf((v) => tf.sum(tf.mul(v, stopGradient(v))), x), [1, 2, 3]);
    expectAllClose(gradOf((v) => tf.sum(tf.mul(v, v)), x), [2, 4, 6]);
    x.dispose();
  });
});

describe('sftLoss', () => {
  it('is −mean log p(y_t) over response tokens', () => {
    const loss = valueOf(() => sftLoss(logitsFromWeights(W), int2d(TARGETS), float2d([[1, 1]])));
    expect(loss).toBeCloseTo(-(Math.log(5 / 8) + Math.log(1 / 4)) / 2, 5);
  });

  it('ignores masked tokens, whatever their logits and targets', () => {
    const a = valueOf(() => sftLoss(logitsFromWeights(W), int2d(TARGETS), float2d([[0, 1]])));
    const b = valueOf(() => sftLoss(logitsFromWeights([[[9, 1, 1], [1, 1, 2]]]), int2d([[1, 0]]), float2d([[0, 1]])));
    expect(a).toBeCloseTo(-Math.log(1 / 4), 5);
    expect(b).toBeCloseTo(a, 6);
    // padding targets outside the vocabulary are allowed where the mask is 0
    const c = valueOf(() => sftLoss(logitsFromWeights(W), int2d([[-1, 0]]), float2d([[0, 1]])));
    expect(c).toBeCloseTo(a, 6);
  });

  it('averages over the batch’s tokens, not per sequence', () => {
    // seq 0: 2 tokens, seq 1: 1 token (p = 0.6) and one padding position
    const logits = logitsFromWeights([W[0]!, [[3, 1, 1], [1, 1, 1]]]);
    const loss = valueOf(() => sftLoss(logits, int2d([[2, 0], [0, 2]]), float2d([[1, 1], [1, 0]])));
    expect(loss).toBeCloseTo(-(Math.log(5 / 8) + Math.log(1 / 4) + Math.log(0.6)) / 3, 5);
    logits.dispose();
  });

  it('gives 0 and a zero gradient for an all-zero mask', () => {
    const z = logitsFromWeights(W);
    expect(Math.abs(valueOf(() => sftLoss(z, int2d(TARGETS), float2d([[0, 0]]))))).toBe(0);
    expectAllClose(gradOf((x) => sftLoss(x, int2d(TARGETS), float2d([[0, 0]])), z), new Array(6).fill(0), 0);
    z.dispose();
  });

  it('has gradient (softmax − onehot)/N', () => {
    const z = logitsFromWeights(W);
    for (const mask of [[1, 1], [0, 1]]) {
      expectAllClose(gradOf((x) => sftLoss(x, int2d(TARGETS), float2d([mask])), z), closedForm(() => 1, mask));
    }
    z.dispose();
  });

  it('matches central finite differences on random logits', () => {
    const rng = createRng(7);
    const z = tf.tensor3d(Array.from({ length: 2 * 3 * 4 }, () => rng.normal()), [2, 3, 4]);
    const targets = int2d([[0, 3, 1], [2, 2, 0]]);
    const mask = float2d([[0, 1, 1], [1, 1, 0]]);
    const f = (x: tf.Tensor): tf.Tensor => sftLoss(x, targets, mask);
    expect(maxAbsDiff(gradOf(f, z), finiteDiff(f, z))).toBeLessThan(1e-3);
    tf.dispose([z, targets, mask]);
  });
});

describe('dftLoss', () => {
  it('is −mean p(y_t)·log p(y_t) over response tokens', () => {
    const z = logitsFromWeights(W);
    const loss = valueOf(() => dftLoss(z, int2d(TARGETS), float2d([[1, 1]])));
    expect(loss).toBeCloseTo(-((5 / 8) * Math.log(5 / 8) + (1 / 4) * Math.log(1 / 4)) / 2, 5);
    const masked = valueOf(() => dftLoss(z, int2d(TARGETS), float2d([[1, 0]])));
    expect(masked).toBeCloseTo(-(5 / 8) * Math.log(5 / 8), 5);
    z.dispose();
  });

  it('floors the weight at minProb', () => {
    const z = logitsFromWeights(W);
    const loss = valueOf(() => dftLoss(z, int2d(TARGETS), float2d([[1, 1]]), { minProb: 0.5 }));
    // weights max(5/8, 0.5) = 5/8 and max(1/4, 0.5) = 0.5
    expect(loss).toBeCloseTo(-((5 / 8) * Math.log(5 / 8) + 0.5 * Math.log(1 / 4)) / 2, 5);
    expect(() => dftLoss(z, int2d(TARGETS), float2d([[1, 1]]), { minProb: 2 })).toThrow(SieveError);
    z.dispose();
  });

  it('gives 0 and a zero gradient for an all-zero mask', () => {
    const z = logitsFromWeights(W);
    expect(Math.abs(valueOf(() => dftLoss(z, int2d(TARGETS), float2d([[0, 0]]))))).toBe(0);
    expectAllClose(gradOf((x) => dftLoss(x, int2d(TARGETS), float2d([[0, 0]])), z), new Array(6).fill(0), 0);
    z.dispose();
  });

  it('has gradient p_y·(softmax − onehot)/N = −∂p_y/∂z / N, not the gradient of −p log p', () => {
    const z = logitsFromWeights(W);
    const g = gradOf((x) => dftLoss(x, int2d(TARGETS), float2d([[1, 1]])), z);
    expectAllClose(g, closedForm((py) => py, [1, 1]));
    // Without the stop-gradient the gradient would be −(1 + log p_y)·∂p_y/∂z / N.
    const noStop = closedForm((py) => py * (1 + Math.log(py)), [1, 1]);
    expect(maxAbsDiff(g, noStop)).toBeGreaterThan(0.05);
    // ...and that is what finite differences of the loss value (−p log p) measure.
    expect(maxAbsDiff(finiteDiff((x) => dftLoss(x, int2d(TARGETS), float2d([[1, 1]])), z), noStop)).toBeLessThan(1e-3);
    z.dispose();
  });

  it('matches finite differences of the objective with the weights frozen at the current point', () => {
    const rng = createRng(11);
    const z = tf.tensor3d(Array.from({ length: 2 * 3 * 4 }, () => 2 * rng.normal()), [2, 3, 4]);
    const targets = int2d([[1, 0, 3], [3, 2, 2]]);
    const mask = float2d([[1, 1, 0], [0, 1, 1]]);
    const w0 = tf.tidy(() => tf.exp(tokenLogProbs(z, targets))); // p(y_t) at z, a constant
    const frozen = (x: tf.Tensor): tf.Tensor => tf.neg(maskedMean(tf.mul(w0, tokenLogProbs(x, targets)), mask));
    const g = gradOf((x) => dftLoss(x, targets, mask), z);
    expect(maxAbsDiff(g, finiteDiff(frozen, z))).toBeLessThan(1e-3);
    tf.dispose([z, targets, mask, w0]);
  });
});

describe('input checks', () => {
  it('rejects wrong shapes, dtypes and out-of-vocabulary response targets', () => {
    const z = logitsFromWeights(W);
    expect(() => sftLoss(z, int2d([[2, 0, 1]]), float2d([[1, 1, 1]]))).toThrow(/targets/);
    expect(() => sftLoss(z, tf.tensor2d([[2, 0]]), float2d([[1, 1]]))).toThrow(/int32/);
    expect(() => sftLoss(z, int2d(TARGETS), float2d([[1, 1, 0]]))).toThrow(/mask/);
    expect(() => sftLoss(z, int2d([[3, 0]]), float2d([[1, 1]]))).toThrow(/target id 3 at \[0, 0\]/);
    expect(() => dftLoss(z, int2d([[0, -1]]), float2d([[1, 1]]))).toThrow(SieveError);
    z.dispose();
  });

  it('leaves no tensors behind', () => {
    const z = logitsFromWeights(W);
    const targets = int2d(TARGETS);
    const mask = float2d([[1, 1]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose([sftLoss(z, targets, mask), dftLoss(z, targets, mask, { minProb: 0.1 })]);
      tf.dispose(tf.grad((x: tf.Tensor) => dftLoss(x, targets, mask))(z));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, targets, mask]);
  });
});
