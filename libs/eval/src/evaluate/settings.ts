/** An evaluation's settings (what makes two evaluations comparable) and replacing an older row. */
import { stableStringify } from '@sieve/core';
import type { PromptSpec } from '@sieve/dataset';
import type { EngineIdentity } from '@sieve/sample';
import type { EvaluationInput, Store } from '@sieve/store';

export interface EvaluationSettings {
  n: number;
  temperature: number;
  topP: number;
  topK: number;
  greedy: boolean;
  passAtK: number[];
  maxNewTokens: number;
  stop: string[];
  seed: number;
  promptFormat: number;
  /** A non-tfjs engine's identity (kind, served model, extras): its evaluations never replace the tfjs ones. Absent for tfjs. */
  engine?: EngineIdentity;
  /** The verifier override, when one was given (absent: each question's set's own). */
  verifier?: string;
  /** The chat prompt format, when used (absent: plain): its evaluations never replace the plain ones. */
  prompt?: PromptSpec;
}

/** Settings with their defaults filled in (n 16, temperature 1, top-p 1, top-k 0, greedy on, pass@1 when n > 0). */
export function evaluationSettings(
  o: { n?: number; temperature?: number; topP?: number; topK?: number; greedy?: boolean; passAtK?: number[]; maxNewTokens: number; stop?: string[]; seed: number; verifier?: string },
  promptFormat: number,
): EvaluationSettings {
  const n = o.n ?? 16;
  return {
    n,
    temperature: o.temperature ?? 1,
    topP: o.topP ?? 1,
    topK: o.topK ?? 0,
    greedy: o.greedy ?? true,
    passAtK: [...new Set(o.passAtK ?? (n > 0 ? [1] : []))].sort((a, b) => a - b),
    maxNewTokens: o.maxNewTokens,
    stop: o.stop ?? [],
    seed: o.seed,
    promptFormat,
    ...(o.verifier ? { verifier: o.verifier } : {}),
  };
}

/**
 * Adds an evaluation row, deleting older rows of the same model, set, split and settings in the
 * same transaction (rows with other settings stay). Returns the new row's id.
 */
export function replaceEvaluation(store: Store, e: EvaluationInput): number {
  const key = stableStringify(e.settings);
  return store.transaction(() => {
    const old = store.evaluations.list({ modelId: e.modelId, set: e.set, split: e.split }).filter((r) => stableStringify(r.settings) === key);
    for (const r of old) store.evaluations.delete(r.id);
    return store.evaluations.add(e);
  });
}
