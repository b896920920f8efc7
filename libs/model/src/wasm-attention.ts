/**
 * The two batched matrix-vector products of a decode step's attention (scores K·q and the
 * probability-weighted sum of values), as a small hand-encoded WebAssembly SIMD module that works
 * in place on the wasm backend's memory.
 *
 * Why: with one query per row these products go to the stock wasm BatchMatMul's scalar loop
 * (XNNPACK only runs batch-1 products), which is bound by the latency of one float add per
 * multiply-add: ~40% of a decode step of the default preset's model. Here four independent sums
 * run side by side in the lanes of an f32x4, each lane adding its products in exactly the stock
 * loop's order — sequential sums over chunks of 48, each chunk added to an output that starts at
 * 0 — so every float is the same (tests compare bits with tf.matMul). Encoded by hand (wasm-encoder.ts).
 *
 * The kernels also read and write strided views, so the scores of every cache block land in one
 * [rows, Tk] tensor and the values read their block's probabilities straight from it: no concat
 * or slice per block.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  add, f32Add, f32Load, f32Mul, f32Store, f32Zero, f32x4Add, f32x4Mul, f32x4Splat, F32, get, I32, i32, inc, ltU, heapOffset, instantiateOnBackend, mul, set, shuffle, simd, uleb, V128, v128Load, v128Store, v128Zero, whileLoop, type WasmBackendHeap, type WasmFunction, type WasmKernelFn,
} from './wasm-encoder';

export const DECODE_SCORES_KERNEL = 'SieveDecodeScores';
export const DECODE_VALUES_KERNEL = 'SieveDecodeValues';

/** The stock loop kernel's chunk of the shared dimension (tfjs-backend-wasm BatchMatMul, kBlockSize). */
const CHUNK = 48;

/**
 * scores(k, q, out, n, t, hd, outStride): for row i < n and key j < t,
 * out[i·outStride + 4j] = 0 + Σ_d k[(i·t + j)·hd + d]·q[i·hd + d], summed over d in order
 * (hd ≤ 48, a multiple of 4: one chunk of the stock loop). Byte addresses. Four keys at a time:
 * their 4×4 tiles are transposed with shuffles so each lane holds one key's running sum.
 */
function scoresFn(): WasmFunction {
  const [K, Q, OUT, N, T, HD, OSTRIDE] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j, d, kp, qp, op, rowBytes, x] = [7, 8, 9, 10, 11, 12, 13, 14]; // i32 locals
  const [acc, r0, r1, r2, r3, t0, t1, t2, t3] = [15, 16, 17, 18, 19, 20, 21, 22, 23]; // v128
  const s = 24; // f32
  const row = (r: number): number[] => [...get(x), ...i32(r), ...get(rowBytes), ...mul, ...add, ...v128Load]; // key r's k[d..d+3]
  const qAt = (dd: number): number[] => [...get(qp), ...get(d), ...i32(4), ...mul, ...add, 0x2a, 2, ...uleb(4 * dd), ...f32x4Splat];
  const step = (r: number, dd: number): number[] => [...get(acc), ...get(r), ...qAt(dd), ...f32x4Mul, ...f32x4Add, ...set(acc)];
  const fourKeys = [
    ...v128Zero, ...set(acc),
    ...i32(0), ...set(d),
    ...whileLoop([...get(d), ...get(HD), ...ltU], [
      ...get(kp), ...get(d), ...i32(4), ...mul, ...add, ...set(x),
      // rows a, b, c, e (keys j..j+3) at columns d..d+3 → r_m = [a_m, b_m, c_m, e_m]
      ...row(0), ...row(1), ...shuffle([0, 4, 1, 5]), ...set(t0),
      ...row(0), ...row(1), ...shuffle([2, 6, 3, 7]), ...set(t1),
      ...row(2), ...row(3), ...shuffle([0, 4, 1, 5]), ...set(t2),
      ...row(2), ...row(3), ...shuffle([2, 6, 3, 7]), ...set(t3),
      ...get(t0), ...get(t2), ...shuffle([0, 1, 4, 5]), ...set(r0),
      ...get(t0), ...get(t2), ...shuffle([2, 3, 6, 7]), ...set(r1),
      ...get(t1), ...get(t3), ...shuffle([0, 1, 4, 5]), ...set(r2),
      ...get(t1), ...get(t3), ...shuffle([2, 3, 6, 7]), ...set(r3),
      ...step(r0, 0), ...step(r1, 1), ...step(r2, 2), ...step(r3, 3),
      ...inc(d, i32(4)),
    ]),
    ...get(op), ...get(j), ...i32(4), ...mul, ...add,
    ...v128Zero, ...get(acc), ...f32x4Add, ...v128Store,
    ...inc(kp, [...get(rowBytes), ...i32(4), ...mul]),
    ...inc(j, i32(4)),
  ];
  const oneKey = [
    ...f32Zero, ...set(s),
    ...i32(0), ...set(d),
    ...whileLoop([...get(d), ...get(HD), ...ltU], [
      ...get(s),
      ...get(kp), ...get(d), ...i32(4), ...mul, ...add, ...f32Load,
      ...get(qp), ...get(d), ...i32(4), ...mul, ...add, ...f32Load,
      ...f32Mul, ...f32Add, ...set(s),
      ...inc(d, i32(1)),
    ]),
    ...get(op), ...get(j), ...i32(4), ...mul, ...add,
    ...f32Zero, ...get(s), ...f32Add, ...f32Store,
    ...inc(kp, get(rowBytes)),
    ...inc(j, i32(1)),
  ];
  const code = [
    ...get(HD), ...i32(4), ...mul, ...set(rowBytes),
    ...i32(0), ...set(i),
    ...whileLoop([...get(i), ...get(N), ...ltU], [
      ...get(K), ...get(i), ...get(T), ...mul, ...get(rowBytes), ...mul, ...add, ...set(kp),
      ...get(Q), ...get(i), ...get(rowBytes), ...mul, ...add, ...set(qp),
      ...get(OUT), ...get(i), ...get(OSTRIDE), ...mul, ...add, ...set(op),
      ...i32(0), ...set(j),
      ...whileLoop([...get(j), ...i32(4), ...add, ...get(T), ...i32(1), ...add, ...ltU], fourKeys),
      ...whileLoop([...get(j), ...get(T), ...ltU], oneKey),
      ...inc(i, i32(1)),
    ]),
  ];
  return { name: 'scores', params: 7, locals: [[8, I32], [9, V128], [1, F32]], code };
}

