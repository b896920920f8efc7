/** Deterministic parameter initialisation from a seed (same values on every backend). */
import { createRng, mixSeed } from '@sieve/core';
import { paramShapes, type ModelConfig } from './config';

export const INIT_STD = 0.02;

/** Standard deviation for a parameter: norms are ones (std 0); residual-output projections are scaled down. */
function stdFor(name: string, c: ModelConfig): number {
  if (name.endsWith('norm')) return 0;
  if (name.endsWith('.attn.wo') || name.endsWith('.mlp.down')) return INIT_STD / Math.sqrt(2 * c.layers);
  return INIT_STD;
}

/** name → values, in checkpoint order. Each parameter has its own stream, so adding layers keeps the others. */
export function initialValues(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  paramShapes(c).forEach(([name, shape], index) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const std = stdFor(name, c);
    if (std === 0) {
      values.fill(1);
    } else {
      const rng = createRng(mixSeed(seed, index));
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    out.set(name, values);
  });
  return out;
}
