/**
 * The weight gradient dW = xᵀ·dy of a linear layer as one hand-encoded WebAssembly SIMD kernel
 * (wasm-encoder.ts) that reads x [N, in] and dy [N, out] where they lie.
 *
 * Why: XNNPACK (the stock wasm matMul) wants xᵀ materialised and packs dy into its own layout on
 * every call, because dy is a new tensor each time; with the split-K chunks of `ops.weightGrad`
 * that transpose, the packing and the sum over chunks cost as much as the products themselves
 * (~40% of a linear layer's backward on the default preset's model). Here each 4×8 tile of dW
 * is an outer-product sum over the rows of x and dy, both read row by row, no copies.
 *
 * The floats are the stock path's: within a chunk each output sums its products in row order
 * starting from 0 (XNNPACK's GEMM does the same: acc = bias 0, then acc + a·b for k = 0, 1, …),
 * and the chunks' partial sums are added in chunk order as `tf.sum(parts, 0)` does. Tests
 * compare bits with the stock path.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  add, f32x4Add, f32x4Mul, f32x4Splat, get, I32, i32, inc, ltU, moduleBytes, mul, set, shuffle, simd, V128, v128Load, v128Store, v128Zero, whileLoop, type WasmFunction,
} from './wasm-encoder';

export const GEMM_TN_KERNEL = 'SieveGemmTN';

const v128LoadAt = (offset: number): number[] => simd(0x00, 0, offset);
const v128StoreAt = (offset: number): number[] => simd(0x0b, 0, offset);

/**
 * tn(x, dy, out, K, chunks, I, J): out[i, j] = Σ_c (Σ_{k < K} x[c·K + k, i]·dy[c·K + k, j]),
 * chunk sums added in order; x is [chunks·K, I], dy [chunks·K, J], out [I, J], byte addresses;
 * I a multiple of 4, J of 8.
 */
function tnFn(): WasmFunction {
  const [X, DY, OUT, K, CH, I, J] = [0, 1, 2, 3, 4, 5, 6];
  const [c, i, j, k, xp, dp, op, xBase, dBase, rowX, rowD] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]; // i32
  const acc = [18, 19, 20, 21, 22, 23, 24, 25]; // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [xv, b0, b1, s] = [26, 27, 28, 29]; // v128
  const a = (n: number): number => acc[n] as number;
  const lane = (l: number): number[] => [
    ...get(xv), ...get(xv), ...shuffle([l, l, l, l]), ...set(s),
    ...get(a(2 * l)), ...get(s), ...get(b0), ...f32x4Mul, ...f32x4Add, ...set(a(2 * l)),
    ...get(a(2 * l + 1)), ...get(s), ...get(b1), ...f32x4Mul, ...f32x4Add, ...set(a(2 * l + 1)),
  ];
  const rowOut = (r: number): number[] => [...get(op), ...(r ? [...i32(r), ...get(rowD), ...mul, ...add] : [])];
  const storeTile = [
    ...get(c), 0x04, 0x40, // if c ≠ 0: out += acc
    ...[0, 1, 2, 3].flatMap((r) => [
      ...rowOut(r), ...rowOut(r), ...v128Load, ...get(a(2 * r)), ...f32x4Add, ...v128Store,
      ...rowOut(r), ...rowOut(r), ...v128LoadAt(16), ...get(a(2 * r + 1)), ...f32x4Add, ...v128StoreAt(16),
    ]),
    0x05, // else: out = acc
    ...[0, 1, 2, 3].flatMap((r) => [...rowOut(r), ...get(a(2 * r)), ...v128Store, ...rowOut(r), ...get(a(2 * r + 1)), ...v128StoreAt(16)]),
    0x0b,
  ];
  const code = [
    ...get(I), ...i32(4), ...mul, ...set(rowX),
    ...get(J), ...i32(4), ...mul, ...set(rowD),
    ...i32(0), ...set(c),
    ...whileLoop([...get(c), ...get(CH), ...ltU], [
      ...get(X), ...get(c), ...get(K), ...mul, ...get(rowX), ...mul, ...add, ...set(xBase),
      ...get(DY), ...get(c), ...get(K), ...mul, ...get(rowD), ...mul, ...add, ...set(dBase),
      ...i32(0), ...set(i),
      ...whileLoop([...get(i), ...get(I), ...ltU], [
        ...i32(0), ...set(j),
        ...whileLoop([...get(j), ...get(J), ...ltU], [
          ...acc.flatMap((l) => [...v128Zero, ...set(l)]),
          ...get(xBase), ...get(i), ...i32(4), ...mul, ...add, ...set(xp),
          ...get(dBase), ...get(j), ...i32(4), ...mul, ...add, ...set(dp),
          ...i32(0), ...set(k),
          ...whileLoop([...get(k), ...get(K), ...ltU], [
            ...get(xp), ...v128Load, ...set(xv),
            ...get(dp), ...v128Load, ...set(b0),
            ...get(dp), ...v128LoadAt(16), ...set(b1),
            ...lane(0), ...lane(1), ...lane(2), ...lane(3),
            ...inc(xp, get(rowX)), ...inc(dp, get(rowD)),
            ...inc(k, i32(1)),
          ]),
          ...get(OUT), ...get(i), ...get(rowD), ...mul, ...add, ...get(j), ...i32(4), ...mul, ...add, ...set(op),
          ...storeTile,
          ...inc(j, i32(8)),
        ]),
        ...inc(i, i32(4)),
      ]),
      ...inc(c, i32(1)),
    ]),
  ];
  return { name: 'tn', params: 7, locals: [[11, I32], [12, V128]], code };
}

