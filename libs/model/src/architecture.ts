/**
 * The architecture descriptor: what differs between the decoder-only families sieve runs, in one
 * place. Today: sieve's own model (no biases, tied embeddings). A Qwen2 checkpoint is the same block
 * with `qkvBias` and (for the larger sizes) an untied `lm_head`; LLaMA is the block as it is with an
 * untied head. A new family adds a flag here (config.ts validates it), its parameters to
 * `paramShapes`, their typed handles to `bindWeights`, and their use to the one block in block.ts.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import type { ModelConfig } from './config';

export interface Architecture {
  /** q, k, v projections add a bias (Qwen2); o and the MLP never do. */
  qkvBias: boolean;
  /** Logits through the embedding matrix transposed (true) or through a separate `lm_head` [D, V]. */
  tiedEmbeddings: boolean;
}

/** The flags of a config with their defaults (today's model: no biases, tied embeddings). */
export function architectureOf(c: ModelConfig): Architecture {
  return { qkvBias: c.qkvBias ?? false, tiedEmbeddings: c.tieEmbeddings ?? true };
}

/**
 * Parameter names and shapes in a fixed order (the checkpoint order). Weights are [in, out].
 * Parameters of a flag that is off are absent, so checkpoints written without them load unchanged.
 */
export function paramShapes(c: ModelConfig): [string, number[]][] {
  const arch = architectureOf(c);
  const hd = c.dim / c.heads;
  const out: [string, number[]][] = [['embed', [c.vocabSize, c.dim]]];
  for (let i = 0; i < c.layers; i++) {
    const p = `layers.${i}`;
    out.push(
      [`${p}.attn_norm`, [c.dim]],
      [`${p}.attn.wq`, [c.dim, c.heads * hd]],
      [`${p}.attn.wk`, [c.dim, c.kvHeads * hd]],
      [`${p}.attn.wv`, [c.dim, c.kvHeads * hd]],
    );
    if (arch.qkvBias) out.push([`${p}.attn.bq`, [c.heads * hd]], [`${p}.attn.bk`, [c.kvHeads * hd]], [`${p}.attn.bv`, [c.kvHeads * hd]]);
    out.push(
      [`${p}.attn.wo`, [c.heads * hd, c.dim]],
      [`${p}.mlp_norm`, [c.dim]],
      [`${p}.mlp.gate`, [c.dim, c.mlpDim]],
      [`${p}.mlp.up`, [c.dim, c.mlpDim]],
      [`${p}.mlp.down`, [c.mlpDim, c.dim]],
    );
  }
  out.push(['final_norm', [c.dim]]);
  if (!arch.tiedEmbeddings) out.push(['lm_head', [c.dim, c.vocabSize]]);
  return out;
}

/** One block's parameters; a bias is null when the architecture has none. */
export interface LayerWeights {
  attnNorm: tf.Tensor1D; // [D]
  wq: tf.Tensor2D; // [D, H·hd]
  wk: tf.Tensor2D; // [D, K·hd]
  wv: tf.Tensor2D; // [D, K·hd]
  bq: tf.Tensor1D | null; // [H·hd]
  bk: tf.Tensor1D | null; // [K·hd]
  bv: tf.Tensor1D | null; // [K·hd]
  wo: tf.Tensor2D; // [H·hd, D]
  mlpNorm: tf.Tensor1D; // [D]
  gate: tf.Tensor2D; // [D, M]
  up: tf.Tensor2D; // [D, M]
  down: tf.Tensor2D; // [M, D]
}

export interface ModelWeights {
  embed: tf.Tensor2D; // [V, D]
  layers: LayerWeights[];
  finalNorm: tf.Tensor1D; // [D]
  /** [D, V], or null when the output projection is the tied embedding. */
  lmHead: tf.Tensor2D | null;
}

/** Typed handles on a model's parameters (no copies); throws if one the config needs is missing. */
export function bindWeights(c: ModelConfig, params: Readonly<Record<string, tf.Tensor>>): ModelWeights {
  const arch = architectureOf(c);
  const get = <T extends tf.Tensor>(name: string): T => {
    const v = params[name];
    if (!v) throw new SieveError(`model has no parameter ${name}`);
    return v as T;
  };
  const layers = Array.from({ length: c.layers }, (_, i): LayerWeights => {
    const p = `layers.${i}`;
    const bias = (n: string): tf.Tensor1D | null => (arch.qkvBias ? get<tf.Tensor1D>(`${p}.attn.${n}`) : null);
    return {
      attnNorm: get(`${p}.attn_norm`),
      wq: get(`${p}.attn.wq`),
      wk: get(`${p}.attn.wk`),
      wv: get(`${p}.attn.wv`),
      bq: bias('bq'),
      bk: bias('bk'),
      bv: bias('bv'),
      wo: get(`${p}.attn.wo`),
      mlpNorm: get(`${p}.mlp_norm`),
      gate: get(`${p}.mlp.gate`),
      up: get(`${p}.mlp.up`),
      down: get(`${p}.mlp.down`),
    };
  });
  return { embed: get('embed'), layers, finalNorm: get('final_norm'), lmHead: arch.tiedEmbeddings ? null : get<tf.Tensor2D>('lm_head') };
}
