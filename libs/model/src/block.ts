/**
 * The transformer, written once: token embedding; per layer RMSNorm → q/k/v projections (with
 * biases when the architecture has them) → RoPE → attention → output projection → residual,
 * RMSNorm → SwiGLU MLP → residual; final RMSNorm; output head (tied embedding or `lm_head`).
 *
 * Only the attention over keys differs between the ways the model runs, so it is a parameter
 * (`Attend`): the full/KV-cached forward (attention.ts, `Transformer.forward`) and the one-token
 * decode step on the block cache (decode-step.ts) pass their own, everything else is shared.
 * Activations stay 2-D [N, D] (N = rows × new tokens) so every weight matmul is one plain GEMM.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerWeights, ModelWeights } from './architecture';
import type { ModelConfig } from './config';
import { embedding, linear, rmsNorm, swiglu, transpose2d } from './ops';
import { applyRope, ropeTablePair, type RopeTables } from './rope';

/**
 * Attention of layer `layer` over its keys: q [N, H, hd] (rotated, 1/√hd folded in), the new
 * keys k [N, K, hd] (rotated) and values v [N, K·hd] → the attended heads [N, H·hd], before the
 * output projection. The implementation adds the cached keys/values and keeps the new ones.
 */
export type Attend = (layer: number, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor2D) => tf.Tensor2D;

export interface DecoderInput {
  tokens: tf.Tensor1D; // [N] int32
  positions: tf.Tensor1D; // [N] int32 absolute positions (RoPE)
  attend: Attend;
  /** The rows of the last hidden state [N, D] to compute logits for (e.g. each sequence's last); default all. */
  rows?: (x: tf.Tensor2D) => tf.Tensor2D;
  /** The output projection [D, V] when the caller holds it already (decoding); default `outputHead(w)`. */
  head?: tf.Tensor2D;
}

/** x [N, in] · w [in, out] (+ b [out]) → [N, out]. */
function project(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
  const y = linear(x, w);
  return b ? tf.add(y, b) : y;
}

/** One block: x [N, D] → [N, D]. */
export function decoderBlock(x: tf.Tensor2D, w: LayerWeights, layer: number, c: ModelConfig, rope: { q: RopeTables; k: RopeTables }, attend: Attend): tf.Tensor2D {
  const n = x.shape[0];
  const hd = c.dim / c.heads;
  const h = rmsNorm(x, w.attnNorm, c.normEps);
  const q = applyRope(tf.reshape(project(h, w.wq, w.bq), [n, c.heads, hd]) as tf.Tensor3D, rope.q); // [N, H, hd]
  const k = applyRope(tf.reshape(project(h, w.wk, w.bk), [n, c.kvHeads, hd]) as tf.Tensor3D, rope.k); // [N, K, hd]
  const v = project(h, w.wv, w.bv); // [N, K·hd]
  const attended = tf.add(x, linear(attend(layer, q, k, v), w.wo)) as tf.Tensor2D;
  const hn = rmsNorm(attended, w.mlpNorm, c.normEps);
  const gated = swiglu(linear(hn, w.gate), linear(hn, w.up)); // [N, M]
  return tf.add(attended, linear(gated, w.down)) as tf.Tensor2D;
}

/** The output projection [D, V]: the embedding transposed (a new tensor) or `lm_head` (the variable itself). */
export function outputHead(w: ModelWeights): tf.Tensor2D {
  return w.lmHead ?? transpose2d(w.embed);
}

/** tokens [N] → logits [N', V] (N' = the rows selected, default N). Call inside `tf.tidy`. */
export function runDecoder(w: ModelWeights, c: ModelConfig, input: DecoderInput): tf.Tensor2D {
  const hd = c.dim / c.heads;
  const rope = ropeTablePair(input.positions, hd, c.ropeTheta, 1 / Math.sqrt(hd));
  let x = embedding(input.tokens, w.embed); // [N, D]
  w.layers.forEach((lw, i) => {
    x = decoderBlock(x, lw, i, c, rope, input.attend);
  });
  const rows = input.rows ? input.rows(x) : x;
  return linear(rmsNorm(rows, w.finalNorm, c.normEps), input.head ?? outputHead(w)); // [N', V]
}
