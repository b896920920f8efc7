/**
 * RMSNorm and the SwiGLU gate, forward and backward, and softmax's gradient, as single-pass wasm SIMD kernels
 * (wasm-encoder.ts) with the floats of the composed tfjs ops in ops.ts.
 *
 * Why: composed, RMSNorm is 6 kernels forward and 9 backward, the SwiGLU gate 3 and 6, each a
 * pass over the activations with an output to allocate: ~13% of a training step of the default
 * preset's model. One pass each here (the sigmoid stays tfjs's kernel: its bits come from
 * XNNPACK's polynomial).
 *
 * The same floats, per row of D values (tfjs-backend-wasm 4.22 kernels):
 * - RMSNorm: Mean sums x·x in order from 0 and divides by D; Rsqrt is 1 / sqrt(v) in float32;
 *   x̂ = x·r, out = x̂·g. Backward: d = dy·g; proj = (Σ d·x̂ in order) / D;
 *   dx = r·(d − x̂·proj); dg = Σ over rows in row order of dy·x̂ (the ones-vector GEMM of colSum).
 * - SwiGLU: gs = g·s, out = gs·u. Backward: dsilu = s + gs·(1 − s); dg = (dy·u)·dsilu; du = dy·gs.
 * - Softmax backward (gradients.ts, last axis): s = Σ dy·y in order from 0 (the stock Sum), then
 *   dy·y − s·y.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  add, and, f32Add, f32ConvertI32U, f32Div, f32FromBits, f32Load, f32Mul, f32One, f32Sqrt, f32Store, f32Sub, f32Zero, F32, f32x4Add, f32x4Mul, f32x4Splat, f32x4Sub, get, I32, i32, inc, ltU, instantiateOnBackend, registerHeapKernel, mul, set, V128, v128Load, v128Store, v128Zero, whileLoop, type WasmFunction, type WasmKernelFn,
} from './wasm-encoder';

export const RMS_NORM_KERNEL = 'SieveRmsNorm';
export const RMS_NORM_GRAD_KERNEL = 'SieveRmsNormGrad';
export const SWIGLU_KERNEL = 'SieveSwiglu';
export const SWIGLU_GRAD_KERNEL = 'SieveSwigluGrad';
export const SOFTMAX_GRAD_KERNEL = 'SieveSoftmaxGrad';

const v = (p: number, off: number[]): number[] => [...get(p), ...off, ...add];

/**
 * sum = 0 + term(d = 0) + term(d = 4) + … over one row of rowBytes bytes, one float at a time in
 * order (the stock Sum and Mean kernels' order); `term` leaves the f32 for byte offset d.
 */
const orderedRowSum = (sum: number, d: number, rowBytes: number, term: number[]): number[] => [
  ...f32Zero, ...set(sum),
  ...i32(0), ...set(d),
  ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [...get(sum), ...term, ...f32Add, ...set(sum), ...inc(d, i32(4))]),
];

/** rms_fwd(x, g, out, xhat, r, N, D, epsBits): x, out, xhat [N, D]; g [D]; r [N]; D % 4 = 0. */
function rmsForward(): WasmFunction {
  const [X, G, OUT, XHAT, R, N, D, EPS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [n, d, row, rowBytes] = [8, 9, 10, 11]; // i32
  const [sum, rr] = [12, 13]; // f32
  const [rv, xh] = [14, 15]; // v128
  const at = (p: number): number[] => v(p, [...get(row), ...add, ...get(d)]);
  const code = [
    ...get(D), ...i32(4), ...mul, ...set(rowBytes),
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...get(N), ...ltU], [
      ...get(n), ...get(rowBytes), ...mul, ...set(row),
      ...orderedRowSum(sum, d, rowBytes, [...at(X), ...f32Load, ...at(X), ...f32Load, ...f32Mul]), // Σ x·x
      // r = 1 / sqrt(sum / D + eps)
      ...f32One, ...get(sum), ...get(D), ...f32ConvertI32U, ...f32Div, ...get(EPS), ...f32FromBits, ...f32Add, ...f32Sqrt, ...f32Div, ...set(rr),
      ...get(R), ...get(n), ...i32(4), ...mul, ...add, ...get(rr), ...f32Store,
      ...get(rr), ...f32x4Splat, ...set(rv),
      ...i32(0), ...set(d),
      ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [
        ...at(X), ...v128Load, ...get(rv), ...f32x4Mul, ...set(xh),
        ...at(XHAT), ...get(xh), ...v128Store,
        ...at(OUT), ...get(xh), ...v(G, get(d)), ...v128Load, ...f32x4Mul, ...v128Store,
        ...inc(d, i32(16)),
      ]),
      ...inc(n, i32(1)),
    ]),
  ];
  return { name: 'rms_fwd', params: 8, locals: [[4, I32], [2, F32], [2, V128]], code };
}

