import * as tf from '@tensorflow/tfjs-core';
import { checkLogitsTargets, checkMask } from './validate';

/**
 * log p(y_t) for each position: logits [B, T, V], targets [B, T] int32 → [B, T].
 * Uses sum(oneHot · logSoftmax) rather than tf.gather, whose gradient (UnsortedSegmentSum)
 * is missing on the wasm backend. A target outside [0, V) gives 0 (useful for -1 padding).
 */
export function tokenLogProbs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor2D {
  checkLogitsTargets('tokenLogProbs', logits, targets);
  const V = logits.shape[2] ?? 0;
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits, -1); // [B, T, V]
    // oneHot(…, 'float32') on wasm 4.22 writes int32 bits into a float32 tensor: cast instead.
    const hot = tf.cast(tf.oneHot(targets as tf.Tensor2D, V), 'float32'); // [B, T, V]
    return tf.sum(tf.mul(hot, logp), -1) as tf.Tensor2D; // [B, T]
  });
}

/** Summed log-probability of each sequence's response tokens: → [B]. */
export function sequenceLogProbs(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor): tf.Tensor1D {
  checkLogitsTargets('sequenceLogProbs', logits, targets);
  checkMask('sequenceLogProbs', mask, targets);
  return tf.tidy(() => tf.sum(tf.mul(tokenLogProbs(logits, targets), mask), -1) as tf.Tensor1D);
}

/**
 * Mean of x [B, T] over positions where mask [B, T] is 1, across the whole batch:
 * sum(x · mask) / max(sum(mask), 1). An all-zero mask gives 0 (and a zero gradient),
 * never NaN. The mask is expected to be 0/1.
 */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar);
}
