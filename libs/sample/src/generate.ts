/**
 * Batched generation with a KV cache: one prefill pass (`Transformer.forward` with a KVCache)
 * over the deduplicated, left-padded prompts, forked into one cache row per sample; then one
 * position per step for every sequence still running (`decodeStep` on a block cache). Finished
 * sequences are dropped from the batch (cache rows compacted) once enough of them have finished.
 */
import { InputError } from '@sieve/core';
import type { KVCache, Tokenizer, Transformer } from '@sieve/model';
import { BlockCache } from './block-cache';
import { decodeStep, outputProjection } from './decode-step';
import { lastLogits, rowsPerForward } from './left-pad';
import { Sequence, type GenRequest, type GenResult, type GenerateParams } from './sequence';

export interface GenerateHooks {
  /** Each step's logits [A·V] for the running batch; `rows[i]` is the request index of row i (for tests). */
  onLogits?: (rows: readonly number[], logits: Float32Array, vocab: number) => void;
  /** Compact the batch once this fraction of its rows has finished (default 1/8; 0 = at every finish). */
  compactFraction?: number;
  /** After each decoding step, with the number of tokens generated in it. */
  onStep?: (tokens: number) => void;
  /** Most prompt tokens per prefill forward pass (default FORWARD_TOKENS; small values force chunking in tests). */
  forwardTokens?: number;
}

/** Checks sampling settings at the edge; `where` names their source in errors. */
export function checkGenerateParams(p: GenerateParams, where = 'generation settings'): void {
  const fail = (field: string, msg: string, hint: string): never => {
    throw new InputError(`${field} ${msg}`, { where, hint });
  };
  if (!(p.temperature >= 0) || !Number.isFinite(p.temperature)) fail('temperature', `must be ≥ 0, got ${p.temperature}`, 'use 0 for greedy decoding, 1 for the model distribution');
  if (!Number.isInteger(p.topK) || p.topK < 0) fail('top-k', `must be an integer ≥ 0, got ${p.topK}`, 'use 0 to turn top-k off');
  if (!(p.topP > 0 && p.topP <= 1)) fail('top-p', `must be in (0, 1], got ${p.topP}`, 'use 1 to turn top-p off');
  if (!Number.isInteger(p.maxNewTokens) || p.maxNewTokens < 1) fail('max new tokens', `must be an integer ≥ 1, got ${p.maxNewTokens}`, 'e.g. 256');
}

/** Prompts of the batch without repeats, and which unique prompt each row uses. */
function dedupe(prompts: readonly (readonly number[])[]): { unique: (readonly number[])[]; rowOf: number[] } {
  const index = new Map<string, number>();
  const unique: (readonly number[])[] = [];
  const rowOf = prompts.map((p) => {
    const key = p.join(',');
    let i = index.get(key);
    if (i === undefined) {
      i = unique.length;
      index.set(key, i);
      unique.push(p);
    }
    return i;
  });
  return { unique, rowOf };
}

/**
 * One forward pass per chunk of prompts (left-padded to a common width, chunks bounded by
 * FORWARD_TOKENS for memory), joined into one block cache; returns it and the last logits [U·V].
 */
function prefill(model: Transformer, prompts: readonly (readonly number[])[], padId: number, budget?: number): { cache: BlockCache; logits: Float32Array } {
  const width = Math.max(...prompts.map((p) => p.length));
  const per = rowsPerForward(width, budget);
  const parts: KVCache[] = [];
  const logits = new Float32Array(prompts.length * model.config.vocabSize);
  try {
    for (let at = 0; at < prompts.length; at += per) {
      const kv = model.createCache();
      parts.push(kv);
      logits.set(lastLogits(model, prompts.slice(at, at + per), padId, kv, width), at * model.config.vocabSize);
    }
  } catch (err) {
    for (const p of parts) p.dispose();
    throw err;
  }
  return { cache: BlockCache.fromKVCaches(parts), logits };
}

/** Repeats rows of a [U·V] block: out row i = in row `rowOf[i]`. */
function expandRows(logits: Float32Array, rowOf: readonly number[], vocab: number): Float32Array {
  const out = new Float32Array(rowOf.length * vocab);
  rowOf.forEach((u, i) => out.set(logits.subarray(u * vocab, (u + 1) * vocab), i * vocab));
  return out;
}

/**
 * Generates one completion per request, all in one batch; results in request order.
 * Needs an initialised backend. Each request's tokens depend only on its prompt, its seed and
 * the model (not on the rest of the batch), up to float rounding in the batched kernels.
 */
export function generate(model: Transformer, tokenizer: Tokenizer, requests: readonly GenRequest[], params: GenerateParams, hooks: GenerateHooks = {}): GenResult[] {
  checkGenerateParams(params);
  const { vocabSize: vocab, contextLength } = model.config;
  const seqs = requests.map((r) => new Sequence(r.prompt, r.seed, params, tokenizer, contextLength));
  let rows = seqs.flatMap((s, i) => (s.done ? [] : [i])); // request index of each cache row
  if (rows.length === 0) return seqs.map((s) => s.result());
  const compactFraction = hooks.compactFraction ?? 1 / 8;
  const { unique, rowOf } = dedupe(rows.map((r) => (seqs[r] as Sequence).prompt));
  const { cache, logits: prefillLogits } = prefill(model, unique, tokenizer.padId, hooks.forwardTokens); // [U·V]
  let logits = prefillLogits;
  if (unique.length !== rows.length) {
    try {
      cache.selectRows(rowOf); // fork each prompt's cache into its samples
    } catch (err) {
      cache.dispose();
      throw err;
    }
    logits = expandRows(logits, rowOf, vocab);
  }
  const embedT = outputProjection(model);
  try {
    for (;;) {
      hooks.onLogits?.(rows, logits, vocab);
      const alive: number[] = []; // cache rows still running after this step
      let stepped = 0;
      rows.forEach((r, i) => {
        const s = seqs[r] as Sequence;
        if (s.done) return;
        s.step(logits, i * vocab, vocab);
        stepped++;
        if (!s.done) alive.push(i);
      });
      hooks.onStep?.(stepped);
      if (alive.length === 0) break;
      if (rows.length - alive.length > compactFraction * rows.length) {
        cache.selectRows(alive);
        rows = alive.map((i) => rows[i] as number);
      }
      const running = rows.map((r) => seqs[r] as Sequence);
      // Finished rows not compacted yet feed padding; their outputs are ignored.
      const tokens = Int32Array.from(running, (s) => (s.done ? tokenizer.padId : s.lastToken));
      const positions = Int32Array.from(running, (s) => s.lastPosition);
      logits = decodeStep(model, cache, tokens, positions, embedT);
    }
  } finally {
    cache.dispose();
    embedT.dispose();
  }
  return seqs.map((s) => s.result());
}
