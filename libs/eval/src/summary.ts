import { InputError } from '@sieve/core';
import { avgAtN, greedyAccuracy, meanPassAtK, type QuestionCount } from './metrics';

/** The numeric fields of one evaluation (store's EvaluationInput), from raw per-question outcomes. */
export interface EvaluationSummary {
  /** Samples per question (the smallest, if they differ); 0 when nothing was sampled. */
  n: number;
  questions: number;
  avgAtN: number | null;
  greedy: number | null;
  /** Keyed by k as a string, as the store keeps it. */
  passAtK: Record<string, number>;
}

/**
 * avg@N, greedy accuracy and pass@k for one model on one split. `sampled` may be empty (greedy
 * only) and `greedyCorrect` null (sampling only); every k must be ≤ the samples of every question.
 */
export function summarizeEvaluation(sampled: readonly QuestionCount[], greedyCorrect: readonly boolean[] | null, ks: readonly number[]): EvaluationSummary {
  if (sampled.length === 0 && (greedyCorrect === null || greedyCorrect.length === 0)) {
    throw new InputError('an evaluation needs sampled or greedy results for at least one question', { where: '@sieve/eval summarizeEvaluation', hint: 'check the split has questions' });
  }
  if (sampled.length && greedyCorrect && greedyCorrect.length && greedyCorrect.length !== sampled.length) {
    throw new InputError(`sampled results cover ${sampled.length} questions but greedy results ${greedyCorrect.length}`, {
      where: '@sieve/eval summarizeEvaluation',
      hint: 'evaluate both on the same questions, in the same order',
    });
  }
  const passAtK: Record<string, number> = {};
  if (sampled.length) for (const k of [...new Set(ks)].sort((a, b) => a - b)) passAtK[String(k)] = meanPassAtK(sampled, k);
  return {
    n: sampled.length ? Math.min(...sampled.map((q) => q.n)) : 0,
    questions: sampled.length || (greedyCorrect?.length ?? 0),
    avgAtN: sampled.length ? avgAtN(sampled) : null,
    greedy: greedyCorrect && greedyCorrect.length ? greedyAccuracy(greedyCorrect) : null,
    passAtK,
  };
}