/** rms_bwd(dy, xhat, r, g, dx, dg, N, D): dy, xhat, dx [N, D]; r [N]; g, dg [D]; D % 4 = 0. */
function rmsBackward(): WasmFunction {
  const [DY, XHAT, R, G, DX, DG, N, D] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [n, d, row, rowBytes] = [8, 9, 10, 11]; // i32
  const [sum] = [12]; // f32
  const [proj, rv, dxh] = [13, 14, 15]; // v128
  const at = (p: number): number[] => v(p, [...get(row), ...add, ...get(d)]);
  const code = [
    ...get(D), ...i32(4), ...mul, ...set(rowBytes),
    ...i32(0), ...set(d),
    ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [...v(DG, get(d)), ...v128Zero, ...v128Store, ...inc(d, i32(16))]),
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...get(N), ...ltU], [
      ...get(n), ...get(rowBytes), ...mul, ...set(row),
      ...orderedRowSum(sum, d, rowBytes, [...at(DY), ...f32Load, ...v(G, get(d)), ...f32Load, ...f32Mul, ...at(XHAT), ...f32Load, ...f32Mul]), // Σ (dy·g)·x̂
      ...get(sum), ...get(D), ...f32ConvertI32U, ...f32Div, ...f32x4Splat, ...set(proj),
      ...get(R), ...get(n), ...i32(4), ...mul, ...add, ...f32Load, ...f32x4Splat, ...set(rv),
      ...i32(0), ...set(d),
      ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [
        ...at(DY), ...v128Load, ...v(G, get(d)), ...v128Load, ...f32x4Mul, ...set(dxh),
        ...at(DX), ...get(rv), ...get(dxh), ...at(XHAT), ...v128Load, ...get(proj), ...f32x4Mul, ...f32x4Sub, ...f32x4Mul, ...v128Store,
        ...v(DG, get(d)), ...v(DG, get(d)), ...v128Load, ...at(DY), ...v128Load, ...at(XHAT), ...v128Load, ...f32x4Mul, ...f32x4Add, ...v128Store,
        ...inc(d, i32(16)),
      ]),
      ...inc(n, i32(1)),
    ]),
  ];
  return { name: 'rms_bwd', params: 8, locals: [[4, I32], [1, F32], [3, V128]], code };
}

/** softmax_bwd(dy, y, out, R, D): per row s = Σ dy·y in order from 0, out = dy·y − s·y (any D). */
function softmaxBackward(): WasmFunction {
  const [DY, Y, OUT, R, D] = [0, 1, 2, 3, 4];
  const [n, d, row, rowBytes, vecBytes] = [5, 6, 7, 8, 9]; // i32
  const [sum] = [10]; // f32
  const [sv] = [11]; // v128
  const at = (p: number): number[] => v(p, [...get(row), ...add, ...get(d)]);
  const dyy = (load: number[], mulOp: number[]): number[] => [...at(DY), ...load, ...at(Y), ...load, ...mulOp];
  const code = [
    ...get(D), ...i32(4), ...mul, ...set(rowBytes),
    ...get(D), ...i32(-4), ...and, ...i32(4), ...mul, ...set(vecBytes), // whole f32x4 of a row, in bytes
    ...i32(0), ...set(n),
    ...whileLoop([...get(n), ...get(R), ...ltU], [
      ...get(n), ...get(rowBytes), ...mul, ...set(row),
      ...orderedRowSum(sum, d, rowBytes, dyy(f32Load, f32Mul)), // Σ dy·y
      ...get(sum), ...f32x4Splat, ...set(sv),
      ...i32(0), ...set(d),
      ...whileLoop([...get(d), ...get(vecBytes), ...ltU], [
        ...at(OUT), ...dyy(v128Load, f32x4Mul), ...get(sv), ...at(Y), ...v128Load, ...f32x4Mul, ...f32x4Sub, ...v128Store,
        ...inc(d, i32(16)),
      ]),
      ...whileLoop([...get(d), ...get(rowBytes), ...ltU], [
        ...at(OUT), ...dyy(f32Load, f32Mul), ...get(sum), ...at(Y), ...f32Load, ...f32Mul, ...f32Sub, ...f32Store,
        ...inc(d, i32(4)),
      ]),
      ...inc(n, i32(1)),
    ]),
  ];
  return { name: 'softmax_bwd', params: 5, locals: [[5, I32], [1, F32], [1, V128]], code };
}

