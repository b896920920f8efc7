import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import './gradients';
import { gatherRows } from './wasm-kernels';

/** Data ids the active backend holds (one per distinct buffer, shared ones counted once). */
function dataIds(): number {
  return tf.engine().backend.numDataIds();
}

describe('wasm Identity shares the data of its input', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  it('a clone adds no buffer, outlives its source and frees the buffer with the last reference', () => {
    const before = dataIds();
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const y = tf.clone(x);
    expect(dataIds()).toBe(before + 1); // the stock kernel copied: before + 2
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dataIds()).toBe(before + 1);
    y.dispose();
    expect(dataIds()).toBe(before);
  });

  it('gradients that save tensors are unchanged and leave no buffers behind', () => {
    const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
    const before = { ids: dataIds(), tensors: tf.memory().numTensors };
    // d/dx Σ sigmoid(x)·x² = s(1 − s)·x² + 2·s·x (sigmoid saves its output, square its input).
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(t), tf.square(t))))(x);
    const expected = Array.from(x.dataSync()).map((v) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 - s) * v * v + 2 * s * v;
    });
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    g.dispose();
    expect({ ids: dataIds(), tensors: tf.memory().numTensors }).toEqual(before);
    x.dispose();
  });

  it('a variable assigned after a clone leaves the clone unchanged', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const c = tf.clone(v);
    const next = tf.tensor1d([7, 8, 9]);
    v.assign(next);
    next.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    c.dispose();
    v.dispose();
  });
});

describe('gatherRows (row copies on wasm)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  it('equals tf.gather along axis 0, rows repeated and reordered, float32 and int32, without leaking', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor3d(Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 0.5 - 3), [4, 3, 2]);
    const ids = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
    const rows = [2, 0, 2, 3];
    const got = gatherRows(x, rows);
    expect(got.shape).toEqual([4, 3, 2]);
    // x[r] = values r·6 … r·6 + 5 (times 0.5, minus 3), by hand
    expect(Array.from(got.dataSync())).toEqual(rows.flatMap((r) => Array.from({ length: 6 }, (_, j) => (r * 6 + j) * 0.5 - 3)));
    const gotIds = gatherRows(ids, [1, 1]);
    expect(gotIds.dtype).toBe('int32');
    expect(gotIds.arraySync()).toEqual([[3, 4], [3, 4]]);
    const none = gatherRows(x, []);
    expect(none.shape).toEqual([0, 3, 2]);
    expect(() => gatherRows(x, [4])).toThrow(/row 4 out of range/);
    tf.dispose([x, ids, got, gotIds, none]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
