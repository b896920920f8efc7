/**
 * A batch being decoded: its block KV cache and the output projection, created by
 * `Transformer.prefill` and advanced one token per row by `step`. The sampler only sees token ids,
 * positions and logits; how the model computes them stays in libs/model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { BlockCache } from './block-cache';
import { decodeStep } from './decode-step';
import type { KVCache } from './kv-cache';
import { lastLogits, rowsPerForward } from './left-pad';
import { transpose2d } from './ops';
import type { Transformer } from './transformer';

export interface PrefillOptions {
  /** Token id the left padding uses (its keys are masked out). */
  padId: number;
  /** Most prompt tokens per prefill forward pass (default FORWARD_TOKENS; small values force chunking in tests). */
  forwardTokens?: number;
}

export class DecodeSession {
  private readonly head: tf.Tensor2D; // [D, V]
  private readonly ownsHead: boolean;

  /** Takes over `cache`. The output projection is read now: later changes to the weights are not seen. */
  constructor(
    private readonly model: Transformer,
    private readonly cache: BlockCache,
  ) {
    const w = model.weights();
    this.ownsHead = w.lmHead === null;
    this.head = w.lmHead ?? tf.tidy(() => transpose2d(w.embed)); // transposed once per session, not per step
  }

  /** Rows being decoded. */
  get batchSize(): number {
    return this.cache.batchSize;
  }

  /** Cached key columns (the padded prefill width plus one per step). */
  get length(): number {
    return this.cache.length;
  }

  /**
   * One new token per row: tokens [A] int ids at their absolute positions [A] → logits [A·V] on
   * the host (row-major). A must equal `batchSize`.
   */
  step(tokens: Int32Array, positions: Int32Array): Float32Array {
    return decodeStep(this.model.weights(), this.model.config, this.cache, tokens, positions, this.head);
  }

  /** Keeps only these rows, in this order: compaction of finished rows, or forking a row (rows may repeat). */
  selectRows(rows: readonly number[]): void {
    this.cache.selectRows(rows);
  }

  dispose(): void {
    this.cache.dispose();
    if (this.ownsHead) this.head.dispose();
  }
}

/**
 * One forward pass per chunk of prompts (left-padded to a common width, chunks bounded by
 * `forwardTokens` for memory), joined into one block cache; returns the session and the last
 * logits [P·V]. See `Transformer.prefill`.
 */
export function prefillSession(
  model: Transformer,
  prompts: readonly (readonly number[])[],
  opts: PrefillOptions,
): { session: DecodeSession; logits: Float32Array } {
  if (prompts.length === 0 || prompts.some((p) => p.length === 0)) {
    throw new SieveError('prefill needs at least one prompt and no empty prompt', { hint: 'start every prompt with the BOS token' });
  }
  const vocab = model.config.vocabSize;
  const width = Math.max(...prompts.map((p) => p.length));
  const per = rowsPerForward(width, opts.forwardTokens);
  const parts: KVCache[] = [];
  const logits = new Float32Array(prompts.length * vocab);
  let cache: BlockCache;
  try {
    for (let at = 0; at < prompts.length; at += per) {
      const kv = model.createCache();
      parts.push(kv);
      logits.set(lastLogits(model, prompts.slice(at, at + per), opts.padId, kv, width), at * vocab);
    }
    cache = BlockCache.fromKVCaches(parts);
  } catch (err) {
    for (const p of parts) p.dispose();
    throw err;
  }
  return { session: new DecodeSession(model, cache), logits };
}
