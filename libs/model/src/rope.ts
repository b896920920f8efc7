/**
 * Rotary position embeddings, rotate-half convention (GPT-NeoX / LLaMA / Qwen2):
 * for a head vector x = [x1, x2] (halves) at position p and frequency θ_i = theta^(−2i/hd),
 *   out1 = x1·cos(p·θ_i) − x2·sin(p·θ_i),   out2 = x2·cos(p·θ_i) + x1·sin(p·θ_i).
 * Written as out = x·cosFull + rotateHalf(x)·sinFull with rotateHalf(x) = [−x2, x1] and
 * cosFull = [cos, cos], sinFull = [sin, sin].
 */
import * as tf from '@tensorflow/tfjs-core';
import { fastGradsEnabled, rotateHalf } from './ops';
import { ropeKernel, ropeKernelApplies } from './wasm-rope';

export interface RopeTables {
  /** [N, 1, hd] cos of position·frequency, both halves. */
  cos: tf.Tensor3D;
  /** [N, 1, hd] sin of position·frequency, both halves. */
  sin: tf.Tensor3D;
}

/** Inverse frequencies for both halves, [hd]: θ_i repeated. */
function inverseFrequencies(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(headDim);
  for (let i = 0; i < half; i++) {
    const f = Math.pow(theta, (-2 * i) / headDim);
    out[i] = f;
    out[i + half] = f;
  }
  return out;
}

/** The rotation angles position × frequency: [N] int32 positions → [N, hd] float32 (call inside a tidy). */
function ropeAngles(positions: tf.Tensor1D, headDim: number, theta: number): tf.Tensor2D {
  return tf.mul(tf.reshape(tf.cast(positions, 'float32'), [-1, 1]), tf.tensor2d(inverseFrequencies(headDim, theta), [1, headDim]));
}

/** Tables for flat positions [N] (int32); `scale` multiplies both (used to fold 1/√hd into q). */
export function ropeTables(positions: tf.Tensor1D, headDim: number, theta: number, scale = 1): RopeTables {
  return tf.tidy(() => {
    const angle = ropeAngles(positions, headDim, theta); // [N, hd]
    const n = positions.shape[0];
    return {
      cos: tf.reshape(tf.mul(tf.cos(angle), scale), [n, 1, headDim]) as tf.Tensor3D,
      sin: tf.reshape(tf.mul(tf.sin(angle), scale), [n, 1, headDim]) as tf.Tensor3D,
    };
  });
}

/**
 * The tables of q (scaled by `qScale`, e.g. 1/√hd) and k (unscaled) for the same positions [N]:
 * `ropeTables` twice, with the angles, cos and sin computed once (× 1 is exact, so k's tables
 * are the very values `ropeTables(…, 1)` gives).
 */
export function ropeTablePair(positions: tf.Tensor1D, headDim: number, theta: number, qScale: number): { q: RopeTables; k: RopeTables } {
  return tf.tidy(() => {
    const angle = ropeAngles(positions, headDim, theta); // [N, hd]
    const n = positions.shape[0];
    const cos = tf.cos(angle);
    const sin = tf.sin(angle);
    const table = (x: tf.Tensor): tf.Tensor3D => tf.reshape(x, [n, 1, headDim]) as tf.Tensor3D;
    return {
      q: { cos: table(tf.mul(cos, qScale)), sin: table(tf.mul(sin, qScale)) },
      k: { cos: table(cos), sin: table(sin) },
    };
  });
}

type CustomFn = Parameters<typeof tf.customGrad>[0];

/** The rotation as one kernel each way on wasm (the floats of the composed path, wasm-rope.ts); tables get no gradient. */
const ropeFused = tf.customGrad(((x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D, save: (t: tf.Tensor[]) => void) => {
  save([cos, sin]);
  return {
    value: ropeKernel(x, cos, sin, false),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [c, s] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [ropeKernel(dy, c, s, true), tf.zerosLike(c), tf.zerosLike(s)];
    },
  };
}) as unknown as CustomFn) as unknown as (x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D) => tf.Tensor3D;

/** Applies the rotation to x [N, H, hd] with tables for the same N positions. */
export function applyRope(x: tf.Tensor3D, t: RopeTables): tf.Tensor3D {
  if (fastGradsEnabled() && ropeKernelApplies(x.shape[2])) return ropeFused(x, t.cos, t.sin);
  return tf.add(tf.mul(x, t.cos), tf.mul(rotateHalf(x), t.sin));
}
