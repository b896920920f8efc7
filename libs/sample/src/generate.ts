/**
 * Batched generation with a KV cache: one prefill pass over the (deduplicated, left-padded)
 * prompts, then one position per step for every sequence still running. Finished sequences
 * are dropped from the batch (cache rows compacted) once enough of them have finished, and
 * left padding no remaining row needs is trimmed off the cache.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@sieve/core';
import type { KVCache, Tokenizer, Transformer } from '@sieve/model';
import { trimLeft } from './cache-trim';
import { lastLogits } from './left-pad';
import { Sequence, type GenRequest, type GenResult, type GenerateParams } from './sequence';

export interface GenerateHooks {
  /** Each step's logits [A·V] for the running batch; `rows[i]` is the request index of row i (for tests). */
  onLogits?: (rows: readonly number[], logits: Float32Array, vocab: number) => void;
  /** Compact the batch once this fraction of its rows has finished (default 1/8; 0 = at every finish). */
  compactFraction?: number;
  /** After each decoding step, with the number of tokens generated in it. */
  onStep?: (tokens: number) => void;
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
  const compactFraction = hooks.compactFraction ?? 1 / 8;
  const cache = model.createCache();
  try {
    if (rows.length > 0) {
      const { unique, rowOf } = dedupe(rows.map((r) => (seqs[r] as Sequence).prompt));
      let logits = lastLogits(model, unique, tokenizer.padId, cache); // [U·V]
      const width = Math.max(...unique.map((p) => p.length));
      let pad = rowOf.map((u) => width - (unique[u] as readonly number[]).length); // left padding of each cache row
      if (unique.length !== rows.length) {
        cache.selectRows(rowOf); // fork each prompt's cache into its samples
        logits = expandRows(logits, rowOf, vocab);
      }
      const compact = (alive: number[]): void => {
        cache.selectRows(alive);
        rows = alive.map((i) => rows[i] as number);
        pad = alive.map((i) => pad[i] as number);
        const drop = Math.min(...pad); // padding every remaining row has
        if (drop > 0) {
          trimLeft(cache, drop);
          pad = pad.map((p) => p - drop);
        }
      };
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
        // Compact when enough rows finished, or when the padded cache would outgrow the context length
        // (a running row itself always fits: its budget stops it at the context length).
        if (rows.length - alive.length > compactFraction * rows.length || cache.length + 1 > contextLength) compact(alive);
        logits = decodeStep(model, cache, rows.map((r) => seqs[r] as Sequence), tokenizer.padId);
      }
    }
  } finally {
    cache.dispose();
  }
  return seqs.map((s) => s.result());
}

/** Feeds every row's last token at its position; finished rows (not compacted yet) feed padding. Returns [A·V]. */
function decodeStep(model: Transformer, cache: KVCache, seqs: readonly Sequence[], padId: number): Float32Array {
  const a = seqs.length;
  const tokens = tf.tensor2d(Int32Array.from(seqs, (s) => (s.done ? padId : s.lastToken)), [a, 1], 'int32');
  const positions = tf.tensor2d(Int32Array.from(seqs, (s) => s.lastPosition), [a, 1], 'int32');
  try {
    const logits = model.forward(tokens, { cache, positions }); // [A, 1, V]
    try {
      return Float32Array.from(logits.dataSync() as Float32Array);
    } finally {
      logits.dispose();
    }
  } finally {
    tf.dispose([tokens, positions]);
  }
}
