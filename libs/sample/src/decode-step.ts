/**
 * One decoding step of the model — one new token per row against the block cache — computing
 * what `Transformer.forward(tokens [B, 1], { cache })` computes (same parameters, same ops from
 * @sieve/model; a test holds the logits equal to a full forward pass).
 *
 * It exists for speed: with a single query per row the attention is a batched matrix-vector
 * product, done here as K_b·q (a plain matMul with the big operand on the left, no transpose of
 * the cache) per cache block, and appending costs O(log T) copies per position instead of T.
 * Keep it in step with libs/model/src/transformer.ts and attention.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { applyRope, bmm, embedding, headDim, linear, rmsNorm, ropeTables, swiglu, type Transformer } from '@sieve/model';
import type { BlockCache } from './block-cache';

/** The tied output projection [D, V], transposed once per generation call. */
export function outputProjection(model: Transformer): tf.Tensor2D {
  const embed = model.params['embed'];
  if (!embed) throw new SieveError('model has no parameter embed');
  return tf.tidy(() => tf.transpose(embed as unknown as tf.Tensor2D));
}

/**
 * tokens [A] and their absolute positions [A] → logits [A·V] on the host; appends the new
 * keys/values to `cache` (whose batch must be A).
 */
export function decodeStep(model: Transformer, cache: BlockCache, tokens: Int32Array, positions: Int32Array, embedT: tf.Tensor2D): Float32Array {
  const c = model.config;
  const a = tokens.length;
  if (cache.batchSize !== a) throw new SieveError(`decode step: ${a} tokens for a cache of ${cache.batchSize} rows`);
  const hd = headDim(c);
  const kh = c.kvHeads;
  const g = c.heads / kh;
  const p = (name: string): tf.Tensor => {
    const v = model.params[name];
    if (!v) throw new SieveError(`model has no parameter ${name}`);
    return v;
  };
  const { logits, ks, vs } = tf.tidy(() => {
    const pos = tf.tensor1d(positions, 'int32');
    const ropeQ = ropeTables(pos, hd, c.ropeTheta, 1 / Math.sqrt(hd));
    const ropeK = ropeTables(pos, hd, c.ropeTheta);
    const bias = tf.reshape(cache.bias, [a, 1, cache.length]); // [A, 1, Tk]
    let x = embedding(tf.tensor1d(tokens, 'int32'), p('embed') as tf.Tensor2D); // [A, D]
    const ks: tf.Tensor4D[] = [];
    const vs: tf.Tensor4D[] = [];
    cache.layers.forEach((blocks, i) => {
      const l = `layers.${i}`;
      const h = rmsNorm(x, p(`${l}.attn_norm`) as tf.Tensor1D, c.normEps);
      const q = applyRope(tf.reshape(linear(h, p(`${l}.attn.wq`) as tf.Tensor2D), [a, c.heads, hd]) as tf.Tensor3D, ropeQ); // [A, H, hd]
      const kNew = tf.reshape(applyRope(tf.reshape(linear(h, p(`${l}.attn.wk`) as tf.Tensor2D), [a, kh, hd]) as tf.Tensor3D, ropeK), [a, kh, 1, hd]) as tf.Tensor4D;
      const vNew = tf.reshape(linear(h, p(`${l}.attn.wv`) as tf.Tensor2D), [a, kh, 1, hd]) as tf.Tensor4D;
      // Query head kv·G + g uses kv head kv: q as [A·K, hd, G] lines each group up with its keys.
      const qT = g === 1 ? tf.reshape(q, [a * kh, hd, 1]) : tf.transpose(tf.reshape(q, [a * kh, g, hd]), [0, 2, 1]); // [A·K, hd, G]
      const kBlocks = [...blocks.k, kNew];
      const vBlocks = [...blocks.v, vNew];
      const scoresT = kBlocks.map((kb) => tf.matMul(tf.reshape(kb, [a * kh, kb.shape[2], hd]), qT)); // each [A·K, Tb, G]
      const tk = cache.length + 1;
      const all = tf.concat(scoresT, 1); // [A·K, Tk, G]
      const scores = g === 1 ? tf.reshape(all, [a, kh, tk]) : tf.reshape(tf.transpose(all, [0, 2, 1]), [a, kh * g, tk]); // [A, H, Tk]
      const masked = tf.add(scores, tf.concat([bias, tf.zeros([a, 1, 1])], 2));
      const probs = tf.reshape(tf.softmax(masked), [a * kh, g, tk]) as tf.Tensor3D; // [A·K, G, Tk]
      let o: tf.Tensor3D | null = null; // [A·K, G, hd]
      let start = 0;
      for (const vb of vBlocks) {
        const w = vb.shape[2];
        const part = bmm(tf.slice(probs, [0, 0, start], [a * kh, g, w]) as tf.Tensor3D, tf.reshape(vb, [a * kh, w, hd]) as tf.Tensor3D);
        o = o ? (tf.add(o, part) as tf.Tensor3D) : part;
        start += w;
      }
      const merged = tf.reshape(o as tf.Tensor3D, [a, c.heads * hd]) as tf.Tensor2D; // [A, H·hd]
      x = tf.add(x, linear(merged, p(`${l}.attn.wo`) as tf.Tensor2D));
      const hn = rmsNorm(x, p(`${l}.mlp_norm`) as tf.Tensor1D, c.normEps);
      const gated = swiglu(linear(hn, p(`${l}.mlp.gate`) as tf.Tensor2D), linear(hn, p(`${l}.mlp.up`) as tf.Tensor2D));
      x = tf.add(x, linear(gated, p(`${l}.mlp.down`) as tf.Tensor2D));
      ks.push(kNew);
      vs.push(vNew);
    });
    const logits = linear(rmsNorm(x, p('final_norm') as tf.Tensor1D, c.normEps), embedT); // [A, V]
    return { logits, ks, vs };
  });
  cache.append(ks, vs);
  try {
    return Float32Array.from(logits.dataSync() as Float32Array);
  } finally {
    logits.dispose();
  }
}
