import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { floatBits, fmaf, testValues } from './test-helpers';
import { instantiateOnBackend, relaxedSimdAvailable, type WasmKernelFn } from './wasm-encoder';
import { gemmTN, gemmTNApplies, gemmUsesFma } from './wasm-gemm';
import { nnFn, tnFn } from './wasm-gemm-code';
import { FAST_BMM_KERNEL } from './wasm-kernels';

interface Internals {
  wasm: { cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): void;
}
const backend = (): Internals => tf.findBackend('wasm') as unknown as Internals;

/**
 * The independent reference of the exact kernels: the wasm binary's own BatchMatMul export called
 * item by item with batch 1, which is XNNPACK's GEMM (tfjs-backend-wasm batch_mat_mul_impl.cc),
 * bypassing the registered kernels under test.
 */
function xnnpack(a: Float32Array, b: Float32Array, items: number, m: number, k: number, n: number): Float32Array {
  const be = backend();
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

/** The reference of the FMA kernels: out = fma(a, b, out) for k = 0, 1, … from a zero, item by item. */
function fused(a: Float32Array, b: Float32Array, items: number, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(items * m * n);
  for (let t = 0; t < items; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc = fmaf(a[(t * m + i) * k + q] as number, b[(t * k + q) * n + j] as number, acc);
        out[(t * m + i) * n + j] = acc;
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

/** The kernels of wasm-gemm-code.ts, compiled exact (mul then add) or fused, on the backend's memory. */
const kernels = (fma: boolean): Record<string, WasmKernelFn> => {
  const k = instantiateOnBackend(tf.findBackend('wasm'), [nnFn(fma), tnFn(fma)]);
  if (!k) throw new Error('the wasm backend with SIMD is needed here');
  return k;
};

/** Calls one kernel on tensors made of `inputs`, returning its output [outSize]. */
function call(fn: WasmKernelFn, inputs: Float32Array[], outSize: number, args: (offsets: number[]) => number[]): Float32Array {
  const be = backend();
  const ts = inputs.map((v) => tf.tensor1d(v));
  const out = be.makeOutput([outSize], 'float32');
  fn(...args([...ts, out].map((t) => be.dataIdMap.get(t.dataId).memoryOffset)));
  const got = Float32Array.from(be.typedArrayFromHeap(out));
  be.disposeData(out.dataId);
  tf.dispose(ts);
  return got;
}
const nn = (fn: WasmKernelFn, a: Float32Array, b: Float32Array, items: number, m: number, k: number, n: number, packed = false): Float32Array =>
  call(fn, [a, b, new Float32Array(packed ? k * n : 0)], items * m * n, ([pa, pb, ps, po]) => [pa as number, pb as number, po as number, items, m, k, n, k * n * 4, packed ? (ps as number) : 0]);
const tn = (fn: WasmKernelFn, x: Float32Array, dy: Float32Array, items: number, n: number, inDim: number, outDim: number, chunks: number): Float32Array =>
  call(fn, [x, dy], items * inDim * outDim, ([px, pd, po]) => [px as number, pd as number, po as number, n / chunks, chunks, inDim, outDim, items]);

/** Σ over chunks of the per-chunk products, added in order onto 0 in float32 (as tf.sum over the chunks). */
function chunkSum(parts: Float32Array, chunks: number, size: number): Float32Array {
  const want = new Float32Array(size);
  for (let c = 0; c < chunks; c++) for (let i = 0; i < size; i++) want[i] = Math.fround((want[i] as number) + (parts[c * size + i] as number));
  return want;
}

// [M, K, N]: row counts off the 6-row tile exercise the one-row tail, N % 8 the 4-wide and one-column tails; K = 1 and 0 the short loops.
const nnCases: [number, number, number][] = [[1473, 96, 256], [130, 256, 96], [7, 96, 40], [5, 1, 8], [3, 0, 16], [94, 32, 92], [6, 40, 13], [9, 7, 3], [2, 5, 1]];
// [N, in, out, chunks]: the split-K weight gradient of ops.weightGrad.
const tnCases: [number, number, number, number][] = [[1536, 96, 256, 3], [1472, 256, 96, 4], [768, 96, 96, 1], [4096, 40, 96, 8], [12, 4, 8, 2], [92, 94, 32, 1], [10, 7, 16, 2]];

describe('the wasm SIMD GEMM kernels', () => {
  let exact: Record<string, WasmKernelFn>;
  let fma: Record<string, WasmKernelFn>;
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    exact = kernels(false);
    expect(relaxedSimdAvailable()).toBe(true); // Node ≥ 20 on x64 or arm64
    fma = kernels(true);
  });

  describe('exact (mul then add): XNNPACK’s floats bit for bit', () => {
    it.each(nnCases)('nn: [M=%i, K=%i]·[K, N=%i], b in place and packed', (m, k, n) => {
      const a = testValues(m * k, 1);
      const b = testValues(k * n, 2);
      const want = k === 0 ? new Float32Array(m * n) : xnnpack(a, b, 1, m, k, n); // XNNPACK itself refuses K = 0
      for (const packed of [false, true]) expect(bitsOf(nn(exact['nn'] as WasmKernelFn, a, b, 1, m, k, n, packed))).toEqual(bitsOf(want));
    });
    it.each(tnCases)('tn: xᵀ·dy for x [%i, %i], dy [·, %i] in %i chunks = per-chunk XNNPACK products summed in order', (n, inDim, outDim, chunks) => {
      const x = testValues(n * inDim, 5);
      const dy = testValues(n * outDim, 6);
      const parts = xnnpack(chunksTransposed(x, n, inDim, chunks), dy, chunks, inDim, n / chunks, outDim); // [chunks, in, out]
      expect(bitsOf(tn(exact['tn'] as WasmKernelFn, x, dy, 1, n, inDim, outDim, chunks))).toEqual(bitsOf(chunkSum(parts, chunks, inDim * outDim)));
    });
  });

  describe('fused (relaxed_madd): one rounding per product, in k order', () => {
    it.each(nnCases)('nn: [M=%i, K=%i]·[K, N=%i]', (m, k, n) => {
      const a = testValues(m * k, 1);
      const b = testValues(k * n, 2);
      const got = nn(fma['nn'] as WasmKernelFn, a, b, 1, m, k, n);
      expect(bitsOf(got)).toEqual(bitsOf(fused(a, b, 1, m, k, n)));
      expect(bitsOf(nn(fma['nn'] as WasmKernelFn, a, b, 1, m, k, n, true))).toEqual(bitsOf(got)); // b packed in 8-column panels first
      if (k > 1) expect(bitsOf(got)).not.toEqual(bitsOf(xnnpack(a, b, 1, m, k, n))); // this CPU fuses: the floats are not XNNPACK's
    });
    it.each(tnCases)('tn: xᵀ·dy for x [%i, %i], dy [·, %i] in %i chunks', (n, inDim, outDim, chunks) => {
      const x = testValues(n * inDim, 5);
      const dy = testValues(n * outDim, 6);
      const parts = fused(chunksTransposed(x, n, inDim, chunks), dy, chunks, inDim, n / chunks, outDim);
      expect(bitsOf(tn(fma['tn'] as WasmKernelFn, x, dy, 1, n, inDim, outDim, chunks))).toEqual(bitsOf(chunkSum(parts, chunks, inDim * outDim)));
    });
  });

  describe('registered: tf.matMul, the batched matMul and gemmTN run the kernels', () => {
    const ref = (): Record<string, WasmKernelFn> => (gemmUsesFma() ? fma : exact);
    it('uses the fused kernels where relaxed SIMD is available', () => {
      tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]))); // registers the kernels with the backend
      expect(gemmUsesFma()).toBe(true);
    });
    it.each(nnCases)('tf.matMul of [M=%i, K=%i] and [K, N=%i], no transposes', (m, k, n) => {
      const before = tf.memory().numTensors;
      const a = testValues(m * k, 1);
      const b = testValues(k * n, 2);
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
      expect(got.shape).toEqual([m, n]);
      expect(floatBits(got)).toEqual(bitsOf(nn(ref()['nn'] as WasmKernelFn, a, b, 1, m, k, n)));
      got.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
    it.each([[24, 94, 96, 32], [48, 92, 32, 92]])('the batched matMul of attention ([%i, %i, %i]·[·, ·, %i]) item by item', (items, m, k, n) => {
      const a = testValues(items * m * k, 3);
      const b = testValues(items * k * n, 4);
      const got = tf.tidy(() => tf.engine().runKernel(FAST_BMM_KERNEL, { a: tf.tensor3d(a, [items, m, k]), b: tf.tensor3d(b, [items, k, n]) }) as tf.Tensor);
      expect(floatBits(got)).toEqual(bitsOf(fused(a, b, items, m, k, n)));
      got.dispose();
    });
    it.each(tnCases)('gemmTN: x [%i, %i], dy [·, %i] in %i chunks', (n, inDim, outDim, chunks) => {
      expect(gemmTNApplies(n, inDim, outDim, chunks)).toBe(true);
      const x = testValues(n * inDim, 5);
      const dy = testValues(n * outDim, 6);
      const got = tf.tidy(() => gemmTN(tf.tensor2d(x, [n, inDim]), tf.tensor2d(dy, [n, outDim]), chunks));
      expect(got.shape).toEqual([inDim, outDim]);
      expect(floatBits(got)).toEqual(bitsOf(tn(ref()['tn'] as WasmKernelFn, x, dy, 1, n, inDim, outDim, chunks)));
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
      expect(floatBits(got)).toEqual(bitsOf(fused(xt, dy, items, inDim, n, outDim)));
      got.dispose();
    });
  });

  it('a small product by hand', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0, 2, 1, 0], [0, 1, 1, 0, 2], [1, 1, 0, 3, 1]]);
    expect(tf.matMul(a, b).arraySync()).toEqual([[4, 5, 4, 10, 7], [10, 11, 13, 22, 16]]); // by hand
    tf.dispose([a, b]);
  });

  it('gemmTN does not apply to shapes it cannot tile', () => {
    expect(gemmTNApplies(12, 4, 12, 1)).toBe(false); // out % 8
    expect(gemmTNApplies(10, 4, 8, 3)).toBe(false); // N % chunks
    expect(gemmTNApplies(0, 4, 8, 1)).toBe(false);
    expect(gemmTNApplies(16, 256, 1032, 1)).toBe(false); // an output above 2^18 floats: the split-K XNNPACK path
    expect(gemmTNApplies(16, 256, 1024, 1)).toBe(true);
  });
});

