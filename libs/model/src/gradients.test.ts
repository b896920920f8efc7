import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import './gradients';

/** Central finite differences of a scalar function, element by element (f64 math on f32 data). */
function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x0: Float32Array, shape: number[], eps = 1e-2): Float32Array {
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const at = (d: number): number =>
      tf.tidy(() => {
        const x = Float32Array.from(x0);
        x[i] = x[i]! + d;
        return f(tf.tensor(x, shape)).dataSync()[0]!;
      });
    out[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  return out;
}

function checkGrad(name: string, f: (x: tf.Tensor) => tf.Tensor, shape: number[], positive = false): void {
  const size = shape.reduce((a, b) => a * b, 1);
  // Deterministic, distinct, away-from-kinks values.
  const x0 = Float32Array.from({ length: size }, (_, i) => (positive ? 0.5 : -1.3) + ((i * 37) % 11) * 0.23);
  const weights = tf.tensor(Float32Array.from({ length: 64 }, (_, i) => 0.3 + ((i * 17) % 7) * 0.2));
  // Weighted sum so that every output element has a different influence.
  const scalar = (x: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const y = tf.reshape(f(x), [-1]);
      return tf.sum(tf.mul(y, tf.slice(tf.tile(weights, [Math.ceil(y.size / 64)]), [0], [y.size])));
    });
  const analytic = tf.tidy(() => tf.grad(scalar)(tf.tensor(x0, shape)).dataSync() as Float32Array);
  const numeric = numericGrad(scalar, x0, shape);
  analytic.forEach((a, i) => {
    const n = numeric[i]!;
    expect(Math.abs(a - n), `${name} element ${i}: analytic ${a} vs numeric ${n}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(n)));
  });
}

describe('registered gradients match finite differences', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });

  const b = (): tf.Tensor => tf.tensor2d([[0.5, -1.5, 2]]);
  const cases: [string, (x: tf.Tensor) => tf.Tensor, number[], boolean?][] = [
    ['add (broadcast)', (x) => tf.add(x, b()), [2, 3]],
    ['broadcast operand of add', (x) => tf.add(tf.ones([4, 3]), x), [1, 3]],
    ['sub', (x) => tf.sub(b(), x), [2, 3]],
    ['mul (broadcast operand)', (x) => tf.mul(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), x), [1, 3]],
    ['div', (x) => tf.div(b(), x), [2, 3], true],
    ['pow', (x) => tf.pow(x, tf.scalar(1.7)), [2, 3], true],
    ['maximum/minimum', (x) => tf.add(tf.maximum(x, 0.1), tf.minimum(x, 0.2)), [2, 3]],
    ['squared difference', (x) => tf.squaredDifference(x, b()), [2, 3]],
    ['exp log sqrt rsqrt', (x) => tf.add(tf.add(tf.exp(x), tf.log(x)), tf.add(tf.sqrt(x), tf.rsqrt(x))), [5], true],
    ['square neg abs reciprocal', (x) => tf.add(tf.add(tf.square(x), tf.neg(x)), tf.add(tf.abs(x), tf.reciprocal(x))), [5], true],
    ['sigmoid tanh relu softplus', (x) => tf.add(tf.add(tf.sigmoid(x), tf.tanh(x)), tf.add(tf.relu(x), tf.softplus(x))), [6]],
    ['log1p erf sin cos', (x) => tf.add(tf.add(tf.log1p(x), tf.erf(x)), tf.add(tf.sin(x), tf.cos(x))), [5], true],
    ['sum / mean over an axis', (x) => tf.add(tf.sum(x, 1, true), tf.mean(x, 0)), [2, 3]],
    ['max / min', (x) => tf.concat([tf.max(x, 1), tf.min(x, 0)], 0), [2, 3]],
    ['softmax / logSoftmax', (x) => tf.add(tf.softmax(x), tf.logSoftmax(x)), [2, 4]],
    ['matMul with transposes', (x) => tf.add(tf.matMul(x, x, false, true), tf.sum(tf.matMul(x, x, true, false))), [3, 2]],
    ['reshape transpose reverse', (x) => tf.reverse(tf.transpose(tf.reshape(x, [3, 2]), [1, 0]), 1), [2, 3]],
    ['concat slice pad', (x) => tf.pad(tf.slice(tf.concat([x, tf.mul(x, 2)], 1), [0, 1], [2, 4]), [[1, 0], [0, 2]]), [2, 3]],
    ['tile', (x) => tf.tile(x, [2, 3]), [2, 2]],
    // Copy before reversing: tfjs keeps the very array a multi-output op returns on its tape.
    ['stack / unstack', (x) => tf.stack([...tf.unstack(x)].reverse()), [2, 3]],
    ['split', (x) => tf.concat([...tf.split(x, [1, 2], 1)].reverse(), 1), [2, 3]],
    ['where / clipByValue', (x) => tf.add(tf.where(tf.greater(x, 0), x, tf.mul(x, 3)), tf.clipByValue(x, -0.5, 0.7)), [2, 3]],
    ['gather rows', (x) => tf.gather(x, tf.tensor1d([2, 0, 2], 'int32')), [3, 2]],
    ['cast expandDims broadcastTo', (x) => tf.mul(tf.broadcastTo(tf.expandDims(tf.cast(x, 'float32'), 0), [2, 3]), 2), [3]],
    ['addN', (x) => tf.addN([x, tf.square(x), x]), [2, 3]],
  ];
  for (const [name, f, shape, positive] of cases) {
    it(name, () => checkGrad(name, f, shape, positive));
  }
});
