import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenLogProbs } from './log-probs';
import { iwSftLoss, iwSftWeights, sftLoss } from './losses';
import { expectAllClose, float2d, gradOf, int2d, logitsFromWeights, probs, useTestBackend, valueOf } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

// B = 3, T = 2, V = 3.
// seq 0: rows p = [1/8, 2/8, 5/8] and [1/4, 1/4, 1/2], targets 2, 0 → p = 5/8, 1/4; both response.
// seq 1: rows p = [.6, .2, .2] (prompt) and uniform, target 1 → p = 1/3; one response token.
// seq 2: padding only.
const WEIGHTS = [
  [[1, 2, 5], [1, 1, 2]],
  [[3, 1, 1], [1, 1, 1]],
  [[1, 1, 1], [1, 1, 1]],
];
const TARGETS = [[2, 0], [0, 1], [0, 0]];
const MASK = [[1, 1], [0, 1], [0, 0]];
const REF = [[Math.log(0.5), Math.log(0.5)], [Math.log(0.9), Math.log(0.25)], [0, 0]];

// Hand computation:
// w0 = exp(((ln 5/8 − ln 1/2) + (ln 1/4 − ln 1/2)) / 2) = √(5/4 · 1/2) = √0.625
// w1 = exp(ln 1/3 − ln 1/4) = 4/3   (the prompt token of seq 1 does not count)
// NLL0 = −(ln 5/8 + ln 1/4)/2, NLL1 = ln 3; loss = (w0·NLL0 + w1·NLL1) / 2 sequences.
const W0 = Math.sqrt(0.625);
const W1 = 4 / 3;
const NLL0 = -(Math.log(5 / 8) + Math.log(1 / 4)) / 2;
const NLL1 = Math.log(3);

describe('iwSftLoss', () => {
  it('weights each sequence by its clamped mean likelihood ratio and averages over sequences', () => {
    const z = logitsFromWeights(WEIGHTS);
    const w = tf.tidy(() => iwSftWeights(tokenLogProbs(z, int2d(TARGETS)), float2d(REF), float2d(MASK)));
    expectAllClose(w.dataSync(), [W0, W1, 1]);
    w.dispose();
    const loss = valueOf(() => iwSftLoss(z, int2d(TARGETS), float2d(MASK), float2d(REF)));
    expect(loss).toBeCloseTo((W0 * NLL0 + W1 * NLL1) / 2, 5);
    z.dispose();
  });

  it('has gradient w_b/(n_b·S)·(softmax − onehot): no gradient through w', () => {
    const z = logitsFromWeights(WEIGHTS);
    const g = gradOf((x) => iwSftLoss(x, int2d(TARGETS), float2d(MASK), float2d(REF)), z);
    const expected: number[] = [];
    const factor = [[W0 / 2 / 2, W0 / 2 / 2], [0, W1 / 1 / 2], [0, 0]];
    WEIGHTS.forEach((seq, b) =>
      seq.forEach((row, t) => {
        const p = probs(row);
        const y = TARGETS[b]![t]!;
        p.forEach((pv, v) => expected.push(factor[b]![t]! * (pv - (v === y ? 1 : 0))));
      }),
    );
    expectAllClose(g, expected);
    z.dispose();
  });

  it('clamps the weight at maxWeight when the policy is far more confident than the reference', () => {
    // policy p(y) = 8/10 on both tokens, reference p = 0.01: ratio 80 per token
    const z = logitsFromWeights([[[8, 1, 1], [1, 8, 1]]]);
    const targets = int2d([[0, 1]]);
    const mask = float2d([[1, 1]]);
    const ref = float2d([[Math.log(0.01), Math.log(0.01)]]);
    const w = tf.tidy(() => iwSftWeights(tokenLogProbs(z, targets), ref, mask, 16));
    expectAllClose(w.dataSync(), [16]);
    w.dispose();
    const loss = valueOf(() => iwSftLoss(z, targets, mask, ref, { maxWeight: 16 }));
    expect(loss).toBeCloseTo(-16 * Math.log(0.8), 4);
    const sft = gradOf((x) => sftLoss(x, targets, mask), z);
    const iw = gradOf((x) => iwSftLoss(x, targets, mask, ref, { maxWeight: 5 }), z);
    expectAllClose(iw, Array.from(sft, (v) => 5 * v)); // clamped weight 5 scales the SFT gradient
    tf.dispose([z, targets, mask, ref]);
  });

  it('drives the weight and the gradient towards 0 when the policy is far less confident', () => {
    // policy p(y) = 1e-6 / (1e-6 + 2), reference p = 1: weight = p(y) itself
    const z = logitsFromWeights([[[1e-6, 1, 1]]]);
    const targets = int2d([[0]]);
    const mask = float2d([[1]]);
    const ref = float2d([[0]]);
    const py = 1e-6 / (2 + 1e-6);
    const loss = valueOf(() => iwSftLoss(z, targets, mask, ref));
    expect(loss).toBeCloseTo(-py * Math.log(py), 8);
    expect(loss).toBeLessThan(1e-5);
    const g = gradOf((x) => iwSftLoss(x, targets, mask, ref), z);
    expectAllClose(g, [py * (py - 1), (py * 1) / (2 + 1e-6), (py * 1) / (2 + 1e-6)], 1e-9);
    tf.dispose([z, targets, mask, ref]);
  });

  it('returns 0 when no sequence has a response token', () => {
    const z = logitsFromWeights(WEIGHTS);
    const zeros = float2d([[0, 0], [0, 0], [0, 0]]);
    expect(Math.abs(valueOf(() => iwSftLoss(z, int2d(TARGETS), zeros, float2d(REF))))).toBe(0);
    expectAllClose(gradOf((x) => iwSftLoss(x, int2d(TARGETS), zeros, float2d(REF)), z), new Array(18).fill(0), 0);
    tf.dispose([z, zeros]);
  });

  it('rejects a reference of the wrong shape and a non-positive maxWeight', () => {
    const z = logitsFromWeights(WEIGHTS);
    expect(() => iwSftLoss(z, int2d(TARGETS), float2d(MASK), float2d([[0, 0]]))).toThrow(/refLogProbs/);
    expect(() => iwSftLoss(z, int2d(TARGETS), float2d(MASK), float2d(REF), { maxWeight: 0 })).toThrow(/maxWeight/);
    z.dispose();
  });
});
