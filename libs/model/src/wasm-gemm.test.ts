import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { floatBits, testValues } from './test-helpers';
import { gemmTN, gemmTNApplies } from './wasm-gemm';
import { FAST_BMM_KERNEL } from './wasm-kernels';

interface Internals {
  wasm: { cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void };
  dataIdMap: { get(dataId: object): { id: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): void;
}

/**
 * The independent reference: the wasm binary's own BatchMatMul export called item by item with
 * batch 1, which is XNNPACK's GEMM (tfjs-backend-wasm batch_mat_mul_impl.cc), bypassing the
 * registered kernels under test.
 */
function xnnpack(a: Float32Array, b: Float32Array, items: number, m: number, k: number, n: number): Float32Array {
  const be = tf.findBackend('wasm') as unknown as Internals;
  const bmm = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
  const shape = (s: number[]): Uint8Array => new Uint8Array(new Int32Array(s).buffer);
  const out = new Float32Array(items * m * n);
  for (let i = 0; i < items; i++) {
    const ai = tf.tensor3d(a.slice(i * m * k, (i + 1) * m * k), [1, m, k]);
    const bi = tf.tensor3d(b.slice(i * k * n, (i + 1) * k * n), [1, k, n]);
    const o = be.makeOutput([1, m, n], 'float32');
    bmm(be.dataIdMap.get(ai.dataId).id, shape([1, m, k]), 3, be.dataIdMap.get(bi.dataId).id, shape([1, k, n]), 3, false, false, be.dataIdMap.get(o.dataId).id);
    out.set(be.typedArrayFromHeap(o), i * m * n);
    be.disposeData(o.dataId);
    tf.dispose([ai, bi]);
  }
  return out;
}

const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(Float32Array.from(x).buffer));

/** x [N, I] → its `chunks` row chunks transposed, [chunks, I, N/chunks] flattened. */
function chunksTransposed(x: Float32Array, n: number, inDim: number, chunks: number): Float32Array {
  const rows = n / chunks;
  const out = new Float32Array(n * inDim);
  for (let c = 0; c < chunks; c++) for (let r = 0; r < rows; r++) for (let i = 0; i < inDim; i++) out[c * inDim * rows + i * rows + r] = x[(c * rows + r) * inDim + i] as number;
  return out;
}

describe('wasm SIMD GEMMs give XNNPACK’s floats bit for bit', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  // [M, K, N]: odd row counts exercise the one-row tail, N % 8 the 4-wide and one-column tails; K = 1 and 0 the short loops.
  const nnCases: [number, number, number][] = [[1473, 96, 256], [130, 256, 96], [7, 96, 40], [5, 1, 8], [3, 0, 16], [94, 32, 92], [6, 40, 13], [9, 7, 3], [2, 5, 1]];
  it.each(nnCases)('tf.matMul of [M=%i, K=%i] and [K, N=%i], no transposes', (m, k, n) => {
    const before = tf.memory().numTensors;
    const a = testValues(m * k, 1);
    const b = testValues(k * n, 2);
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
    expect(got.shape).toEqual([m, n]);
    const want = k === 0 ? new Float32Array(m * n) : xnnpack(a, b, 1, m, k, n); // XNNPACK itself refuses K = 0
    expect(floatBits(got)).toEqual(bitsOf(want));
    got.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([[24, 94, 96, 32], [48, 92, 32, 92]])('the batched matMul of attention ([%i, %i, %i]·[·, ·, %i]) item by item', (items, m, k, n) => {
    const a = testValues(items * m * k, 3);
    const b = testValues(items * k * n, 4);
    const got = tf.tidy(() => tf.engine().runKernel(FAST_BMM_KERNEL, { a: tf.tensor3d(a, [items, m, k]), b: tf.tensor3d(b, [items, k, n]) }) as tf.Tensor);
    expect(floatBits(got)).toEqual(bitsOf(xnnpack(a, b, items, m, k, n)));
    got.dispose();
  });

  it('a small product by hand', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0, 2, 1, 0], [0, 1, 1, 0, 2], [1, 1, 0, 3, 1]]);
    expect(tf.matMul(a, b).arraySync()).toEqual([[4, 5, 4, 10, 7], [10, 11, 13, 22, 16]]); // by hand
    tf.dispose([a, b]);
  });

  // [N, in, out, chunks]: the split-K weight gradient of ops.weightGrad.
  const tnCases: [number, number, number, number][] = [[1536, 96, 256, 3], [1472, 256, 96, 4], [768, 96, 96, 1], [4096, 40, 96, 8], [12, 4, 8, 2], [92, 94, 32, 1], [10, 7, 16, 2]];
  it.each(tnCases)('gemmTN: xᵀ·dy for x [%i, %i], dy [·, %i] in %i chunks = per-chunk XNNPACK products summed in order', (n, inDim, outDim, chunks) => {
    expect(gemmTNApplies(n, inDim, outDim, chunks)).toBe(true);
    const x = testValues(n * inDim, 5);
    const dy = testValues(n * outDim, 6);
    const got = tf.tidy(() => gemmTN(tf.tensor2d(x, [n, inDim]), tf.tensor2d(dy, [n, outDim]), chunks));
    expect(got.shape).toEqual([inDim, outDim]);
    const parts = xnnpack(chunksTransposed(x, n, inDim, chunks), dy, chunks, inDim, n / chunks, outDim); // [chunks, in, out]
    const want = new Float32Array(inDim * outDim); // tf.sum over the chunks: ((0 + p0) + p1) + …, each add in float32
    for (let c = 0; c < chunks; c++) for (let i = 0; i < want.length; i++) want[i] = Math.fround((want[i] as number) + (parts[c * want.length + i] as number));
    expect(floatBits(got)).toEqual(bitsOf(want));
    got.dispose();
  });

  it('gemmTN item by item: Pᵀ·dO of attention, x [48, 92, 94], dy [48, 92, 32]', () => {
    const [items, n, inDim, outDim] = [48, 92, 94, 32];
    const x = testValues(items * n * inDim, 7);
    const dy = testValues(items * n * outDim, 8);
    const got = tf.tidy(() => gemmTN(tf.tensor3d(x, [items, n, inDim]), tf.tensor3d(dy, [items, n, outDim])));
    expect(got.shape).toEqual([items, inDim, outDim]);
    const xt = new Float32Array(x.length);
    for (let t = 0; t < items; t++) xt.set(chunksTransposed(x.subarray(t * n * inDim, (t + 1) * n * inDim), n, inDim, 1), t * n * inDim);
    expect(floatBits(got)).toEqual(bitsOf(xnnpack(xt, dy, items, inDim, n, outDim)));
    got.dispose();
  });

  it('gemmTN does not apply to shapes it cannot tile', () => {
    expect(gemmTNApplies(12, 4, 12, 1)).toBe(false); // out % 8
    expect(gemmTNApplies(10, 4, 8, 3)).toBe(false); // N % chunks
    expect(gemmTNApplies(0, 4, 8, 1)).toBe(false);
    expect(gemmTNApplies(16, 256, 1032, 1)).toBe(false); // an output above 2^18 floats: the split-K XNNPACK path
    expect(gemmTNApplies(16, 256, 1024, 1)).toBe(true);
  });
});
