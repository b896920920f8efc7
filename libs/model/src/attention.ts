/**
 * Causal self-attention over the new tokens plus an optional KV cache (`Transformer.forward`);
 * grouped-query heads. The projections and RoPE around it are the block's (block.ts).
 *
 * Layout: q is [B, H, T, hd] and k, v are [B, K, Tk, hd] (K = kvHeads, H = K·G). Query head
 * h = kv·G + g uses kv head `kv`, so reshaping q to [B·K, G·T, hd] lines every query group up
 * with its keys [B·K, Tk, hd]: grouped-query attention costs no key/value copies.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bmm, bmmNT } from './ops';
import type { KVLayer } from './kv-cache';

export interface AttentionContext {
  batch: number;
  seq: number; // T, new tokens
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Additive mask [B or 1, 1, T, Tk]: 0 where a query may attend a key, −1e9 elsewhere. */
  bias: tf.Tensor4D;
}

/** Masked value: large enough to zero a softmax weight, finite so fully masked rows stay NaN-free. */
export const MASKED = -1e9;

/** [N, H·hd] → [B, H, T, hd] */
function toHeads(x: tf.Tensor, b: number, t: number, h: number, hd: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [b, t, h, hd]), [0, 2, 1, 3]);
}

/**
 * q [B·T, H, hd], the new keys kNew [B·T, K, hd] and values vNew [B·T, K·hd] → the attended heads
 * [B·T, H·hd] and this layer's full keys/values (past + new), which the caller stores in the cache.
 */
export function attendCausal(
  q: tf.Tensor3D,
  kNew: tf.Tensor3D,
  vNew: tf.Tensor2D,
  ctx: AttentionContext,
  past: KVLayer | null,
): { out: tf.Tensor2D; kv: KVLayer } {
  const { batch: b, seq: t, heads: h, kvHeads: kh, headDim: hd } = ctx;
  const n = b * t;
  const g = h / kh;
  let k = toHeads(kNew, b, t, kh, hd); // [B, K, T, hd]
  let v = toHeads(vNew, b, t, kh, hd);
  if (past) {
    k = tf.concat([past.k, k], 2); // [B, K, Tk, hd]
    v = tf.concat([past.v, v], 2);
  }
  const tk = k.shape[2];
  const qg = tf.reshape(toHeads(q, b, t, h, hd), [b * kh, g * t, hd]) as tf.Tensor3D;
  const scores = bmmNT(qg, tf.reshape(k, [b * kh, tk, hd]) as tf.Tensor3D); // [B·K, G·T, Tk]
  const masked = tf.add(tf.reshape(scores, [b, h, t, tk]), ctx.bias); // [B, H, T, Tk]
  const probs = tf.softmax(tf.reshape(masked, [b * kh, g * t, tk])) as tf.Tensor3D;
  const o = bmm(probs, tf.reshape(v, [b * kh, tk, hd]) as tf.Tensor3D); // [B·K, G·T, hd] = [B, H, T, hd]
  const merged = tf.reshape(tf.transpose(tf.reshape(o, [b, h, t, hd]), [0, 2, 1, 3]), [n, h * hd]) as tf.Tensor2D; // [N, H·hd]
  return { out: merged, kv: { k, v } };
}