/** An elementwise pass over `size` floats (size % 4 = 0): `body(at)` stores its outputs, `at(p)` the address of the current 4 floats of pointer param p. */
function pointwise(name: string, params: number, body: (at: (p: number) => number[]) => number[], vLocals: number): WasmFunction {
  const SIZE = params - 1;
  const i = params; // i32 local: byte offset
  const code = [
    ...get(SIZE), ...i32(4), ...mul, ...set(SIZE),
    ...i32(0), ...set(i),
    ...whileLoop([...get(i), ...get(SIZE), ...ltU], [...body((p) => v(p, get(i))), ...inc(i, i32(16))]),
  ];
  return { name, params, locals: [[1, I32], [vLocals, V128]], code };
}

/** swiglu_fwd(g, s, u, gs, out, size): gs = g·s, out = gs·u. */
const swigluForward = (): WasmFunction =>
  pointwise('swiglu_fwd', 6, (at) => {
    const t = 7;
    return [...at(0), ...v128Load, ...at(1), ...v128Load, ...f32x4Mul, ...set(t), ...at(3), ...get(t), ...v128Store, ...at(4), ...get(t), ...at(2), ...v128Load, ...f32x4Mul, ...v128Store];
  }, 1);

/** swiglu_bwd(dy, u, s, gs, dg, du, size): dsilu = s + gs·(1 − s); dg = (dy·u)·dsilu; du = dy·gs. */
const swigluBackward = (): WasmFunction =>
  pointwise('swiglu_bwd', 7, (at) => {
    const [sv, dy] = [8, 9];
    const one = [...f32One, ...f32x4Splat];
    return [
      ...at(2), ...v128Load, ...set(sv),
      ...at(0), ...v128Load, ...set(dy),
      ...at(4), ...get(dy), ...at(1), ...v128Load, ...f32x4Mul, // dy·u
      ...get(sv), ...at(3), ...v128Load, ...one, ...get(sv), ...f32x4Sub, ...f32x4Mul, ...f32x4Add, // s + gs·(1 − s)
      ...f32x4Mul, ...v128Store,
      ...at(5), ...get(dy), ...at(3), ...v128Load, ...f32x4Mul, ...v128Store,
    ];
  }, 2);

type Fn = WasmKernelFn;
let fns: { rmsForward: Fn; rmsBackward: Fn; swigluForward: Fn; swigluBackward: Fn; softmaxBackward: Fn } | null = null;

