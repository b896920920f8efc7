import * as tf from '@tensorflow/tfjs-core';
import { checkLogitsTargets, checkMask } from './validate';

/**
 * log p(y_t) = z_y − logsumexp(z) with a hand-written gradient dy·(onehot − softmax).
 * The target is selected with a one-hot product, not tf.gather, whose gradient
 * (UnsortedSegmentSum) is missing on wasm. Fusing forward and backward halves the time of
 * autodiff through tf.logSoftmax (wasm, [8, 128, 512]: 4.8 vs 9.2 ms) and saves only
 * exp(z − max), its row sums and the one-hot.
 */
let fused: ((logits: tf.Tensor, targets: tf.Tensor) => tf.Tensor) | undefined;

function fusedTokenLogProbs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  fused ??= tf.customGrad((zIn, tIn, save) => {
    const z = zIn as tf.Tensor; // [B, T, V]
    const t = tIn as tf.Tensor; // [B, T]
    const targetShape = t.shape;
    // oneHot(…, 'float32') on wasm 4.22 writes int32 bits into a float32 tensor: cast instead.
    const hot = tf.cast(tf.oneHot(t as tf.Tensor2D, z.shape[2] ?? 0), 'float32'); // [B, T, V]
    const valid = tf.sum(hot, -1, true); // [B, T, 1]: 0 for an id outside [0, V)
    const shifted = tf.sub(z, tf.max(z, -1, true)); // [B, T, V]
    const e = tf.exp(shifted); // [B, T, V]
    const sumE = tf.sum(e, -1, true); // [B, T, 1]
    const value = tf.squeeze(tf.sub(tf.sum(tf.mul(hot, shifted), -1, true), tf.mul(valid, tf.log(sumE))), [-1]); // [B, T]
    (save as tf.GradSaveFunc)([e, sumE, hot, valid]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [eS, sumS, hotS, validS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const softmax = tf.div(eS, sumS); // [B, T, V]
      const dz = tf.mul(tf.expandDims(dy, -1), tf.sub(hotS, tf.mul(validS, softmax)));
      return [dz, tf.zeros(targetShape, 'int32')];
    };
    return { value, gradFunc };
  }) as (logits: tf.Tensor, targets: tf.Tensor) => tf.Tensor;
  return fused(logits, targets);
}

/**
 * log p(y_t) for each position: logits [B, T, V], targets [B, T] int32 → [B, T].
 * A target outside [0, V) (e.g. -1 padding) gives 0 with a zero gradient.
 */
export function tokenLogProbs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor2D {
  checkLogitsTargets('tokenLogProbs', logits, targets);
  return fusedTokenLogProbs(logits, targets) as tf.Tensor2D;
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
