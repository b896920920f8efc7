import * as tf from '@tensorflow/tfjs-core';
import { maskedMean, tokenLogProbs } from './log-probs';
import { stopGradient } from './stop-gradient';
import { checkLogitsTargets, checkMask, checkOption, checkSameShape, checkTargetRange } from './validate';

/**
 * Token-level losses. Shapes: logits [B, T, V] float32, targets [B, T] int32 (the token each
 * position predicts), mask [B, T] float32 (1 on response tokens, 0 on prompt and padding).
 * Unless said otherwise a loss is averaged over the batch's response tokens:
 * sum over masked tokens / number of masked tokens (0 when there are none).
 */

export interface DftOptions {
  /** Floor on the DFT weight: w = max(sg(p), minProb). Default 0 (no floor). */
  minProb?: number;
}

export interface IwSftOptions {
  /** Upper clamp on the per-sequence importance weight. Default 16. */
  maxWeight?: number;
}

export interface AsftOptions extends DftOptions {
  /** Weight of the KL(p_θ ‖ p_ref) anchor added to the DFT loss. */
  klWeight: number;
}

function checkInputs(where: string, logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor): void {
  checkLogitsTargets(where, logits, targets);
  checkMask(where, mask, targets);
  checkTargetRange(where, targets, mask, logits.shape[2] ?? 0);
}

// ---- forms on precomputed log p(y_t) [B, T], shared with computeLoss ----

export function sftFromLogProbs(logp: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(maskedMean(logp, mask)));
}

export function dftFromLogProbs(logp: tf.Tensor, mask: tf.Tensor, opts: DftOptions = {}): tf.Scalar {
  const minProb = opts.minProb ?? 0;
  checkOption('dftLoss', 'minProb', minProb, minProb >= 0 && minProb <= 1, 'a number in [0, 1]');
  return tf.tidy(() => {
    // The weight is computed from a stopped copy of log p, so no gradient flows through it.
    let w = tf.exp(stopGradient(logp)); // [B, T]
    if (minProb > 0) w = tf.maximum(w, minProb);
    return tf.neg(maskedMean(tf.mul(w, logp), mask));
  });
}

/**
 * Per-sequence importance weight w_b = clamp(exp(mean_t[log p_θ − log p_ref]), 0, maxWeight),
 * the mean taken over the sequence's response tokens (w = 1 for a sequence with none).
 * Returned as a constant for the gradient tape: [B].
 */
export function iwSftWeights(logp: tf.Tensor, refLogProbs: tf.Tensor, mask: tf.Tensor, maxWeight = 16): tf.Tensor1D {
  checkOption('iwSftLoss', 'maxWeight', maxWeight, maxWeight > 0, 'a positive number');
  checkSameShape('iwSftLoss', logp, refLogProbs, ['logProbs', 'refLogProbs']);
  return tf.tidy(() => {
    const n = tf.maximum(tf.sum(mask, -1), 1); // [B]
    const meanRatio = tf.div(tf.sum(tf.mul(tf.sub(stopGradient(logp), refLogProbs), mask), -1), n); // [B]
    return stopGradient(tf.minimum(tf.exp(meanRatio), maxWeight)) as tf.Tensor1D;
  });
}

/**
 * iw-SFT normalisation: each sequence b with n_b > 0 response tokens contributes
 * w_b · NLL_b, NLL_b = −(1/n_b) Σ_t mask·log p_θ (its per-token mean NLL); the loss is the
 * plain mean over those sequences: Σ_b w_b · NLL_b / #{b : n_b > 0}. Sequences without
 * response tokens (padding rows) are left out of the count; a batch without any gives 0.
 * So every sequence counts equally whatever its length, and w is not self-normalised.
 */
export function iwSftFromLogProbs(logp: tf.Tensor, mask: tf.Tensor, refLogProbs: tf.Tensor, opts: IwSftOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const w = iwSftWeights(logp, refLogProbs, mask, opts.maxWeight ?? 16); // [B]
    const count = tf.sum(mask, -1); // [B]
    const nll = tf.div(tf.neg(tf.sum(tf.mul(logp, mask), -1)), tf.maximum(count, 1)); // [B]
    const sequences = tf.sum(tf.cast(tf.greater(count, 0), 'float32'));
    return tf.div(tf.sum(tf.mul(w, nll)), tf.maximum(sequences, 1)) as tf.Scalar;
  });
}

// ---- public losses on logits ----

/** SFT / RFT: −mean log p(y_t). */
export function sftLoss(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  checkInputs('sftLoss', logits, targets, mask);
  return tf.tidy(() => sftFromLogProbs(tokenLogProbs(logits, targets), mask));
}

/** DFT (Wu et al. 2025): −mean sg(p(y_t)) · log p(y_t), with an optional floor on the weight. */
export function dftLoss(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor, opts: DftOptions = {}): tf.Scalar {
  checkInputs('dftLoss', logits, targets, mask);
  return tf.tidy(() => dftFromLogProbs(tokenLogProbs(logits, targets), mask, opts));
}

/** Importance-weighted SFT; refLogProbs [B, T] = log p_ref(y_t) from the frozen start model. */
export function iwSftLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  mask: tf.Tensor,
  refLogProbs: tf.Tensor,
  opts: IwSftOptions = {},
): tf.Scalar {
  checkInputs('iwSftLoss', logits, targets, mask);
  return tf.tidy(() => iwSftFromLogProbs(tokenLogProbs(logits, targets), mask, refLogProbs, opts));
}

/**
 * Token-level KL(p_θ(·|ctx) ‖ p_ref(·|ctx)) = Σ_v p_θ(v) (log p_θ(v) − log p_ref(v)):
 * logits, refLogits [B, T, V] → [B, T]. This is the "reverse" (mode-seeking) direction,
 * the expectation taken under the policy being trained; gradient flows through logits only
 * when refLogits are constants (as they are when computed by the frozen start model).
 */
export function tokenKl(logits: tf.Tensor, refLogits: tf.Tensor): tf.Tensor2D {
  checkSameShape('tokenKl', logits, refLogits, ['logits', 'refLogits']);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits, -1); // [B, T, V]
    const logq = tf.logSoftmax(refLogits, -1); // [B, T, V]
    return tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, logq)), -1) as tf.Tensor2D;
  });
}

export function asftFromLogProbs(
  logp: tf.Tensor,
  logits: tf.Tensor,
  mask: tf.Tensor,
  refLogits: tf.Tensor,
  opts: AsftOptions,
): tf.Scalar {
  const { klWeight } = opts;
  checkOption('asftLoss', 'klWeight', klWeight, Number.isFinite(klWeight) && klWeight >= 0, 'a finite number ≥ 0');
  return tf.tidy(() => {
    const dft = dftFromLogProbs(logp, mask, opts);
    if (klWeight === 0) return dft;
    return tf.add(dft, tf.mul(klWeight, maskedMean(tokenKl(logits, refLogits), mask))) as tf.Scalar;
  });
}

/**
 * Anchored DFT: DFT + klWeight · mean over response tokens of KL(p_θ ‖ p_ref) (see tokenKl),
 * which keeps DFT from drifting away from the start model. refLogits [B, T, V].
 */
export function asftLoss(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor, refLogits: tf.Tensor, opts: AsftOptions): tf.Scalar {
  checkInputs('asftLoss', logits, targets, mask);
  return tf.tidy(() => asftFromLogProbs(tokenLogProbs(logits, targets), logits, mask, refLogits, opts));
}
