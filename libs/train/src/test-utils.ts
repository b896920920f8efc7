// Test-only helpers (not exported from index.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';

/** Selects the wasm backend, or the cpu one if wasm cannot start. */
export async function useTestBackend(): Promise<string> {
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    console.warn('wasm backend failed to start, testing on cpu:', err);
  }
  if (!ok) await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}

/**
 * Logits whose softmax is the normalised weights: logits = log(weights), so the row
 * [1, 2, 5] has probabilities [1/8, 2/8, 5/8]. weights[b][t] is one row of V weights.
 */
export function logitsFromWeights(weights: number[][][]): tf.Tensor3D {
  return tf.tensor3d(weights.map((seq) => seq.map((row) => row.map(Math.log))));
}

/** Probabilities of a weight row: [1, 2, 5] → [0.125, 0.25, 0.625]. */
export function probs(row: number[]): number[] {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((w) => w / s);
}

export function int2d(values: number[][]): tf.Tensor2D {
  return tf.tensor2d(values, undefined, 'int32');
}

export function float2d(values: number[][]): tf.Tensor2D {
  return tf.tensor2d(values, undefined, 'float32');
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (!(Math.abs(a - e) <= tol)) throw new Error(`element ${i}: got ${a}, expected ${e} (±${tol})\nactual:   ${Array.from(actual).join(', ')}\nexpected: ${Array.from(expected).join(', ')}`);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return d;
}

/** Value of a scalar tensor function, tensors disposed. */
export function valueOf(f: () => tf.Tensor): number {
  const t = tf.tidy(f);
  const v = t.dataSync()[0] ?? NaN;
  t.dispose();
  return v;
}

/** Gradient of f at x as a flat array, tensors disposed. */
export function gradOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Float32Array {
  const g = tf.tidy(() => tf.grad(f)(x));
  const out = new Float32Array(g.dataSync());
  g.dispose();
  return out;
}

/** Central finite differences of f at x (step h), computed through the backend in float32. */
export function finiteDiff(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, h = 1e-2): number[] {
  const base = Array.from(x.dataSync());
  return base.map((_, i) => {
    const at = (delta: number): number => {
      const shifted = base.slice();
      shifted[i] = (shifted[i] ?? 0) + delta;
      return valueOf(() => f(tf.tensor(shifted, x.shape, 'float32')));
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}
