/**
 * Batched generation with a KV cache: one prefill (`model.prefill`) over the deduplicated prompts,
 * forked into one cache row per sample; then one position per step for every sequence still
 * running (`session.step`). Finished sequences are dropped from the batch (cache rows compacted)
 * once enough of them have finished. How the model computes logits is libs/model's business.
 */
import { InputError } from '@sieve/core';
import type { Tokenizer, Transformer } from '@sieve/model';
import { Sequence, type GenRequest, type GenResult, type GenerateParams } from './sequence';

export interface GenerateHooks {
  /** Each step's logits [A·V] for the running batch; `rows[i]` is the request index of row i (for tests). */
  onLogits?: (rows: readonly number[], logits: Float32Array, vocab: number) => void;
  /** Compact the batch once this fraction of its rows has finished (default 1/8; 0 = at every finish). */
  compactFraction?: number;
  /** After each decoding step, with the number of tokens generated in it. */
  onStep?: (tokens: number) => void;
  /** Most prompt tokens per prefill forward pass (default: the model's FORWARD_TOKENS; small values force chunking in tests). */
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
  const { session, logits: prefillLogits } = model.prefill(unique, { padId: tokenizer.padId, ...(hooks.forwardTokens !== undefined ? { forwardTokens: hooks.forwardTokens } : {}) }); // [U·V]
  let logits = prefillLogits;
  try {
    if (unique.length !== rows.length) {
      session.selectRows(rowOf); // fork each prompt's cache into its samples
      logits = expandRows(logits, rowOf, vocab);
    }
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
        session.selectRows(alive);
        rows = alive.map((i) => rows[i] as number);
      }
      const running = rows.map((r) => seqs[r] as Sequence);
      // Finished rows not compacted yet feed padding; their outputs are ignored.
      const tokens = Int32Array.from(running, (s) => (s.done ? tokenizer.padId : s.lastToken));
      const positions = Int32Array.from(running, (s) => s.lastPosition);
      logits = session.step(tokens, positions);
    }
  } finally {
    session.dispose();
  }
  return seqs.map((s) => s.result());
}
