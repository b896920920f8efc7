import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dpoLoss, dpoStats } from './dpo';
import { expectAllClose, useTestBackend, valueOf } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// Pair 0: (πc − rc) − (πr − rr) = (−3 + 4) − (−5 + 4.5) = 1.5 → β·1.5 = 0.75
// Pair 1: (−2 + 1) − (−2 + 2) = −1 → β·(−1) = −0.5          (β = 0.5)
const PC = [-3, -2];
const PR = [-5, -2];
const RC = [-4, -1];
const RR = [-4.5, -2];
const BETA = 0.5;

describe('dpoLoss', () => {
  it('is log 2 when policy and reference agree (margin 0)', () => {
    const t = tf.tensor1d([-7, -3]);
    const r = tf.tensor1d([-1, -9]);
    expect(valueOf(() => dpoLoss(t, r, t, r, { beta: 0.1 }))).toBeCloseTo(Math.log(2), 6);
    tf.dispose([t, r]);
  });

  it('is mean −log σ(β·margin) on a hand-computed pair', () => {
    const loss = valueOf(() => dpoLoss(tf.tensor1d(PC), tf.tensor1d(PR), tf.tensor1d(RC), tf.tensor1d(RR), { beta: BETA }));
    expect(loss).toBeCloseTo((Math.log(1 + Math.exp(-0.75)) + Math.log(1 + Math.exp(0.5))) / 2, 5);
  });

  it('has a gradient that pushes chosen up and rejected down', () => {
    const rc = tf.tensor1d(RC);
    const rr = tf.tensor1d(RR);
    const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) => dpoLoss(c, r, rc, rr, { beta: BETA }))([tf.tensor1d(PC), tf.tensor1d(PR)]);
    // dL/dπc = −β σ(−z)/P, dL/dπr = +β σ(−z)/P
    const expected = [0.75, -0.5].map((z) => (BETA * sigmoid(-z)) / 2);
    expectAllClose(gc!.dataSync(), expected.map((v) => -v));
    expectAllClose(gr!.dataSync(), expected);
    expect(Math.max(...gc!.dataSync())).toBeLessThan(0); // descent raises log π(chosen)
    expect(Math.min(...gr!.dataSync())).toBeGreaterThan(0); // and lowers log π(rejected)
    tf.dispose([rc, rr, gc!, gr!]);
  });

  it('is 0 with no pairs', () => {
    const e = tf.tensor1d([]);
    expect(valueOf(() => dpoLoss(e, e, e, e, { beta: 0.1 }))).toBe(0);
    expect(dpoStats(e, e, e, e, { beta: 0.1 }).pairs).toBe(0);
    e.dispose();
  });

  it('stays finite for huge margins and rejects mismatched inputs', () => {
    const big = valueOf(() => dpoLoss(tf.tensor1d([0]), tf.tensor1d([-1e4]), tf.tensor1d([0]), tf.tensor1d([0]), { beta: 1 }));
    expect(big).toBeCloseTo(0, 6);
    const bad = valueOf(() => dpoLoss(tf.tensor1d([-1e4]), tf.tensor1d([0]), tf.tensor1d([0]), tf.tensor1d([0]), { beta: 1 }));
    expect(bad).toBeCloseTo(1e4, 0);
    expect(() => dpoLoss(tf.tensor1d([0, 1]), tf.tensor1d([0]), tf.tensor1d([0]), tf.tensor1d([0]), { beta: 1 })).toThrow(/policyRejected/);
    expect(() => dpoLoss(tf.tensor1d([0]), tf.tensor1d([0]), tf.tensor1d([0]), tf.tensor1d([0]), { beta: 0 })).toThrow(/beta/);
  });
});

describe('dpoStats', () => {
  it('reports loss, reward margin, accuracy and implicit rewards as numbers', () => {
    const ts = [PC, PR, RC, RR].map((a) => tf.tensor1d(a));
    const s = dpoStats(ts[0]!, ts[1]!, ts[2]!, ts[3]!, { beta: BETA });
    expect(s.pairs).toBe(2);
    expect(s.loss).toBeCloseTo((Math.log(1 + Math.exp(-0.75)) + Math.log(1 + Math.exp(0.5))) / 2, 6);
    expect(s.rewardMargin).toBeCloseTo((0.75 - 0.5) / 2, 6);
    expect(s.accuracy).toBe(0.5);
    expect(s.chosenReward).toBeCloseTo((0.5 * 1 + 0.5 * -1) / 2, 6); // β(πc − rc) = 0.5, −0.5
    expect(s.rejectedReward).toBeCloseTo((0.5 * -0.5 + 0) / 2, 6); // β(πr − rr) = −0.25, 0
    tf.dispose(ts);
  });
});