describe('fmaf, the test reference', () => {
  it('rounds a·b + c once: (1 + 2⁻¹²)² − 1 keeps the 2⁻²⁴ that mul-then-add loses', () => {
    const x = 1 + 2 ** -12; // x² = 1 + 2⁻¹¹ + 2⁻²⁴: the last term is below float32's half ulp at 1
    expect(fmaf(x, x, -1)).toBe(2 ** -11 + 2 ** -24);
    expect(Math.fround(Math.fround(x * x) - 1)).toBe(2 ** -11); // two roundings
  });
  it('breaks a double-rounding tie on the side of the lost error', () => {
    // a·b = 2⁻¹⁶ − 2⁻⁶²; c = 256 + 2⁻¹⁵. The exact sum is just below the float32 midpoint 256 + 3·2⁻¹⁶,
    // so fma gives 256 + 2⁻¹⁵; the double sum rounds onto that midpoint and then to even, 256 + 2⁻¹⁴.
    const [a, b, c] = [2 ** -16 * (1 + 2 ** -23), 1 - 2 ** -23, 256 + 2 ** -15];
    expect(Math.fround(a * b + c)).toBe(256 + 2 ** -14);
    expect(fmaf(a, b, c)).toBe(256 + 2 ** -15);
    expect(fmaf(-a, b, -c)).toBe(-(256 + 2 ** -15));
  });
});
