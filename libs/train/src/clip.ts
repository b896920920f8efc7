import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';

/**
 * Gradient records keyed by parameter name. Every helper returns NEW tensors and disposes
 * none of its inputs: the caller owns inputs and outputs (disposeGrads frees a record).
 */
export type Grads = Record<string, tf.Tensor>;

export interface ClipResult {
  grads: Grads;
  /** Global L2 norm before clipping. */
  norm: number;
}

/** Global L2 norm √(Σ_i ‖g_i‖²) as a number. */
export function globalNorm(grads: Grads): number {
  const tensors = Object.values(grads);
  if (tensors.length === 0) return 0;
  const total = tf.tidy(() => tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g))))));
  const norm = total.dataSync()[0] ?? NaN;
  total.dispose();
  return norm;
}

/**
 * Scales all gradients by min(1, maxNorm / (norm + 1e-6)) (PyTorch's rule). maxNorm = Infinity
 * only measures. A non-finite norm is returned as is with unscaled copies, so the training
 * loop can see it and skip the step.
 */
export function clipByGlobalNorm(grads: Grads, maxNorm: number): ClipResult {
  if (!(maxNorm > 0)) {
    throw new SieveError(`clipByGlobalNorm maxNorm = ${maxNorm} is invalid`, {
      where: '@sieve/train clipByGlobalNorm',
      hint: 'use a positive number, or Infinity to only measure the norm',
    });
  }
  const norm = globalNorm(grads);
  const scale = Number.isFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { grads: scaleGrads(grads, scale), norm };
}

/** g · factor for every entry (copies when factor is 1). */
export function scaleGrads(grads: Grads, factor: number): Grads {
  const out: Grads = {};
  for (const [name, g] of Object.entries(grads)) out[name] = factor === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, factor));
  return out;
}

/**
 * acc + grads entry by entry, for gradient accumulation; acc undefined starts a new sum.
 * Both records must hold the same names and shapes.
 */
export function addGrads(acc: Grads | undefined, grads: Grads): Grads {
  if (acc === undefined) return scaleGrads(grads, 1);
  const names = Object.keys(grads);
  const accNames = Object.keys(acc);
  if (names.length !== accNames.length || names.some((n) => !(n in acc))) {
    throw new SieveError(`cannot add gradients for [${names.join(', ')}] to a sum over [${accNames.join(', ')}]`, {
      where: '@sieve/train addGrads',
      hint: 'every micro-batch must produce gradients for the same parameters',
    });
  }
  const out: Grads = {};
  for (const name of names) {
    const a = acc[name] as tf.Tensor;
    const g = grads[name] as tf.Tensor;
    if (!tf.util.arraysEqual(a.shape, g.shape)) {
      disposeGrads(out);
      throw new SieveError(`gradient '${name}' has shape [${g.shape}] but the sum has [${a.shape}]`, { where: '@sieve/train addGrads' });
    }
    out[name] = tf.add(a, g);
  }
  return out;
}

export function disposeGrads(grads: Grads | undefined): void {
  if (grads) for (const g of Object.values(grads)) g.dispose();
}
