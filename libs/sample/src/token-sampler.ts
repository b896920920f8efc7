/**
 * Picks the next token of one sequence from its logits row, in plain JS (rows are tiny: [V]).
 *
 * Everything here is deterministic given the logits and the sample's own rng: the candidates are
 * in a fixed order (by id when nothing is cut off, else by scaled logit desc, id asc) and one
 * uniform draw picks among them by inverse CDF, so a sample's tokens depend only on its logits
 * and its seed, never on its batch neighbours.
 */
import type { Rng } from '@sieve/core';

export interface SamplingParams {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 = off. */
  topP: number;
}

export interface Candidates {
  /** Token ids, most likely first. */
  ids: number[];
  /** Their renormalised probabilities (sum 1), same order. */
  probs: number[];
}

/** Index of the largest value (lowest index on ties). */
export function argmax(row: ArrayLike<number>, offset = 0, length = row.length - offset): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = row[offset + i] as number;
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/** log softmax(row)[token] at temperature 1: log p_model(token). */
export function logProbOf(row: ArrayLike<number>, token: number, offset = 0, length = row.length - offset): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, row[offset + i] as number);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp((row[offset + i] as number) - max);
  return (row[offset + token] as number) - max - Math.log(sum);
}

/**
 * The tokens sampling may pick and their probabilities after temperature, top-k and top-p
 * (temperature > 0); all tokens in id order when neither cuts anything off. Top-p keeps the shortest most-likely prefix whose mass reaches p, at least one token.
 */
export function candidates(row: ArrayLike<number>, params: SamplingParams, offset = 0, length = row.length - offset): Candidates {
  const t = params.temperature;
  const ids = Array.from({ length }, (_, i) => i);
  const scaled = new Float64Array(length);
  for (let i = 0; i < length; i++) scaled[i] = (row[offset + i] as number) / t;
  const truncates = (params.topK > 0 && params.topK < length) || params.topP < 1;
  if (truncates) ids.sort((a, b) => (scaled[b] as number) - (scaled[a] as number) || a - b);
  const k = params.topK > 0 ? Math.min(params.topK, length) : length;
  const kept = ids.slice(0, k);
  let max = -Infinity;
  for (const i of kept) max = Math.max(max, scaled[i] as number);
  const weights = kept.map((i) => Math.exp((scaled[i] as number) - max));
  const total = weights.reduce((a, b) => a + b, 0);
  let probs = weights.map((w) => w / total);
  let n = probs.length;
  if (params.topP < 1) {
    let mass = 0;
    n = 0;
    while (n < probs.length) {
      mass += probs[n] as number;
      n++;
      if (mass >= params.topP) break;
    }
    const kept2 = probs.slice(0, n);
    const s = kept2.reduce((a, b) => a + b, 0);
    probs = kept2.map((p) => p / s);
  }
  return { ids: kept.slice(0, n), probs };
}

/** Draws from candidates with one uniform number u ∈ [0, 1). */
export function drawFrom(c: Candidates, u: number): number {
  let acc = 0;
  for (let i = 0; i < c.ids.length; i++) {
    acc += c.probs[i] as number;
    if (u < acc) return c.ids[i] as number;
  }
  return c.ids[c.ids.length - 1] as number; // u beyond the rounded total
}

/**
 * Next token for one row of logits. Greedy (temperature 0 or top-k 1) uses no random number;
 * otherwise exactly one draw from `rng`.
 */
export function sampleToken(row: ArrayLike<number>, params: SamplingParams, rng: Rng, offset = 0, length = row.length - offset): number {
  if (params.temperature === 0 || params.topK === 1) return argmax(row, offset, length);
  const truncates = (params.topK > 0 && params.topK < length) || params.topP < 1;
  if (!truncates) return drawUntruncated(row, params.temperature, rng.next(), offset, length);
  return drawFrom(candidates(row, params, offset, length), rng.next());
}

let scratch = new Float64Array(0);

/**
 * `drawFrom(candidates(row, params), u)` when nothing is cut off, without building the candidate
 * lists: the same double-precision operations in the same order (scale, max, exp, running total,
 * w / total accumulated in id order), so the same token. Sampling runs once per token per row.
 */
function drawUntruncated(row: ArrayLike<number>, t: number, u: number, offset: number, length: number): number {
  if (scratch.length < length) scratch = new Float64Array(length);
  const w = scratch;
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, (row[offset + i] as number) / t);
  let total = 0;
  for (let i = 0; i < length; i++) {
    w[i] = Math.exp((row[offset + i] as number) / t - max);
    total += w[i] as number;
  }
  let acc = 0;
  for (let i = 0; i < length; i++) {
    acc += (w[i] as number) / total;
    if (u < acc) return i;
  }
  return length - 1; // u beyond the rounded total
}
