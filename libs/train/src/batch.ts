/**
 * Right-padded batches of variable-length sequences. With causal attention a pad token sits
 * after every real token of its row, so no real position can see it: no key mask is needed,
 * and the loss mask keeps pads (and prompts) out of the loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lossTokens, type PairExample, type SeqExample } from './examples';

export interface TokenBatch {
  rows: number;
  /** Padded length T = longest row's ids − 1. */
  length: number;
  inputs: Int32Array; // [B, T]
  targets: Int32Array; // [B, T]
  mask: Float32Array; // [B, T] 1 on response tokens and EOS
  /** Loss tokens (Σ mask). */
  tokens: number;
  /** Rows with at least one loss token. */
  sequences: number;
  /** Real (non-pad) input tokens, for throughput. */
  inputTokens: number;
  /** The reference model's cached outputs (reference-cache.ts), when every row has them; 0 at pads. */
  ref?: BatchReference;
}

export interface BatchReference {
  logProbs?: Float32Array; // [B, T] iw-sft
  seqLogProbs?: Float32Array; // [B] dpo
  logits?: Float32Array; // [B, T, V] asft
  vocab?: number; // V of logits
}

/** The rows' cached reference values laid out like the batch, or undefined unless every row has them. */
function collateReference(examples: readonly SeqExample[], length: number): BatchReference | undefined {
  const refs = examples.map((e) => e.ref);
  const rows = examples.length;
  if (rows === 0 || refs.some((r) => r === undefined)) return undefined;
  const all = refs as NonNullable<SeqExample['ref']>[];
  if (all.every((r) => r.seqLogProb !== undefined)) return { seqLogProbs: Float32Array.from(all, (r) => r.seqLogProb as number) };
  if (all.every((r) => r.logProbs !== undefined)) {
    const out = new Float32Array(rows * length);
    all.forEach((r, b) => out.set(r.logProbs as Float32Array, b * length));
    return { logProbs: out };
  }
  if (all.every((r) => r.logits !== undefined)) {
    const n0 = Math.max(1, (examples[0] as SeqExample).ids.length - 1);
    const vocab = (all[0]?.logits as Float32Array).length / n0;
    const out = new Float32Array(rows * length * vocab);
    all.forEach((r, b) => out.set(r.logits as Float32Array, b * length * vocab));
    return { logits: out, vocab };
  }
  return undefined;
}

export function collate(examples: readonly SeqExample[], padId: number): TokenBatch {
  const rows = examples.length;
  const length = Math.max(1, ...examples.map((e) => e.ids.length - 1));
  const inputs = new Int32Array(rows * length).fill(padId);
  const targets = new Int32Array(rows * length).fill(padId);
  const mask = new Float32Array(rows * length);
  let tokens = 0;
  let sequences = 0;
  let inputTokens = 0;
  examples.forEach((e, b) => {
    const n = e.ids.length - 1;
    for (let t = 0; t < n; t++) {
      const i = b * length + t;
      inputs[i] = e.ids[t] as number;
      targets[i] = e.ids[t + 1] as number;
      if (t + 1 >= e.responseStart) mask[i] = 1;
    }
    const k = lossTokens(e);
    tokens += k;
    if (k > 0) sequences++;
    inputTokens += Math.max(0, n);
  });
  const ref = collateReference(examples, length);
  return { rows, length, inputs, targets, mask, tokens, sequences, inputTokens, ...(ref ? { ref } : {}) };
}

/** The chosen responses in rows 0..P−1, the rejected ones in rows P..2P−1. */
export function collatePairs(pairs: readonly PairExample[], padId: number): TokenBatch {
  return collate([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId);
}

export interface BatchTensors {
  inputs: tf.Tensor2D; // [B, T] int32
  targets: tf.Tensor2D; // [B, T] int32
  mask: tf.Tensor2D; // [B, T] float32
}

export function batchTensors(b: TokenBatch): BatchTensors {
  return {
    inputs: tf.tensor2d(b.inputs, [b.rows, b.length], 'int32'),
    targets: tf.tensor2d(b.targets, [b.rows, b.length], 'int32'),
    mask: tf.tensor2d(b.mask, [b.rows, b.length], 'float32'),
  };
}

export function disposeBatch(t: BatchTensors): void {
  t.inputs.dispose();
  t.targets.dispose();
  t.mask.dispose();
}
