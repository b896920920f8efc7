import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';

/**
 * Shape checks for the loss functions. A mismatch is a bug in the caller (the training loop),
 * so these throw `SieveError` naming the function and the offending tensor.
 */

function fail(where: string, message: string, hint: string): never {
  throw new SieveError(message, { where: `@sieve/train ${where}`, hint });
}

function shapeStr(t: tf.Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** logits [B, T, V] float32, targets [B, T] int32. */
export function checkLogitsTargets(where: string, logits: tf.Tensor, targets: tf.Tensor): void {
  if (logits.rank !== 3) fail(where, `logits must be [B, T, V], got ${shapeStr(logits)}`, 'pass the model output for the whole batch');
  if (logits.dtype !== 'float32') fail(where, `logits must be float32, got ${logits.dtype}`, 'cast logits to float32');
  if (targets.rank !== 2) fail(where, `targets must be [B, T], got ${shapeStr(targets)}`, 'pass next-token ids shifted by one');
  if (targets.dtype !== 'int32') fail(where, `targets must be int32, got ${targets.dtype}`, "create targets with tf.tensor2d(ids, shape, 'int32')");
  if (targets.shape[0] !== logits.shape[0] || targets.shape[1] !== logits.shape[1]) {
    fail(where, `targets ${shapeStr(targets)} do not match logits ${shapeStr(logits)}`, 'targets must have the [B, T] of the logits');
  }
}

/** mask [B, T] float32 matching `like` [B, T]. */
export function checkMask(where: string, mask: tf.Tensor, like: tf.Tensor, name = 'mask'): void {
  if (mask.dtype !== 'float32') fail(where, `${name} must be float32, got ${mask.dtype}`, `create the ${name} as float32 (1 on response tokens, 0 elsewhere)`);
  if (mask.rank !== 2 || mask.shape[0] !== like.shape[0] || mask.shape[1] !== like.shape[1]) {
    fail(where, `${name} ${shapeStr(mask)} does not match [B, T] = [${like.shape[0]}, ${like.shape[1]}]`, `the ${name} must have one entry per target token`);
  }
}

/** Two tensors with identical shapes (e.g. policy and reference). */
export function checkSameShape(where: string, a: tf.Tensor, b: tf.Tensor, names: [string, string]): void {
  const same = a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
  if (!same) fail(where, `${names[1]} ${shapeStr(b)} does not match ${names[0]} ${shapeStr(a)}`, `compute ${names[1]} on the same batch as ${names[0]}`);
}

/**
 * Every target at a response position (mask > 0) must be a vocabulary id; out-of-range ids
 * would silently give log p = 0 through the one-hot product. Padding positions may hold
 * anything (e.g. -1). Downloads two [B, T] arrays: cheap next to a forward pass.
 */
export function checkTargetRange(where: string, targets: tf.Tensor, mask: tf.Tensor, vocab: number): void {
  const ids = targets.dataSync();
  const m = mask.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? 0;
    if ((m[i] ?? 0) > 0 && (id < 0 || id >= vocab)) {
      const T = targets.shape[1] ?? 1;
      fail(where, `target id ${id} at [${Math.floor(i / T)}, ${i % T}] is outside the vocabulary [0, ${vocab})`, 'check the tokenizer and the model vocabulary size agree');
    }
  }
}

export function checkOption(where: string, name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) fail(where, `option ${name} = ${value} is invalid: expected ${expected}`, `set ${name} to ${expected}`);
}
