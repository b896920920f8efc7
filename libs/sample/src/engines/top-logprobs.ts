/**
 * The k most likely tokens at each generated position, collected from `generate`'s onLogits hook.
 * The hook sees every row of each step, including rows that already finished but were not yet
 * compacted away; a request's rows come in step order and its live steps come first, so the first
 * `tokens.length` entries collected for it are exactly its generated positions.
 */
import type { GenerateHooks } from '../generate';

export interface TopEntry {
  id: number;
  logprob: number;
}

/** The k largest log-softmax entries of row[offset .. offset+V) (temperature 1), most likely first, ties by id. */
export function topK(row: Float32Array, offset: number, vocab: number, k: number): TopEntry[] {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, row[offset + i] as number);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp((row[offset + i] as number) - max);
  const logZ = max + Math.log(sum);
  const best: TopEntry[] = [];
  for (let i = 0; i < vocab; i++) {
    const v = row[offset + i] as number;
    if (best.length === k && v <= (best[k - 1] as TopEntry).logprob + logZ) continue;
    const e = { id: i, logprob: v - logZ };
    let at = best.length;
    while (at > 0 && (best[at - 1] as TopEntry).logprob < e.logprob) at--;
    best.splice(at, 0, e);
    if (best.length > k) best.pop();
  }
  return best;
}

/** A hook collecting top-k per request of a batch of `size` requests, and the per-request lists. */
export function topLogprobsCollector(size: number, k: number): { hooks: GenerateHooks; perRequest: TopEntry[][][] } {
  const perRequest: TopEntry[][][] = Array.from({ length: size }, () => []);
  return {
    perRequest,
    hooks: {
      onLogits: (rows, logits, vocab) => {
        rows.forEach((r, i) => (perRequest[r] as TopEntry[][]).push(topK(logits, i * vocab, vocab, k)));
      },
    },
  };
}
