/**
 * A batch of token sequences of different lengths, left-padded to one length so every row's
 * last token sits in the last column. Each real token keeps its own position 0..len−1 and the
 * key mask hides the padding, so a padded row computes what it would alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KVCache } from './kv-cache';
import type { Transformer } from './transformer';

export interface LeftPadded {
  tokens: tf.Tensor2D; // [B, L] int32
  positions: tf.Tensor2D; // [B, L] int32
  keyMask: tf.Tensor2D; // [B, L] float32, 1 = real token
}

/** Most tokens one forward pass takes (rows × width): bounds the activations tfjs holds at once. */
export const FORWARD_TOKENS = 4096;

/** Pads to `width` (default: the longest sequence). */
export function leftPad(seqs: readonly (readonly number[])[], padId: number, width?: number): LeftPadded {
  const b = seqs.length;
  const l = Math.max(1, width ?? 0, ...seqs.map((s) => s.length));
  const tokens = new Int32Array(b * l).fill(padId);
  const positions = new Int32Array(b * l);
  const mask = new Float32Array(b * l);
  seqs.forEach((s, r) => {
    const off = r * l + (l - s.length);
    for (let j = 0; j < s.length; j++) {
      tokens[off + j] = s[j] as number;
      positions[off + j] = j;
      mask[off + j] = 1;
    }
  });
  return {
    tokens: tf.tensor2d(tokens, [b, l], 'int32'),
    positions: tf.tensor2d(positions, [b, l], 'int32'),
    keyMask: tf.tensor2d(mask, [b, l], 'float32'),
  };
}

/**
 * Logits of every row's last token, [B·V] on the host: one forward pass over the left-padded
 * batch (appending to `cache` when given).
 */
export function lastLogits(model: Transformer, seqs: readonly (readonly number[])[], padId: number, cache?: KVCache, width?: number): Float32Array {
  const batch = leftPad(seqs, padId, width);
  try {
    const logits = model.forward(batch.tokens, { positions: batch.positions, keyMask: batch.keyMask, lastOnly: true, ...(cache ? { cache } : {}) }); // [B, 1, V]
    try {
      return Float32Array.from(logits.dataSync() as Float32Array);
    } finally {
      logits.dispose();
    }
  } finally {
    tf.dispose([batch.tokens, batch.positions, batch.keyMask]);
  }
}

/** Rows per forward pass so that rows × width stays within the budget (at least one row). */
export function rowsPerForward(width: number, budget = FORWARD_TOKENS): number {
  return Math.max(1, Math.floor(budget / Math.max(1, width)));
}
