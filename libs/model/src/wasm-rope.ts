/**
 * RoPE (rotate-half) and its gradient as single-pass wasm SIMD kernels (wasm-encoder.ts), with
 * the floats of the composed path in rope.ts + ops.ts for finite inputs.
 *
 * Why: the composed path is five kernels per call (two products, the rotateHalf GEMM, a product
 * and a sum), each a pass over [N, H, hd], and its gradient as many again: ~9% of a training
 * step of the default preset's model. Here it is one pass each way.
 *
 * The floats, per element j of a head vector (half = hd/2; k = j + half and sign −1 for j < half,
 * k = j − half and sign +1 otherwise):
 * - forward: x_j·cos_j + (0 + sign·x_k)·sin_j — the rotateHalf GEMM sums its one non-zero
 *   product onto a zero (so a zero comes out +0), then the two products are added;
 * - backward: dy_j·cos_j + (−(0 + sign·(dy_k·sin_k))) — the gradient of the sum passes dy to both
 *   products, rotateHalf's gradient is −(dy·R), and the two contributions to dx are added
 *   (addition commutes, so their order does not matter).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  add, f32x4Add, f32x4Mul, f32x4Neg, get, I32, i32, inc, ltU, instantiateOnBackend, mul, registerHeapKernel, set, sub, V128, v128Load, v128Store, v128Zero, whileLoop, type WasmFunction, type WasmKernelFn,
} from './wasm-encoder';

export const ROPE_KERNEL = 'SieveRope';
export const ROPE_GRAD_KERNEL = 'SieveRopeGrad';


/**
 * `rope_fwd|rope_bwd(x, cos, sin, out, N, H, hd)`: x, out [N, H, hd]; cos, sin [N, hd]; byte
 * addresses; hd a multiple of 8 (each half a whole number of f32x4).
 */
function ropeFn(backward: boolean): WasmFunction {
  const [X, COS, SIN, OUT, N, H, HD] = [0, 1, 2, 3, 4, 5, 6];
  const [n, h, d, xp, op, cp, sp, halfBytes, rowBytes] = [7, 8, 9, 10, 11, 12, 13, 14, 15]; // i32
  const [v, t1] = [16, 17]; // v128
  const at = (p: number): number[] => [...get(p), ...get(d), ...add];
  const load = (p: number, shift: number[]): number[] => [...at(p), ...shift, ...v128Load];
  const plusHalf = [...get(halfBytes), ...add];
  const minusHalf = [...get(halfBytes), ...sub];
  // sign·(source) for the element block at d: from d + half negated in the first half, from d − half in the second.
  const partner = (src: (shift: number[]) => number[]): number[] => [
    ...get(d), ...get(halfBytes), ...ltU, 0x04, V128,
    ...src(plusHalf), ...f32x4Neg,
    0x05,
    ...src(minusHalf),
    0x0b,
  ];
  // forward source: x; backward source: dy·sin at the partner position
  const source = backward
    ? (shift: number[]): number[] => [...load(xp, shift), ...load(sp, shift), ...f32x4Mul]
    : (shift: number[]): number[] => load(xp, shift);
  const element = [
    ...load(xp, []), ...load(cp, []), ...f32x4Mul, ...set(t1), // x·cos (dy·cos)
    ...v128Zero, ...partner(source), ...f32x4Add, ...set(v), // 0 + sign·source
    ...(backward ? [...get(v), ...f32x4Neg, ...set(v)] : [...get(v), ...load(sp, []), ...f32x4Mul, ...set(v)]),
    ...at(op), ...get(t1), ...get(v), ...f32x4Add, ...v128Store,
  ];
  const code = [
    ...get(HD), ...i32(2), ...mul, ...set(halfBytes), // hd/2 floats = hd·2 bytes
    ...get(HD), ...i32(4), ...mul, ...set(rowBytes),
    ...get(X), ...set(xp), ...get(OUT), ...set(op),
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...get(N), ...ltU], [
      ...get(COS), ...get(n), ...get(rowBytes), ...mul, ...add, ...set(cp),
      ...get(SIN), ...get(n), ...get(rowBytes), ...mul, ...add, ...set(sp),
      ...i32(0), ...set(h),
      ...whileLoop([...get(h), ...get(H), ...ltU], [
        ...i32(0), ...set(d),
        ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [...element, ...inc(d, i32(16))]),
        ...inc(xp, get(rowBytes)), ...inc(op, get(rowBytes)),
        ...inc(h, i32(1)),
      ]),
      ...inc(n, i32(1)),
    ]),
  ];
  return { name: backward ? 'rope_bwd' : 'rope_fwd', params: 7, locals: [[9, I32], [2, V128]], code };
}

let fns: { fwd: WasmKernelFn; bwd: WasmKernelFn } | null = null;

/** Compiles the module against the wasm backend's memory and registers both kernels; false when unavailable. */
export function registerRopeKernels(backend: unknown): boolean {
  if (fns) return true;
  const exports = instantiateOnBackend(backend, [ropeFn(false), ropeFn(true)]);
  if (!exports) return false; // not the wasm backend, or no wasm SIMD: rope.ts keeps the composed path
  fns = { fwd: exports['rope_fwd'] as WasmKernelFn, bwd: exports['rope_bwd'] as WasmKernelFn };
  for (const [kernelName, fn] of [[ROPE_KERNEL, fns.fwd], [ROPE_GRAD_KERNEL, fns.bwd]] as const) {
    registerHeapKernel(kernelName, (be, inputs, at) => {
      const x = inputs['x'] as tf.TensorInfo; // [N, H, hd]
      const [n, h, hd] = x.shape as [number, number, number];
      const out = be.makeOutput([n, h, hd], 'float32');
      fn(at(x), at(inputs['cos'] as tf.TensorInfo), at(inputs['sin'] as tf.TensorInfo), at(out), n, h, hd);
      return out;
    });
  }
  return true;
}

/** Whether the kernels run here for head size hd (wasm backend, hd a multiple of 8). */
export function ropeKernelApplies(hd: number): boolean {
  return fns !== null && tf.getBackend() === 'wasm' && hd % 8 === 0 && hd > 0;
}

/** x [N, H, hd] rotated with tables cos, sin [N, 1, hd]; `grad` runs the gradient kernel (x is then dy). */
export function ropeKernel(x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D, grad: boolean): tf.Tensor3D {
  return tf.engine().runKernel(grad ? ROPE_GRAD_KERNEL : ROPE_KERNEL, { x, cos, sin }) as tf.Tensor3D;
}
