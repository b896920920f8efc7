/**
 * One decoding step — one new token per row against the block cache — through the model's one
 * block definition (block.ts); only the attention over keys is specific to this path.
 *
 * It exists for speed: with a single query per row the attention is a batched matrix-vector
 * product, done here as K_b·q (a plain matMul with the big operand on the left, no transpose of
 * the cache) per cache block, and appending costs O(log T) copies per position instead of T.
 * A test holds its logits equal to `Transformer.forward` on the whole sequence.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import type { ModelWeights } from './architecture';
import type { BlockCache, LayerBlocks } from './block-cache';
import { runDecoder } from './block';
import type { ModelConfig } from './config';
import { bmm } from './ops';
import { decodeAttentionApplies, decodeScores, decodeValues } from './wasm-attention';

/**
 * q [A, H, hd], the new key kNew [A, K, 1, hd] and value vNew [A, K, 1, hd] against one layer's
 * cached blocks (each [A, K, Tb, hd]) and the additive mask bias of all keys, the new one included, [A, 1, Tk] → heads [A, H·hd].
 */
function attendBlocks(q: tf.Tensor3D, kNew: tf.Tensor4D, vNew: tf.Tensor4D, blocks: LayerBlocks, bias: tf.Tensor3D, c: ModelConfig): tf.Tensor2D {
  const [a, , hd] = q.shape;
  const kh = c.kvHeads;
  const g = c.heads / kh;
  if (g === 1 && decodeAttentionApplies(a * kh, hd, [...blocks.k.map((kb) => kb.shape[2]), 1])) {
    // The same floats as below (see wasm-attention.ts), without a kernel call per block.
    const tk = bias.shape[2];
    const scores = tf.reshape(decodeScores(tf.reshape(q, [a * kh, hd]) as tf.Tensor2D, [...blocks.k, kNew]), [a, kh, tk]); // [A, H, Tk]
    const masked = tf.add(scores, bias);
    const probs = tf.reshape(tf.softmax(masked), [a * kh, tk]) as tf.Tensor2D; // [A·H, Tk]
    return tf.reshape(decodeValues(probs, [...blocks.v, vNew]), [a, c.heads * hd]) as tf.Tensor2D; // [A, H·hd]
  }
  // Query head kv·G + g uses kv head kv: q as [A·K, hd, G] lines each group up with its keys.
  const qT = g === 1 ? tf.reshape(q, [a * kh, hd, 1]) : tf.transpose(tf.reshape(q, [a * kh, g, hd]), [0, 2, 1]); // [A·K, hd, G]
  const kBlocks = [...blocks.k, kNew];
  const vBlocks = [...blocks.v, vNew];
  const scoresT = kBlocks.map((kb) => tf.matMul(tf.reshape(kb, [a * kh, kb.shape[2], hd]), qT)); // each [A·K, Tb, G]
  const tk = bias.shape[2];
  const all = tf.concat(scoresT, 1); // [A·K, Tk, G]
  const scores = g === 1 ? tf.reshape(all, [a, kh, tk]) : tf.reshape(tf.transpose(all, [0, 2, 1]), [a, kh * g, tk]); // [A, H, Tk]
  const masked = tf.add(scores, bias);
  const probs = tf.reshape(tf.softmax(masked), [a * kh, g, tk]) as tf.Tensor3D; // [A·K, G, Tk]
  let o: tf.Tensor3D | null = null; // [A·K, G, hd]
  let start = 0;
  for (const vb of vBlocks) {
    const w = vb.shape[2];
    const part = bmm(tf.slice(probs, [0, 0, start], [a * kh, g, w]) as tf.Tensor3D, tf.reshape(vb, [a * kh, w, hd]) as tf.Tensor3D);
    o = o ? (tf.add(o, part) as tf.Tensor3D) : part;
    start += w;
  }
  return tf.reshape(o as tf.Tensor3D, [a, c.heads * hd]) as tf.Tensor2D; // [A, H·hd]
}

/**
 * tokens [A] at absolute positions [A] → logits [A·V] on the host; appends the new keys/values to
 * `cache` (whose batch must be A). `head` [D, V] is the output projection, held by the caller
 * across steps. Positions are the caller's to keep below the context length: the cache is wider
 * than a row's own length when shorter prompts were left-padded. Throws (cache unchanged) on a
 * batch mismatch.
 */
export function decodeStep(
  w: ModelWeights,
  c: ModelConfig,
  cache: BlockCache,
  tokens: Int32Array,
  positions: Int32Array,
  head: tf.Tensor2D,
): Float32Array {
  const a = tokens.length;
  if (cache.batchSize !== a || positions.length !== a) {
    throw new SieveError(`decode step: ${a} tokens and ${positions.length} positions for a cache of ${cache.batchSize} rows`);
  }
  const hd = c.dim / c.heads;
  const { logits, ks, vs } = tf.tidy(() => {
    // [A, 1, Tpast + 1]: the cached keys' bias and 0 for the new key, made once for every layer
    const bias = tf.concat([tf.reshape(cache.bias, [a, 1, cache.length]), tf.zeros([a, 1, 1])], 2) as tf.Tensor3D;
    const ks: tf.Tensor4D[] = [];
    const vs: tf.Tensor4D[] = [];
    const logits = runDecoder(w, c, {
      tokens: tf.tensor1d(tokens, 'int32'),
      positions: tf.tensor1d(positions, 'int32'),
      head,
      attend: (layer, q, k, v) => {
        const blocks = cache.layers[layer] as LayerBlocks;
        const kNew = tf.reshape(k, [a, c.kvHeads, 1, hd]) as tf.Tensor4D;
        const vNew = tf.reshape(v, [a, c.kvHeads, 1, hd]) as tf.Tensor4D;
        ks.push(kNew);
        vs.push(vNew);
        return attendBlocks(q, kNew, vNew, blocks, bias, c);
      },
    }); // [A, V]
    return { logits, ks, vs };
  });
  cache.append(ks, vs);
  try {
    return Float32Array.from(logits.dataSync() as Float32Array);
  } finally {
    logits.dispose();
  }
}