/**
 * values(p, v, out, n, w, hd, pStride, accumulate): for row i < n and column c < hd (hd % 16 = 0),
 * o = Σ over chunks of 48 keys (0 + Σ_k p[i·pStride/4 + k]·v[(i·w + k)·hd + c]) in the stock
 * loop's order; out[i·hd + c] = o, or out + o when accumulate ≠ 0 (the next cache block). Byte
 * addresses. Sixteen columns (four independent f32x4 sums) at a time.
 */
function valuesFn(): WasmFunction {
  const [P, V, OUT, N, W, HD, PSTRIDE, ACC] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, c, k0, k, kEnd, pp, vp, op, x] = [8, 9, 10, 11, 12, 13, 14, 15, 16]; // i32 locals
  const o = [17, 18, 19, 20]; // v128
  const sum = [21, 22, 23, 24]; // v128
  const pv = 25; // v128
  const lanes = [0, 1, 2, 3];
  const outAt = (u: number): number[] => [...get(op), ...get(c), ...i32(4), ...mul, ...add, ...(u ? [...i32(16 * u), ...add] : [])];
  const code = [
    ...i32(0), ...set(i),
    ...whileLoop([...get(i), ...get(N), ...ltU], [
      ...get(P), ...get(i), ...get(PSTRIDE), ...mul, ...add, ...set(pp),
      ...get(V), ...get(i), ...get(W), ...mul, ...get(HD), ...mul, ...i32(4), ...mul, ...add, ...set(vp),
      ...get(OUT), ...get(i), ...get(HD), ...mul, ...i32(4), ...mul, ...add, ...set(op),
      ...i32(0), ...set(c),
      ...whileLoop([...get(c), ...get(HD), ...ltU], [
        ...lanes.flatMap((u) => [...v128Zero, ...set(o[u] as number)]),
        ...i32(0), ...set(k0),
        ...whileLoop([...get(k0), ...get(W), ...ltU], [
          // kEnd = min(k0 + 48, w)
          ...get(k0), ...i32(CHUNK), ...add, ...get(W), ...get(k0), ...i32(CHUNK), ...add, ...get(W), ...ltU, 0x1b, ...set(kEnd),
          ...lanes.flatMap((u) => [...v128Zero, ...set(sum[u] as number)]),
          ...get(k0), ...set(k),
          ...whileLoop([...get(k), ...get(kEnd), ...ltU], [
            ...get(pp), ...get(k), ...i32(4), ...mul, ...add, ...f32Load, ...f32x4Splat, ...set(pv),
            ...get(vp), ...get(k), ...get(HD), ...mul, ...get(c), ...add, ...i32(4), ...mul, ...add, ...set(x),
            ...lanes.flatMap((u) => [...get(sum[u] as number), ...get(pv), ...get(x), ...simd(0x00, 0, 16 * u), ...f32x4Mul, ...f32x4Add, ...set(sum[u] as number)]),
            ...inc(k, i32(1)),
          ]),
          ...lanes.flatMap((u) => [...get(o[u] as number), ...get(sum[u] as number), ...f32x4Add, ...set(o[u] as number)]),
          ...get(kEnd), ...set(k0),
        ]),
        ...lanes.flatMap((u) => [
          ...outAt(u),
          ...get(ACC), 0x04, V128, // if accumulate: old + o, else o
          ...outAt(u), ...v128Load, ...get(o[u] as number), ...f32x4Add,
          0x05, ...get(o[u] as number), 0x0b,
          ...v128Store,
        ]),
        ...inc(c, i32(16)),
      ]),
      ...inc(i, i32(1)),
    ]),
  ];
  return { name: 'values', params: 8, locals: [[9, I32], [9, V128]], code };
}

