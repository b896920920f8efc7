import * as tf from '@tensorflow/tfjs-core';
import { InputError, SieveError } from '@sieve/core';
import { tokenLogProbs } from './log-probs';
import { asftFromLogProbs, dftFromLogProbs, iwSftFromLogProbs, sftFromLogProbs } from './losses';
import { checkLogitsTargets, checkMask, checkTargetRange } from './validate';

export const TOKEN_LOSS_METHODS = ['sft', 'dft', 'iw-sft', 'asft'] as const;
export type TokenLossMethod = (typeof TOKEN_LOSS_METHODS)[number];

export interface TokenLossInputs {
  logits: tf.Tensor; // [B, T, V]
  targets: tf.Tensor; // [B, T] int32
  mask: tf.Tensor; // [B, T] float32
  /** Required by 'iw-sft': log p_ref(y_t) [B, T] from the frozen start model. */
  refLogProbs?: tf.Tensor;
  /** Required by 'asft': the start model's logits [B, T, V]. */
  refLogits?: tf.Tensor;
}

export interface TokenLossOptions {
  minProb?: number; // dft, asft
  maxWeight?: number; // iw-sft
  klWeight?: number; // asft (default 0 = plain DFT)
}

export interface TokenLossOutput {
  loss: tf.Scalar;
  /** log p(y_t) [B, T], computed once and handed back for per-step statistics. */
  logProbs: tf.Tensor2D;
}

export function isTokenLossMethod(s: string): s is TokenLossMethod {
  return (TOKEN_LOSS_METHODS as readonly string[]).includes(s);
}

function need(method: string, name: string, t: tf.Tensor | undefined): tf.Tensor {
  if (t) return t;
  throw new SieveError(`loss '${method}' needs ${name}`, {
    where: '@sieve/train computeLoss',
    hint: `run the frozen start model on the batch and pass its ${name}`,
  });
}

/**
 * One entry point for the token-level losses. Both outputs are new tensors owned by the
 * caller; inside tf.variableGrads, `tf.keep(out.logProbs)` to use it after the step.
 */
export function computeLoss(method: TokenLossMethod, inputs: TokenLossInputs, opts: TokenLossOptions = {}): TokenLossOutput {
  if (!isTokenLossMethod(method)) {
    throw new InputError(`unknown loss method '${String(method)}'`, {
      where: '@sieve/train computeLoss',
      hint: `use one of ${TOKEN_LOSS_METHODS.join(', ')} (dpo has its own dpoLoss)`,
    });
  }
  const { logits, targets, mask } = inputs;
  checkLogitsTargets('computeLoss', logits, targets);
  checkMask('computeLoss', mask, targets);
  checkTargetRange('computeLoss', targets, mask, logits.shape[2] ?? 0);
  const refLogProbs = method === 'iw-sft' ? need(method, 'refLogProbs', inputs.refLogProbs) : undefined;
  const refLogits = method === 'asft' ? need(method, 'refLogits', inputs.refLogits) : undefined;

  return tf.tidy(() => {
    const logProbs = tokenLogProbs(logits, targets);
    let loss: tf.Scalar;
    switch (method) {
      case 'sft':
        loss = sftFromLogProbs(logProbs, mask);
        break;
      case 'dft':
        loss = dftFromLogProbs(logProbs, mask, opts);
        break;
      case 'iw-sft':
        loss = iwSftFromLogProbs(logProbs, mask, refLogProbs as tf.Tensor, opts);
        break;
      case 'asft':
        loss = asftFromLogProbs(logProbs, logits, mask, refLogits as tf.Tensor, { ...opts, klWeight: opts.klWeight ?? 0 });
        break;
    }
    return { loss, logProbs };
  });
}
