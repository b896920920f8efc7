/**
 * One AdamW update of a parameter as a single-pass wasm SIMD kernel, with the floats of the composed
 * tfjs ops of libs/train's AdamW.step (each op one IEEE float32 operation, lane by lane):
 *   m' = m·β1 + g·(1 − β1)
 *   v' = v·β2 + (g·g)·(1 − β2)
 *   p' = p·decay − (m'·(lr / bc1)) / (√v' / √bc2 + ε)
 * (decay = 1 without weight decay: x·1 = x exactly, so one code path serves both).
 *
 * Why: composed, the update is 12 kernels per parameter, each a pass over it with an output to
 * allocate (~45 ms a step for the 3.2M parameters of `sieve bench train`, while the training
 * workers wait); here one pass reads p, g, m, v once and writes p', m', v'.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  add, and, f32Add, f32Div, f32FromBits, f32Load, f32Mul, f32Sqrt, f32Store, f32Sub, f32x4Add, f32x4Div, f32x4Mul, f32x4Splat, f32x4Sqrt, f32x4Sub, get, I32, i32, inc, instantiateOnBackend, ltU, mul, registerHeapKernel, set, F32, V128, v128Load, v128Store, whileLoop, type WasmFunction, type WasmKernelFn,
} from './wasm-encoder';

export const ADAMW_KERNEL = 'SieveAdamW';

/** The update's scalars, each used as the float32 tfjs would make of it (see adamwKernel). */
export interface AdamWScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** √(1 − β2^t) */
  sqrtBc2: number;
  /** 1 − lr·λ, or 1 without weight decay */
  decay: number;
}

/** adamw(p, g, m, v, pOut, mOut, vOut, n, β1, 1 − β1, β2, 1 − β2, √bc2, ε, stepSize, decay): the scalars as f32 bits. */
function adamwFn(): WasmFunction {
  const [P, G, M, V, PO, MO, VO, N] = [0, 1, 2, 3, 4, 5, 6, 7];
  const scalars = [8, 9, 10, 11, 12, 13, 14, 15]; // β1, 1 − β1, β2, 1 − β2, √bc2, ε, stepSize, decay (f32 bits)
  const [B1, OB1, B2, OB2, SBC2, EPS, STEP, DECAY] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [off, end4, end] = [16, 17, 18]; // i32
  const splats = [19, 20, 21, 22, 23, 24, 25, 26]; // v128: the scalars splatted
  const [m1, v1] = [27, 28]; // v128
  const [m1s, v1s] = [29, 30]; // f32
  /** one element (f32) or four (f32x4) at byte offset `off` */
  const step = (vec: boolean): number[] => {
    const [load, store, mul, addOp, sub, div, sqrt] = vec
      ? [v128Load, v128Store, f32x4Mul, f32x4Add, f32x4Sub, f32x4Div, f32x4Sqrt]
      : [f32Load, f32Store, f32Mul, f32Add, f32Sub, f32Div, f32Sqrt];
    const c = (k: number): number[] => (vec ? get(splats[k] as number) : [...get(scalars[k] as number), ...f32FromBits]);
    const at = (p: number): number[] => [...get(p), ...get(off), ...add];
    const [lm, lv] = vec ? [m1, v1] : [m1s, v1s];
    return [
      ...at(M), ...load, ...c(B1), ...mul, ...at(G), ...load, ...c(OB1), ...mul, ...addOp, ...set(lm),
      ...at(V), ...load, ...c(B2), ...mul, ...at(G), ...load, ...at(G), ...load, ...mul, ...c(OB2), ...mul, ...addOp, ...set(lv),
      ...at(MO), ...get(lm), ...store,
      ...at(VO), ...get(lv), ...store,
      ...at(PO),
      ...at(P), ...load, ...c(DECAY), ...mul,
      ...get(lm), ...c(STEP), ...mul, ...get(lv), ...sqrt, ...c(SBC2), ...div, ...c(EPS), ...addOp, ...div,
      ...sub, ...store,
    ];
  };
  const code = [
    ...scalars.flatMap((s, k) => [...get(s), ...f32FromBits, ...f32x4Splat, ...set(splats[k] as number)]),
    ...get(N), ...i32(4), ...mul, ...set(end),
    ...get(N), ...i32(-4), ...and, ...i32(4), ...mul, ...set(end4),
    ...i32(0), ...set(off),
    ...whileLoop([...get(off), ...get(end4), ...ltU], [...step(true), ...inc(off, i32(16))]),
    ...whileLoop([...get(off), ...get(end), ...ltU], [...step(false), ...inc(off, i32(4))]),
  ];
  return { name: 'adamw', params: 16, locals: [[3, I32], [10, V128], [2, F32]], code };
}

let adamw: WasmKernelFn | null = null;

const bits = (x: number): number => new Int32Array(Float32Array.of(x).buffer)[0] as number;

/** Compiles the kernel against the wasm backend's memory and registers `SieveAdamW`; false when unavailable. */
export function registerAdamWKernel(backend: unknown): boolean {
  if (adamw) return true;
  const fns = instantiateOnBackend(backend, [adamwFn()]);
  if (!fns) return false;
  adamw = fns['adamw'] as WasmKernelFn;
  registerHeapKernel(ADAMW_KERNEL, (be, inputs, at, attrs) => {
    const [p, g, m, v] = (['p', 'g', 'm', 'v'] as const).map((k) => inputs[k] as tf.TensorInfo) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    const outs = [be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32')];
    const s = attrs as unknown as AdamWScalars;
    (adamw as WasmKernelFn)(
      at(p), at(g), at(m), at(v), ...outs.map(at), tf.util.sizeFromShape(p.shape),
      bits(s.beta1), bits(1 - s.beta1), bits(s.beta2), bits(1 - s.beta2), bits(s.sqrtBc2), bits(s.eps), bits(s.stepSize), bits(s.decay),
    );
    return outs;
  });
  return true;
}

/**
 * p, g, m, v (one shape, float32) → [p', m', v'] of one AdamW update in one pass (see the file
 * comment); each scalar is rounded to float32 as tfjs rounds a number it multiplies a tensor by.
 * Null when the kernel is unavailable here (not the wasm backend): the caller composes the ops.
 */
export function adamwKernel(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamWScalars): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (adamw === null || tf.getBackend() !== 'wasm' || [p, g, m, v].some((t) => t.dtype !== 'float32')) return null;
  return tf.engine().runKernel(ADAMW_KERNEL, { p, g, m, v }, { ...s } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
