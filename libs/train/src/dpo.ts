import * as tf from '@tensorflow/tfjs-core';
import { checkOption, checkSameShape } from './validate';

/**
 * DPO (Rafailov et al. 2023) on P preference pairs. Each input is [P]: the summed response
 * log-probability (see sequenceLogProbs) of the chosen / rejected sample under the policy
 * and under the frozen reference model.
 */
export interface DpoOptions {
  beta: number;
}

export interface DpoStats {
  loss: number;
  /** Mean of β[(πc − rc) − (πr − rr)]. */
  rewardMargin: number;
  /** Fraction of pairs whose margin is > 0. */
  accuracy: number;
  /** Mean implicit rewards β(πc − rc) and β(πr − rr). */
  chosenReward: number;
  rejectedReward: number;
  pairs: number;
}

function checkDpo(where: string, tensors: tf.Tensor[], beta: number): void {
  checkOption(where, 'beta', beta, Number.isFinite(beta) && beta > 0, 'a positive number');
  const [first, ...rest] = tensors as [tf.Tensor, ...tf.Tensor[]];
  const names = ['policyChosen', 'policyRejected', 'refChosen', 'refRejected'];
  rest.forEach((t, i) => checkSameShape(where, first, t, ['policyChosen', names[i + 1] ?? 'input']));
  checkOption(where, 'policyChosen.rank', first.rank, first.rank === 1, 'a [P] tensor of summed log-probs');
}

/** mean_p −log σ(β[(πc − rc) − (πr − rr)]); 0 for P = 0. */
export function dpoLoss(
  policyChosen: tf.Tensor,
  policyRejected: tf.Tensor,
  refChosen: tf.Tensor,
  refRejected: tf.Tensor,
  opts: DpoOptions,
): tf.Scalar {
  checkDpo('dpoLoss', [policyChosen, policyRejected, refChosen, refRejected], opts.beta);
  // Constant 0 for P = 0: wasm's tf.sum of an empty tensor returns uninitialised memory.
  if (policyChosen.size === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const margin = tf.mul(opts.beta, tf.sub(tf.sub(policyChosen, refChosen), tf.sub(policyRejected, refRejected))); // [P]
    // −log σ(m) = softplus(−m). Not tf.logSigmoid: its custom gradient closes over its input,
    // which this tidy disposes before backprop runs.
    const perPair = tf.softplus(tf.neg(margin)); // [P]
    return tf.div(tf.sum(perPair), policyChosen.size) as tf.Scalar;
  });
}

/** Logging companion of dpoLoss, computed in JS from downloaded values (float64). */
export function dpoStats(
  policyChosen: tf.Tensor,
  policyRejected: tf.Tensor,
  refChosen: tf.Tensor,
  refRejected: tf.Tensor,
  opts: DpoOptions,
): DpoStats {
  checkDpo('dpoStats', [policyChosen, policyRejected, refChosen, refRejected], opts.beta);
  const pc = policyChosen.dataSync();
  const pr = policyRejected.dataSync();
  const rc = refChosen.dataSync();
  const rr = refRejected.dataSync();
  const P = pc.length;
  let loss = 0;
  let margin = 0;
  let wins = 0;
  let chosen = 0;
  let rejected = 0;
  for (let i = 0; i < P; i++) {
    const c = opts.beta * ((pc[i] ?? 0) - (rc[i] ?? 0));
    const r = opts.beta * ((pr[i] ?? 0) - (rr[i] ?? 0));
    const m = c - r;
    // −log σ(m) = softplus(−m), written to stay finite for large |m|.
    loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
    margin += m;
    if (m > 0) wins++;
    chosen += c;
    rejected += r;
  }
  const d = Math.max(P, 1);
  return { loss: loss / d, rewardMargin: margin / d, accuracy: wins / d, chosenReward: chosen / d, rejectedReward: rejected / d, pairs: P };
}
