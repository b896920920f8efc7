/**
 * The frozen start model's outputs per training example, computed once per run instead of a
 * reference forward in every step. The reference never changes and an example's row of a batch
 * does not depend on the other rows (causal attention; pads sit after every real token), so each
 * value is what the per-step forward computed, up to float rounding: a forward over a batch padded
 * to another length may round differently. That saves one of the four forward-equivalents of a
 * dpo / iw-sft / asft step (forward + backward ≈ 3) at every visit of the example, for the price of
 * one forward per example at the start. The values travel with the examples into every batch
 * (collate), so gradient workers need no reference model at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '@sieve/model';
import { batchTensors, collate, disposeBatch } from './batch';
import type { ReferenceValues, SeqExample } from './examples';
import { sequenceLogProbs, tokenLogProbs } from './log-probs';
import type { TrainMethod } from './methods';

/** Cached asft logits are capped at this many bytes (n·V floats per example); above it the run keeps a per-step forward. */
export const MAX_CACHED_LOGITS_BYTES = 256 * 1024 * 1024;

/** Which reference output `method` reads, or null when it reads none (or its cache would not fit). */
function neededOutput(method: TrainMethod, examples: readonly SeqExample[], vocab: number, maxLogitsBytes: number): keyof ReferenceValues | null {
  if (method === 'dpo') return 'seqLogProb';
  if (method === 'iw-sft') return 'logProbs';
  if (method === 'asft') {
    const floats = examples.reduce((a, e) => a + Math.max(0, e.ids.length - 1) * vocab, 0);
    return 4 * floats <= maxLogitsBytes ? 'logits' : null;
  }
  return null;
}

/**
 * Computes the reference outputs `method` needs for every example, in chunks of `rows` examples
 * in the given order (padded to the chunk's longest), and stores them in `example.ref`. Every
 * example of the run must be passed (training and held-out), since a batch uses its cache only
 * when all its rows have one. Returns false (and caches nothing) when the method needs no
 * reference or its cache would exceed `maxLogitsBytes`: the caller then keeps the
 * reference model and the per-step forward.
 */
export function cacheReference(ref: Transformer, method: TrainMethod, examples: readonly SeqExample[], padId: number, rows: number, maxLogitsBytes = MAX_CACHED_LOGITS_BYTES): boolean {
  const vocab = ref.config.vocabSize;
  const output = neededOutput(method, examples, vocab, maxLogitsBytes);
  if (output === null) return false;
  for (let i = 0; i < examples.length; i += rows) {
    const chunk = examples.slice(i, i + rows);
    const b = collate(chunk, padId);
    const t = batchTensors(b);
    try {
      const values = tf.tidy(() => {
        const logits = ref.forward(t.inputs); // [B, T, V]
        if (output === 'seqLogProb') return sequenceLogProbs(logits, t.targets, t.mask).dataSync(); // [B]
        if (output === 'logProbs') return tokenLogProbs(logits, t.targets).dataSync(); // [B, T]
        return logits.dataSync(); // [B, T, V]
      }) as Float32Array;
      chunk.forEach((e, r) => {
        const n = Math.max(0, e.ids.length - 1);
        if (output === 'seqLogProb') e.ref = { seqLogProb: values[r] ?? NaN };
        else if (output === 'logProbs') e.ref = { logProbs: values.slice(r * b.length, r * b.length + n) };
        else e.ref = { logits: values.slice(r * b.length * vocab, (r * b.length + n) * vocab) };
      });
    } finally {
      disposeBatch(t);
    }
  }
  return true;
}