/**
 * nn(a, b, out, batch, M, K, N, bStride): out[t, m, n] = Σ_{k < K} a[t, m, k]·b[t, k, n] summed in
 * k order from 0, for t < batch; a [batch, M, K], out [batch, M, N], b [K, N] at b + t·bStride
 * bytes (0: one b for every item); byte addresses; N a multiple of 8. Tiles of 4 rows × 8
 * columns (a's four values splatted, b's row read in place), then the last M % 4 rows one by one.
 */
function nnFn(): WasmFunction {
  const [A, B, OUT, BATCH, M, K, N, BSTRIDE] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, m, n, k, ap, bp, op, aBase, bBase, oBase, rowA, rowB, mTiles] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]; // i32
  const acc = [21, 22, 23, 24, 25, 26, 27, 28]; // v128: row r of the tile in acc[2r], acc[2r + 1]
  const [b0, b1, s] = [29, 30, 31]; // v128
  const a = (i: number): number => acc[i] as number;
  const tile = (r: number): number[] => [
    ...acc.slice(0, 2 * r).flatMap((l) => [...v128Zero, ...set(l)]),
    ...get(aBase), ...get(m), ...get(rowA), ...mul, ...add, ...set(ap),
    ...get(bBase), ...get(n), ...i32(4), ...mul, ...add, ...set(bp),
    ...i32(0), ...set(k),
    ...whileLoop([...get(k), ...get(K), ...ltU], [
      ...get(bp), ...v128Load, ...set(b0),
      ...get(bp), ...v128LoadAt(16), ...set(b1),
      ...[...Array(r).keys()].flatMap((i) => [
        ...get(ap), ...(i ? [...i32(i), ...get(rowA), ...mul, ...add] : []), 0x2a, 2, 0, ...f32x4Splat, ...set(s), // a[m + i, k]
        ...get(a(2 * i)), ...get(s), ...get(b0), ...f32x4Mul, ...f32x4Add, ...set(a(2 * i)),
        ...get(a(2 * i + 1)), ...get(s), ...get(b1), ...f32x4Mul, ...f32x4Add, ...set(a(2 * i + 1)),
      ]),
      ...inc(ap, i32(4)), ...inc(bp, get(rowB)),
      ...inc(k, i32(1)),
    ]),
    ...get(oBase), ...get(m), ...get(rowB), ...mul, ...add, ...get(n), ...i32(4), ...mul, ...add, ...set(op),
    ...[...Array(r).keys()].flatMap((i) => {
      const row = [...get(op), ...(i ? [...i32(i), ...get(rowB), ...mul, ...add] : [])];
      return [...row, ...get(a(2 * i)), ...v128Store, ...row, ...get(a(2 * i + 1)), ...v128StoreAt(16)];
    }),
  ];
  const overColumns = (r: number): number[] => [
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...get(N), ...ltU], [...tile(r), ...inc(n, i32(8))]),
  ];
  const code = [
    ...get(K), ...i32(4), ...mul, ...set(rowA),
    ...get(N), ...i32(4), ...mul, ...set(rowB),
    ...get(M), ...i32(-4), 0x71, ...set(mTiles), // M rounded down to a multiple of 4 (i32.and)
    ...i32(0), ...set(t),
    ...whileLoop([...get(t), ...get(BATCH), ...ltU], [
      ...get(A), ...get(t), ...get(M), ...mul, ...get(rowA), ...mul, ...add, ...set(aBase),
      ...get(B), ...get(t), ...get(BSTRIDE), ...mul, ...add, ...set(bBase),
      ...get(OUT), ...get(t), ...get(M), ...mul, ...get(rowB), ...mul, ...add, ...set(oBase),
      ...i32(0), ...set(m),
      ...whileLoop([...get(m), ...get(mTiles), ...ltU], [...overColumns(4), ...inc(m, i32(4))]),
      ...whileLoop([...get(m), ...get(M), ...ltU], [...overColumns(1), ...inc(m, i32(1))]),
      ...inc(t, i32(1)),
    ]),
  ];
  return { name: 'nn', params: 8, locals: [[13, I32], [11, V128]], code };
}