/** Compiles the module against the wasm backend's memory and registers the five kernels; false when unavailable. */
export function registerPointwiseKernels(backend: unknown): boolean {
  if (fns) return true;
  const exports = instantiateOnBackend(backend, [rmsForward(), rmsBackward(), swigluForward(), swigluBackward(), softmaxBackward()]);
  if (!exports) return false; // not the wasm backend, or no wasm SIMD: ops.ts keeps the composed path
  const fn = (name: string): Fn => exports[name] as Fn;
  fns = { rmsForward: fn('rms_fwd'), rmsBackward: fn('rms_bwd'), swigluForward: fn('swiglu_fwd'), swigluBackward: fn('swiglu_bwd'), softmaxBackward: fn('softmax_bwd') };
  const f = fns;
  const kernel = registerHeapKernel;
  kernel(RMS_NORM_KERNEL, (be, { x, g }, at, attrs) => {
    const [n, d] = (x as tf.TensorInfo).shape as [number, number];
    const [out, xhat, r] = [be.makeOutput([n, d], 'float32'), be.makeOutput([n, d], 'float32'), be.makeOutput([n, 1], 'float32')];
    const eps = new Int32Array(Float32Array.of(attrs['eps'] as number).buffer)[0] as number;
    f.rmsForward(at(x as tf.TensorInfo), at(g as tf.TensorInfo), at(out), at(xhat), at(r), n, d, eps);
    return [out, xhat, r];
  });
  kernel(RMS_NORM_GRAD_KERNEL, (be, { dy, xhat, r, g }, at) => {
    const [n, d] = (dy as tf.TensorInfo).shape as [number, number];
    const [dx, dg] = [be.makeOutput([n, d], 'float32'), be.makeOutput([d], 'float32')];
    f.rmsBackward(at(dy as tf.TensorInfo), at(xhat as tf.TensorInfo), at(r as tf.TensorInfo), at(g as tf.TensorInfo), at(dx), at(dg), n, d);
    return [dx, dg];
  });
  kernel(SWIGLU_KERNEL, (be, { g, s, u }, at) => {
    const shape = (g as tf.TensorInfo).shape;
    const [gs, out] = [be.makeOutput(shape, 'float32'), be.makeOutput(shape, 'float32')];
    f.swigluForward(at(g as tf.TensorInfo), at(s as tf.TensorInfo), at(u as tf.TensorInfo), at(gs), at(out), tf.util.sizeFromShape(shape));
    return [gs, out];
  });
  kernel(SWIGLU_GRAD_KERNEL, (be, { dy, u, s, gs }, at) => {
    const shape = (dy as tf.TensorInfo).shape;
    const [dg, du] = [be.makeOutput(shape, 'float32'), be.makeOutput(shape, 'float32')];
    f.swigluBackward(at(dy as tf.TensorInfo), at(u as tf.TensorInfo), at(s as tf.TensorInfo), at(gs as tf.TensorInfo), at(dg), at(du), tf.util.sizeFromShape(shape));
    return [dg, du];
  });
  kernel(SOFTMAX_GRAD_KERNEL, (be, { dy, y }, at) => {
    const shape = (y as tf.TensorInfo).shape;
    const d = shape[shape.length - 1] as number;
    const out = be.makeOutput(shape, 'float32');
    f.softmaxBackward(at(dy as tf.TensorInfo), at(y as tf.TensorInfo), at(out), tf.util.sizeFromShape(shape) / d, d);
    return out;
  });
  return true;
}

/** Whether the kernels run here: wasm backend and a last axis (RMSNorm) or size (SwiGLU) that is a multiple of 4. */
export function pointwiseApplies(multipleOf4: number): boolean {
  return fns !== null && tf.getBackend() === 'wasm' && multipleOf4 % 4 === 0;
}

/** x [N, D], g [D] → [out, x̂] [N, D] and r [N, 1] (see the file comment). */
export function rmsNormKernel(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  return tf.engine().runKernel(RMS_NORM_KERNEL, { x, g }, { eps } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
}

/** → [dx [N, D], dg [D]]. */
export function rmsNormGradKernel(dy: tf.Tensor2D, xhat: tf.Tensor2D, r: tf.Tensor2D, g: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D] {
  return tf.engine().runKernel(RMS_NORM_GRAD_KERNEL, { dy, xhat, r, g }) as unknown as [tf.Tensor2D, tf.Tensor1D];
}

/** g, s = sigmoid(g), u [N, M] → [gs, out]. */
export function swigluKernel(g: tf.Tensor2D, s: tf.Tensor2D, u: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return tf.engine().runKernel(SWIGLU_KERNEL, { g, s, u }) as unknown as [tf.Tensor2D, tf.Tensor2D];
}

/** → [dg, du]. */
export function swigluGradKernel(dy: tf.Tensor2D, u: tf.Tensor2D, s: tf.Tensor2D, gs: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return tf.engine().runKernel(SWIGLU_GRAD_KERNEL, { dy, u, s, gs }) as unknown as [tf.Tensor2D, tf.Tensor2D];
}

/**
 * The gradient of softmax over the last axis from its output y and dy (same shape): dy·y − (Σ dy·y)·y
 * with the stock ops' floats; null when the kernel is unavailable here.
 */
export function softmaxGradKernel(dy: tf.Tensor, y: tf.Tensor): tf.Tensor | null {
  if (fns === null || tf.getBackend() !== 'wasm' || dy.dtype !== 'float32' || y.dtype !== 'float32' || y.size === 0) return null;
  return tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy, y }) as tf.Tensor;
}
