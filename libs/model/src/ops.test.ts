import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { bmm, bmmNT, embedding, linear, oneHotFloat, rmsNorm, rotateHalf, setFastGrads, swiglu, transpose2d } from './ops';

/** max |a − b| over all elements of matching tensor lists. */
function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  a.forEach((t, i) => {
    expect(t.shape).toEqual(b[i]!.shape);
    const x = t.dataSync();
    const y = b[i]!.dataSync();
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]! - y[j]!));
  });
  return m;
}

/** Gradients of sum(f(inputs) · r) with a fixed random r, so every output element matters differently. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 7): tf.Tensor[] {
  return tf.tidy(() => {
    const shape = f(...inputs).shape;
    const r = tf.randomNormal(shape, 0, 1, 'float32', seed);
    return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
  });
}

function withFast<T>(on: boolean, f: () => T): T {
  setFastGrads(on);
  try {
    return f();
  } finally {
    setFastGrads(true);
  }
}

const rn = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`custom-gradient ops on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend({ prefer: backend });
    });
    afterEach(() => setFastGrads(true));

    it('linear matches tf.matMul and its built-in gradient (dW in one GEMM, and split along N on wasm)', () => {
      // 1536 rows: 3 chunks of 512; 1031 (prime): no equal chunks, one GEMM. Sums over N rows of
      // N(0,1) products differ from one GEMM by float32 rounding only.
      for (const [n, din, dout, tol] of [[6, 5, 3, 1e-5], [6, 3, 7, 1e-5], [64, 40, 24, 1e-5], [1536, 24, 40, 2e-3], [1031, 40, 24, 2e-3]] as const) {
        const x = rn([n, din], 1);
        const w = rn([din, dout], 2);
        const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => linear(a as tf.Tensor2D, b as tf.Tensor2D);
        const plain = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
        expect(maxDiff([f(x, w)], [plain(x, w)])).toBeLessThan(1e-5);
        expect(maxDiff(gradsOf(f, [x, w]), gradsOf(plain, [x, w])), `n ${n}`).toBeLessThan(tol);
      }
    });

    it('the weight gradient runs as one xᵀ·dy kernel on wasm, for any row count', async () => {
      const x = rn([1536, 24], 1);
      const w = rn([24, 40], 2);
      const kernels = async (n: number): Promise<string[]> => {
        const xs = tf.slice(x, [0, 0], [n, 24]);
        const info = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(linear(xs as tf.Tensor2D, v as tf.Tensor2D)))(w));
        xs.dispose();
        return info.kernels.map((k) => k.name);
      };
      for (const n of [1536, 1031]) {
        const names = await kernels(n);
        expect(names.includes('SieveGemmTN')).toBe(backend === 'wasm');
        expect(names).not.toContain('SieveBatchMatMul'); // no transposed chunks, no sum over chunks
      }
    });

    it('bmm and bmmNT match tf.matMul gradients, small and kernel-sized batches', () => {
      for (const [n, m, k, p] of [[2, 3, 4, 5], [3, 32, 32, 40]] as const) {
        const a = rn([n, m, k], 3);
        const b = rn([n, k, p], 4);
        const bt = rn([n, p, k], 5);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => bmm(x as tf.Tensor3D, y as tf.Tensor3D);
        const plain = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D);
        const fNT = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => bmmNT(x as tf.Tensor3D, y as tf.Tensor3D);
        const plainNT = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, false, true);
        expect(maxDiff([f(a, b)], [plain(a, b)])).toBeLessThan(1e-4);
        expect(maxDiff(gradsOf(f, [a, b]), gradsOf(plain, [a, b]))).toBeLessThan(1e-4);
        expect(maxDiff([fNT(a, bt)], [plainNT(a, bt)])).toBeLessThan(1e-4);
        expect(maxDiff(gradsOf(fNT, [a, bt]), gradsOf(plainNT, [a, bt]))).toBeLessThan(1e-4);
      }
    });

    it('embedding gradient is the count-weighted scatter of dy (works on wasm without UnsortedSegmentSum)', () => {
      const table = rn([5, 3], 6);
      const ids = tf.tensor1d([4, 1, 4, 0, 4], 'int32');
      const rows = embedding(ids, table as tf.Tensor2D);
      expect(maxDiff([rows], [tf.gather(table, ids)])).toBe(0);
      // d/dtable of sum(embedding(ids) · 1) = how often each row is used, in every column.
      const [g] = tf.grads((t: tf.Tensor) => tf.sum(embedding(ids, t as tf.Tensor2D)))([table]);
      expect(Array.from(g!.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 3, 3, 3]);
      const f = (t: tf.Tensor): tf.Tensor => embedding(ids, t as tf.Tensor2D);
      const plain = (t: tf.Tensor): tf.Tensor => tf.matMul(tf.cast(tf.oneHot(ids, 5), 'float32'), t as tf.Tensor2D);
      expect(maxDiff(gradsOf(f, [table]), gradsOf(plain, [table]))).toBeLessThan(1e-5);
      expect(maxDiff(gradsOf(f, [table]), withFast(false, () => gradsOf(f, [table])))).toBeLessThan(1e-5);
    });

    it('embedding over a large vocabulary (gather forward) has the same gradient', () => {
      const table = rn([300, 4], 14);
      const ids = tf.tensor1d([299, 3, 3, 150], 'int32');
      const f = (t: tf.Tensor): tf.Tensor => embedding(ids, t as tf.Tensor2D);
      const plain = (t: tf.Tensor): tf.Tensor => tf.matMul(tf.cast(tf.oneHot(ids, 300), 'float32'), t as tf.Tensor2D);
      expect(maxDiff([f(table)], [tf.gather(table, ids)])).toBe(0);
      expect(maxDiff(gradsOf(f, [table]), gradsOf(plain, [table]))).toBeLessThan(1e-5);
    });

    it('rmsNorm matches the plain formula and its built-in gradient', () => {
      const x = rn([7, 6], 8);
      const g = tf.add(rn([6], 9), 1);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => rmsNorm(a as tf.Tensor2D, b as tf.Tensor1D, 1e-5);
      const plain = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
        tf.mul(tf.div(a, tf.sqrt(tf.add(tf.mean(tf.square(a), -1, true), 1e-5))), b);
      // Hand check of one row: x / rms(x) · g.
      const row = Array.from(x.dataSync().slice(0, 6));
      const rms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / 6 + 1e-5);
      const gv = g.dataSync();
      const got = f(x, g).dataSync();
      row.forEach((v, i) => expect(got[i]).toBeCloseTo((v / rms) * gv[i]!, 5));
      expect(maxDiff(gradsOf(f, [x, g]), gradsOf(plain, [x, g]))).toBeLessThan(1e-5);
    });

    it('swiglu matches silu(g)·u and its built-in gradient', () => {
      const g = rn([5, 4], 10);
      const u = rn([5, 4], 11);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => swiglu(a as tf.Tensor2D, b as tf.Tensor2D);
      const plain = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.mul(tf.mul(a, tf.sigmoid(a)), b);
      const gv = g.dataSync()[0]!;
      expect(f(g, u).dataSync()[0]).toBeCloseTo((gv / (1 + Math.exp(-gv))) * u.dataSync()[0]!, 5);
      expect(maxDiff(gradsOf(f, [g, u]), gradsOf(plain, [g, u]))).toBeLessThan(1e-5);
    });

    it('rotateHalf maps [x1, x2] to [−x2, x1] with the gradient of the plain split/concat', () => {
      const x = tf.tensor3d([[[1, 2, 3, 4]]]);
      expect(Array.from(rotateHalf(x).dataSync())).toEqual([-3, -4, 1, 2]);
      const y = rn([6, 3, 8], 13);
      const plain = (a: tf.Tensor): tf.Tensor => {
        const [a1, a2] = tf.split(a, 2, -1) as [tf.Tensor, tf.Tensor];
        return tf.concat([tf.neg(a2), a1], -1);
      };
      expect(maxDiff([rotateHalf(y)], [plain(y)])).toBe(0);
      expect(maxDiff(gradsOf(rotateHalf, [y]), gradsOf(plain, [y]))).toBeLessThan(1e-6);
    });

    it('oneHotFloat is a float one-hot (tf.oneHot with a float dtype returns zeros on wasm)', () => {
      const ids = tf.tensor1d([2, 0, 1], 'int32');
      const h = oneHotFloat(ids, 3);
      expect(h.dtype).toBe('float32');
      expect(Array.from(h.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    });

    it('transpose2d equals tf.transpose for blocked and odd shapes', () => {
      for (const shape of [[64, 96], [96, 64], [7, 5], [30, 200]] as const) {
        const x = rn([...shape], 12) as tf.Tensor2D;
        expect(maxDiff([transpose2d(x)], [tf.transpose(x)])).toBe(0);
      }
    });
  });
}
