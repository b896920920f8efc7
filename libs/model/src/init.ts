/** Deterministic parameter initialisation from a seed (same values on every backend). */
import { createRng, mixSeed } from '@sieve/core';
import { paramShapes } from './architecture';
import type { ModelConfig } from './config';

export const INIT_STD = 0.02;

/** How a parameter starts: norms are ones, biases zeros; residual-output projections have a smaller std. */
function initFor(name: string, c: ModelConfig): { fill: number } | { std: number } {
  if (name.endsWith('norm')) return { fill: 1 };
  if (/\.attn\.b[qkv]$/.test(name)) return { fill: 0 };
  if (name.endsWith('.attn.wo') || name.endsWith('.mlp.down')) return { std: INIT_STD / Math.sqrt(2 * c.layers) };
  return { std: INIT_STD };
}

/** name → values, in checkpoint order. Each parameter has its own stream, so adding layers keeps the others. */
export function initialValues(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  paramShapes(c).forEach(([name, shape], index) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const init = initFor(name, c);
    if ('fill' in init) {
      values.fill(init.fill);
    } else {
      const rng = createRng(mixSeed(seed, index));
      for (let i = 0; i < size; i++) values[i] = rng.normal() * init.std;
    }
    out.set(name, values);
  });
  return out;
}
