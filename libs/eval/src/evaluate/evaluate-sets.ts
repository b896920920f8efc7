/** Evaluating one model on several question sets (benchmarks), one `evaluateModel` call per set. */
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { evaluateModel, type EvaluateOptions, type EvaluateProgress, type SplitEvaluation } from './evaluate-model';

export interface EvaluateSetsOptions extends Omit<EvaluateOptions, 'set' | 'splits' | 'onProgress'> {
  sets: string[];
  /** Splits evaluated in every set; default: every split of each set. */
  splits?: string[];
  onProgress?: (p: EvaluateProgress & { set: string }) => void;
}

export type SetEvaluation = SplitEvaluation & { set: string };

/**
 * Evaluates a model on each set in turn (each with `evaluateModel`: one stored evaluation per
 * split); results in set order, then split order. A set without questions is an InputError
 * before anything runs.
 */
export async function evaluateSets(store: Store, o: EvaluateSetsOptions): Promise<SetEvaluation[]> {
  const summary = store.questions.summary();
  const plan = [...new Set(o.sets)].map((set) => {
    const splits = o.splits ?? [...new Set(summary.filter((s) => s.set === set).map((s) => s.split))];
    if (splits.length === 0) {
      throw new InputError(`no questions in set "${set}"`, { where: '--questions', hint: 'see `sieve questions list` for the sets of this run' });
    }
    return { set, splits };
  });
  const { sets: _sets, onProgress, ...rest } = o;
  const out: SetEvaluation[] = [];
  for (const { set, splits } of plan) {
    const res = await evaluateModel(store, { ...rest, set, splits, ...(onProgress ? { onProgress: (p: EvaluateProgress) => onProgress({ ...p, set }) } : {}) });
    out.push(...res.map((r) => ({ ...r, set })));
  }
  return out;
}
