import type * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { checkMask } from './validate';

/**
 * Per-step statistics of p(y_t) over response tokens, computed in JS (float64) from
 * downloaded values. Inputs stay owned by the caller; no tensor is created.
 */
export interface TokenProbStats {
  meanP: number;
  q10: number;
  q25: number;
  q50: number;
  q75: number;
  q90: number;
  /** Plain cross-entropy −mean log p(y_t) (the SFT loss, whatever loss was trained). */
  ce: number;
  tokens: number;
}

export interface Histogram {
  /** bins + 1 increasing edges; bin i is [edges[i], edges[i+1]), the last one closed. */
  edges: number[];
  counts: number[];
}

/** The masked log p(y_t) values of a [B, T] tensor, in row-major order. */
export function maskedValues(logProbs: tf.Tensor, mask: tf.Tensor): Float64Array {
  checkMask('tokenProbStats', mask, logProbs);
  const lp = logProbs.dataSync();
  const m = mask.dataSync();
  const out: number[] = [];
  for (let i = 0; i < lp.length; i++) if ((m[i] ?? 0) > 0) out.push(lp[i] ?? 0);
  return Float64Array.from(out);
}

/** Linear-interpolation quantile (numpy's default) of ascending-sorted values; NaN if empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(Math.max(q, 0), 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

/** meanP, quantiles of p, cross-entropy and token count; NaN statistics when tokens = 0. */
export function tokenProbStats(logProbs: tf.Tensor, mask: tf.Tensor): TokenProbStats {
  return probStatsOf(maskedValues(logProbs, mask));
}

/** The statistics of tokenProbStats from already-selected log p(y_t) values (pooled over micro-batches). */
export function probStatsOf(lp: ArrayLike<number>): TokenProbStats {
  const n = lp.length;
  const p = Float64Array.from(lp, Math.exp).sort();
  let sumP = 0;
  let sumLp = 0;
  for (let i = 0; i < n; i++) {
    sumP += p[i] ?? 0;
    sumLp += lp[i] ?? 0;
  }
  return {
    meanP: n ? sumP / n : NaN,
    q10: quantileSorted(p, 0.1),
    q25: quantileSorted(p, 0.25),
    q50: quantileSorted(p, 0.5),
    q75: quantileSorted(p, 0.75),
    q90: quantileSorted(p, 0.9),
    ce: n ? -sumLp / n : NaN,
    tokens: n,
  };
}

/** Empty fixed-width histogram on [lo, hi]. */
export function emptyHistogram(bins = 20, lo = 0, hi = 1): Histogram {
  if (!(Number.isInteger(bins) && bins > 0 && hi > lo)) {
    throw new SieveError(`histogram needs an integer bins > 0 and hi > lo, got bins=${bins}, [${lo}, ${hi}]`, {
      where: '@sieve/train emptyHistogram',
      hint: 'use e.g. 20 bins on [0, 1]',
    });
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts: new Array<number>(bins).fill(0) };
}

/** Adds values into `h` (in place, returned). Values outside [lo, hi] are clamped to the end bins. */
export function addToHistogram(h: Histogram, values: ArrayLike<number>): Histogram {
  const bins = h.counts.length;
  const lo = h.edges[0] ?? 0;
  const hi = h.edges[bins] ?? 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (Number.isNaN(v)) continue;
    const k = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    h.counts[k] = (h.counts[k] ?? 0) + 1;
  }
  return h;
}

/** Sum of two histograms with the same edges (e.g. to pool several batches). */
export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i])) {
    throw new SieveError('the histograms have different bin edges', {
      where: '@sieve/train mergeHistograms',
      hint: 'pool only histograms made with the same bins and range',
    });
  }
  return { edges: [...a.edges], counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)) };
}

/** Histogram of p(y_t) = exp(logProbs) over response tokens: `bins` equal bins on [0, 1]. */
export function tokenProbHistogram(logProbs: tf.Tensor, mask: tf.Tensor, bins = 20): Histogram {
  return addToHistogram(emptyHistogram(bins, 0, 1), maskedValues(logProbs, mask).map(Math.exp));
}
