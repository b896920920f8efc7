import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { InputError, SieveError } from '@sieve/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, type AdamWConfig } from './adamw';
import { useTestBackend } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

// Hand computation, β1 = 0.9, β2 = 0.999, ε = 1e-8, lr = 0.1, p0 = 1, g1 = 0.5, g2 = −1:
// step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, p1 = 1 − 0.1·0.5/(0.5 + ε) = 0.9
// step 2: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975,
//         m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999, update u2 = 0.1·m̂/(√v̂ + ε) = −0.0366103522
//         p2 = 0.9 − u2 = 0.9366103542
// with decay λ = 0.1 (factor 1 − lr·λ = 0.99 before each update):
//         p1 = 0.99 − 0.1 = 0.89, p2 = 0.89·0.99 − u2 = 0.9177103542
const P1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
const U2 = (0.1 * (-0.055 / 0.19)) / (Math.sqrt(0.00124975 / 0.001999) + 1e-8);

function twoSteps(names: string[], config: AdamWConfig): Record<string, number[]> {
  const params = Object.fromEntries(names.map((n) => [n, tf.variable(tf.scalar(1), true, undefined)]));
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, ...config });
  const trace: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const g of [0.5, -1]) {
    const grads = Object.fromEntries(names.map((n) => [n, tf.scalar(g)]));
    opt.step(grads, 0.1);
    tf.dispose(Object.values(grads));
    for (const n of names) trace[n]!.push(params[n]!.dataSync()[0]!);
  }
  opt.dispose();
  tf.dispose(Object.values(params));
  return trace;
}

describe('AdamW', () => {
  it('matches two hand-computed updates without weight decay', () => {
    const { w } = twoSteps(['w'], {});
    expect(w![0]).toBeCloseTo(P1, 6);
    expect(w![1]).toBeCloseTo(P1 - U2, 6);
    expect(P1 - U2).toBeCloseTo(0.9366103542, 9);
  });

  it('decays decoupled from the gradient, except for norm parameters', () => {
    const t = twoSteps(['layer0.attn.wq', 'layer0.norm1.gain'], { weightDecay: 0.1 });
    expect(t['layer0.attn.wq']![0]).toBeCloseTo(0.89, 6);
    expect(t['layer0.attn.wq']![1]).toBeCloseTo(0.89 * 0.99 - U2, 6);
    expect(t['layer0.norm1.gain']![1]).toBeCloseTo(0.9 - U2, 6);
  });

  it('respects a custom decay filter', () => {
    const t = twoSteps(['a', 'b'], { weightDecay: 0.1, decayFilter: (name) => name === 'b' });
    expect(t.a![1]).toBeCloseTo(0.9 - U2, 6);
    expect(t.b![1]).toBeCloseTo(0.89 * 0.99 - U2, 6);
  });

  it('leaves parameters without a gradient untouched and rejects unknown or misshapen gradients', () => {
    const params = { a: tf.variable(tf.scalar(1)), b: tf.variable(tf.tensor1d([1, 2])) };
    const opt = new AdamW(params, { weightDecay: 0.5 });
    const g = tf.scalar(1);
    opt.step({ a: g }, 0.1);
    expect(Array.from(params.b.dataSync())).toEqual([1, 2]);
    expect(params.a.dataSync()[0]).toBeCloseTo(1 * 0.95 - 0.1, 5);
    expect(() => opt.step({ c: g }, 0.1)).toThrow(/unknown parameter 'c'/);
    expect(() => opt.step({ b: g }, 0.1)).toThrow(/shape/);
    expect(() => opt.step({ a: g }, Number.NaN)).toThrow(InputError);
    expect(() => new AdamW(params, { beta2: 1 })).toThrow(/beta2/);
    opt.dispose();
    expect(() => opt.step({ a: g }, 0.1)).toThrow(SieveError);
    tf.dispose([g, params.a, params.b]);
  });

  it('resumes bit-exactly from getState()/setState()', () => {
    const init = { w: tf.tensor2d([[0.5, -1], [2, 0.25]]), 'ln.norm': tf.tensor1d([1, 1]) };
    const gradsAt = (k: number): Record<string, tf.Tensor> => ({
      w: tf.tensor2d([[Math.sin(k), 0.3 * k], [-1 / (k + 1), Math.cos(k)]]),
      'ln.norm': tf.tensor1d([0.1 * k, -0.2]),
    });
    const cfg = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05 };
    const a = { w: tf.variable(init.w), 'ln.norm': tf.variable(init['ln.norm']) };
    const optA = new AdamW(a, cfg);
    for (let k = 0; k < 3; k++) {
      const g = gradsAt(k);
      optA.step(g, 0.01);
      tf.dispose(Object.values(g));
    }
    // checkpoint: parameters and optimiser state as plain data (through JSON-like copies)
    const state = optA.getState();
    expect(state.step).toBe(3);
    expect(state.m.w!.shape).toEqual([2, 2]);
    const saved = structuredClone(state);
    const b = { w: tf.variable(tf.tensor(a.w.dataSync(), [2, 2])), 'ln.norm': tf.variable(tf.tensor(a['ln.norm'].dataSync(), [2])) };
    const optB = new AdamW(b, cfg);
    optB.setState(saved);
    expect(optB.stepCount).toBe(3);
    for (let k = 3; k < 6; k++) {
      const g = gradsAt(k);
      optA.step(g, 0.01);
      optB.step(g, 0.01);
      tf.dispose(Object.values(g));
    }
    expect(Array.from(b.w.dataSync())).toEqual(Array.from(a.w.dataSync()));
    expect(Array.from(b['ln.norm'].dataSync())).toEqual(Array.from(a['ln.norm'].dataSync()));
    expect(Array.from(optB.getState().v.w!.data)).toEqual(Array.from(optA.getState().v.w!.data));
    // a state for another model shape is refused
    expect(() => optB.setState({ step: 1, m: { w: { shape: [3], data: new Float32Array(3) } }, v: {} })).toThrow(/does not fit/);
    optA.dispose();
    optB.dispose();
    tf.dispose([...Object.values(init), ...Object.values(a), ...Object.values(b)]);
  });

  it('does not leak tensors across steps', () => {
    const params = { w: tf.variable(tf.ones([3, 4])), b: tf.variable(tf.zeros([4])) };
    const opt = new AdamW(params, { weightDecay: 0.01 });
    const step = (): void => {
      const g = { w: tf.fill([3, 4], 0.1), b: tf.fill([4], -0.1) };
      opt.step(g, 1e-3);
      tf.dispose(Object.values(g));
    };
    step(); // creates the moments
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(after1);
    opt.setState(opt.getState());
    expect(tf.memory().numTensors).toBe(after1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(after1 - 4); // the four moment variables
    tf.dispose(Object.values(params));
  });
});
