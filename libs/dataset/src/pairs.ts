import type { JudgedSample } from '@sieve/store';
import { applyFilterRules, type FilterDecision } from './filter-rules';
import type { FilterRules, FilterRulesInput } from './rules-schema';

/** A DPO pair: two responses to one question, the accepted one kept by the rules, the rejected one wrong. */
export interface PreferencePair {
  questionId: number;
  accepted: JudgedSample;
  rejected: JudgedSample;
}

export interface PairOptions {
  /** At most this many pairs per question (default: one per accepted sample). */
  maxPairsPerQuestion?: number;
}

/**
 * Pairs the kept samples of each question with its wrong ones. Deterministic: the i-th
 * accepted sample (input order) gets the i-th rejected one, cycling when there are fewer;
 * incorrect samples come before unparseable ones (a near miss teaches more than garbage).
 * A question with no wrong sample gives no pair.
 */
export function pairUp(decisions: readonly FilterDecision[], opts: PairOptions = {}): PreferencePair[] {
  const max = opts.maxPairsPerQuestion ?? Infinity;
  const groups = new Map<number, { accepted: JudgedSample[]; incorrect: JudgedSample[]; unparseable: JudgedSample[] }>();
  for (const d of decisions) {
    const q = d.sample.questionId;
    let g = groups.get(q);
    if (!g) groups.set(q, (g = { accepted: [], incorrect: [], unparseable: [] }));
    if (d.kept) g.accepted.push(d.sample);
    else if (d.sample.status === 'incorrect') g.incorrect.push(d.sample);
    else if (d.sample.status === 'unparseable') g.unparseable.push(d.sample);
  }
  const pairs: PreferencePair[] = [];
  for (const [questionId, g] of groups) {
    const pool = [...g.incorrect, ...g.unparseable];
    if (!pool.length) continue;
    g.accepted.slice(0, max).forEach((accepted, i) => {
      pairs.push({ questionId, accepted, rejected: pool[i % pool.length] as JudgedSample });
    });
  }
  return pairs;
}

/** Applies the rules to a run's judged samples, then pairs accepted with rejected samples. */
export function buildPairs(
  judged: readonly JudgedSample[],
  opts: PairOptions & { rules?: FilterRulesInput | FilterRules } = {},
): PreferencePair[] {
  return pairUp(applyFilterRules(judged, opts.rules ?? {}).decisions, opts);
}