// ---- the tfjs kernels --------------------------------------------------------------------------

type WasmBackend = WasmBackendHeap;
let fns: { scores: WasmKernelFn; values: WasmKernelFn } | null = null;

/** Compiles the module against the wasm backend's memory and registers the two kernels; false when unavailable. */
export function registerDecodeAttentionKernels(backend: unknown): boolean {
  if (fns) return true;
  const exports = instantiateOnBackend(backend, [scoresFn(), valuesFn()]);
  if (!exports) return false; // not the wasm backend, or no wasm SIMD: the stock kernels stay in use
  fns = { scores: exports['scores'] as WasmKernelFn, values: exports['values'] as WasmKernelFn };
  const offset = (be: WasmBackend, t: tf.TensorInfo): number => heapOffset(be, t, 'decode attention');
  const sizeOf = (t: tf.TensorInfo): number => t.shape.reduce((x, y) => x * y, 1);
  const blocksOf = (inputs: tf.NamedTensorInfoMap, prefix: string): tf.TensorInfo[] =>
    Object.keys(inputs)
      .filter((n) => n.startsWith(prefix))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
      .map((n) => inputs[n] as tf.TensorInfo);
  tf.registerKernel({
    kernelName: DECODE_SCORES_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b }) => {
      const be = b as unknown as WasmBackend;
      const q = inputs['q'] as tf.TensorInfo; // [R, hd]
      const [rows, hd] = q.shape as [number, number];
      const blocks = blocksOf(inputs, 'k'); // each [R, Tb, hd] as memory
      const widths = blocks.map((k) => sizeOf(k) / (rows * hd));
      const tk = widths.reduce((x, y) => x + y, 0);
      const out = be.makeOutput([rows, tk], 'float32'); // [R, Tk]
      let start = 0;
      blocks.forEach((k, i) => {
        const w = widths[i] as number;
        (fns as { scores: WasmKernelFn }).scores(offset(be, k), offset(be, q), offset(be, out) + start * 4, rows, w, hd, tk * 4);
        start += w;
      });
      return out;
    },
  });
  tf.registerKernel({
    kernelName: DECODE_VALUES_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b }) => {
      const be = b as unknown as WasmBackend;
      const p = inputs['p'] as tf.TensorInfo; // [R, Tk]
      const [rows, tk] = p.shape as [number, number];
      const blocks = blocksOf(inputs, 'v'); // each [R, Tb, hd] as memory
      const first = blocks[0] as tf.TensorInfo;
      const hd = first.shape[first.shape.length - 1] as number;
      const out = be.makeOutput([rows, hd], 'float32'); // [R, hd]
      let start = 0;
      blocks.forEach((v, i) => {
        const w = sizeOf(v) / (rows * hd);
        (fns as { values: WasmKernelFn }).values(offset(be, p) + start * 4, offset(be, v), offset(be, out), rows, w, hd, tk * 4, i > 0 ? 1 : 0);
        start += w;
      });
      return out;
    },
  });
  return true;
}

/**
 * Whether `decodeScores`/`decodeValues` give exactly the floats of the stock path for these
 * sizes: rows > 1 (a single row goes to XNNPACK in the stock kernel), hd ≤ 48 and a multiple of 16,
 * and blocks narrow enough that `bmm` keeps the loop kernel (2·w·hd < 65,536 FLOPs).
 */
export function decodeAttentionApplies(rows: number, hd: number, widths: readonly number[]): boolean {
  return fns !== null && tf.getBackend() === 'wasm' && rows > 1 && hd <= CHUNK && hd % 16 === 0 && widths.every((w) => 2 * w * hd < 65_536);
}

/** q [R, hd] against key blocks (each [.., Tb, hd] holding R·Tb·hd floats, row-major by R) → scores [R, Tk]. */
export function decodeScores(q: tf.Tensor2D, blocks: readonly tf.Tensor[]): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = { q };
  blocks.forEach((k, i) => (inputs[`k${i}`] = k));
  return tf.engine().runKernel(DECODE_SCORES_KERNEL, inputs) as tf.Tensor2D;
}

/** probabilities p [R, Tk] against value blocks (each R·Tb·hd floats, row-major by R) → [R, hd]: Σ_b p_b·V_b, blocks summed in order. */
export function decodeValues(p: tf.Tensor2D, blocks: readonly tf.Tensor4D[]): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = { p };
  blocks.forEach((v, i) => (inputs[`v${i}`] = v));
  return tf.engine().runKernel(DECODE_VALUES_KERNEL, inputs) as tf.Tensor2D;
}