interface WasmBackend {
  wasm: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type Fn = (...args: number[]) => void;
let tn: Fn | null = null;
let nn: Fn | null = null;

function offsetOf(be: WasmBackend, t: tf.TensorInfo, kernel: string): number {
  const d = be.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`${kernel}: operand not on the wasm backend`);
  return d.memoryOffset;
}

/**
 * Compiles the module against the wasm backend's memory, registers `SieveGemmTN` and puts the
 * NN product in front of the stock BatchMatMul wherever that would call XNNPACK (no transposes,
 * batch 1) with N % 8 = 0; false when unavailable.
 */
export function registerGemmKernels(backend: unknown): boolean {
  if (tn) return true;
  const memory = (backend as Partial<WasmBackend> | null)?.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof (backend as WasmBackend).makeOutput !== 'function') return false;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([tnFn(), nnFn()])), { env: { memory } });
    tn = instance.exports['tn'] as Fn;
    nn = instance.exports['nn'] as Fn;
  } catch {
    return false; // no wasm SIMD in this runtime: the stock kernels stay in use
  }
  tf.registerKernel({
    kernelName: GEMM_TN_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const be = b as unknown as WasmBackend;
      const x = inputs['x'] as tf.TensorInfo; // [N, I]
      const dy = inputs['dy'] as tf.TensorInfo; // [N, J]
      const chunks = (attrs as unknown as { chunks: number }).chunks;
      const [n, inDim] = x.shape as [number, number];
      const outDim = dy.shape[1] as number;
      const out = be.makeOutput([inDim, outDim], 'float32'); // [I, J]
      (tn as Fn)(offsetOf(be, x, GEMM_TN_KERNEL), offsetOf(be, dy, GEMM_TN_KERNEL), offsetOf(be, out, GEMM_TN_KERNEL), n / chunks, chunks, inDim, outDim);
      return out;
    },
  });
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (stock) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const a = args.inputs['a'] as tf.TensorInfo; // [..., M, K]
        const b = args.inputs['b'] as tf.TensorInfo; // [..., K, N]
        const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
        const [m, k] = a.shape.slice(-2) as [number, number];
        const n = b.shape[b.shape.length - 1] as number;
        const single = (t: tf.TensorInfo): boolean => t.shape.slice(0, -2).every((d) => d === 1);
        if (transposeA || transposeB || a.dtype !== 'float32' || b.dtype !== 'float32' || !single(a) || !single(b) || n % 8 !== 0 || b.shape[b.shape.length - 2] !== k) {
          return stock.kernelFunc(args);
        }
        const be = args.backend as unknown as WasmBackend;
        const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
        const out = be.makeOutput(outShape, 'float32');
        (nn as Fn)(offsetOf(be, a, 'BatchMatMul'), offsetOf(be, b, 'BatchMatMul'), offsetOf(be, out, 'BatchMatMul'), 1, m, k, n, 0);
        return out;
      },
    });
  }
  return true;
}

/**
 * Batched a [batch, M, K] · b [batch, K, N] into out at these byte offsets of the wasm memory,
 * with XNNPACK's floats (see nnFn); false (nothing written) when the kernel is unavailable or
 * N % 8 ≠ 0.
 */
export function gemmNNAt(a: number, b: number, out: number, batch: number, m: number, k: number, n: number): boolean {
  if (!nn || n % 8 !== 0) return false;
  nn(a, b, out, batch, m, k, n, k * n * 4);
  return true;
}

/** Whether `gemmTN` runs here for these sizes: wasm backend, in % 4 = 0, out % 8 = 0, N > 0 and N divisible by chunks. */
export function gemmTNApplies(n: number, inDim: number, outDim: number, chunks: number): boolean {
  return tn !== null && tf.getBackend() === 'wasm' && n > 0 && inDim % 4 === 0 && outDim % 8 === 0 && n % chunks === 0;
}

/** xᵀ·dy for x [N, in], dy [N, out] → [in, out], N cut into `chunks` equal row chunks whose products are summed in order. */
export function gemmTN(x: tf.Tensor2D, dy: tf.Tensor2D, chunks: number): tf.Tensor2D {
  return tf.engine().runKernel(GEMM_TN_KERNEL, { x, dy }, { chunks } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
