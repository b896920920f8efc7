import type { JudgedSample } from '@sieve/store';
import { emptyDropCounts, parseFilterRules, type DropReason, type FilterRules, type FilterRulesInput } from './rules-schema';
import { equationKey, normaliseResponse, selectMostDifferent } from './text-keys';

export interface FilterDecision {
  sample: JudgedSample;
  kept: boolean;
  /** The first rule that dropped it (see DROP_REASONS for the order); null when kept. */
  reason: DropReason | null;
}

export interface FilterCounts {
  total: number;
  kept: number;
  dropped: Record<DropReason, number>;
}

export interface FilterResult {
  rules: FilterRules;
  /** One per input sample, in input order. */
  decisions: FilterDecision[];
  counts: FilterCounts;
}

/** Per-sample rules, in order: verdict, truncation, length, calculator steps. */
function sampleReason(s: JudgedSample, rules: FilterRules): DropReason | null {
  if (s.status === null) return 'unverified';
  if (s.status !== 'correct') return s.status;
  if (rules.finish === 'stop' && s.finishReason !== 'stop') return 'truncated';
  if (rules.minLength !== undefined && s.text.length < rules.minLength) return 'too-short';
  if (rules.maxLength !== undefined && s.text.length > rules.maxLength) return 'too-long';
  if (rules.requireSteps && (s.stepsWrong ?? 0) > 0) return 'wrong-step';
  return null;
}

/** Indices of the samples of each question, in input order. */
function byQuestion(judged: readonly JudgedSample[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const [i, s] of judged.entries()) {
    const g = groups.get(s.questionId);
    if (g) g.push(i);
    else groups.set(s.questionId, [i]);
  }
  return groups;
}

/** Pass rate of each question: correct samples / all its samples in the input. */
export function passRates(judged: readonly JudgedSample[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const [q, idx] of byQuestion(judged)) {
    out.set(q, idx.filter((i) => judged[i]?.status === 'correct').length / idx.length);
  }
  return out;
}

/** Marks all but the first sample of each key as dropped with `reason`; returns the survivors. */
function dropRepeats(idx: number[], keyOf: (i: number) => string, reasons: (DropReason | null)[], reason: DropReason): number[] {
  const seen = new Set<string>();
  return idx.filter((i) => {
    const key = keyOf(i);
    if (seen.has(key)) {
      reasons[i] = reason;
      return false;
    }
    seen.add(key);
    return true;
  });
}

/**
 * Decides, for every sample of a run, kept or dropped with exactly one reason. Rules apply in
 * the order of DROP_REASONS; de-duplication and the cap work per question on the samples that
 * passed the earlier rules, keeping the earliest in input order. Under `dedup: 'equations'` the
 * cap keeps the most different equation lists (greedy max-min Levenshtein), otherwise the first.
 */
export function applyFilterRules(judged: readonly JudgedSample[], rulesInput: FilterRulesInput | FilterRules = {}): FilterResult {
  const rules = parseFilterRules(rulesInput);
  const reasons = judged.map((s) => sampleReason(s, rules));
  const rates = passRates(judged);
  const text = (i: number): string => (judged[i] as JudgedSample).text;

  for (const [q, idx] of byQuestion(judged)) {
    let alive = idx.filter((i) => reasons[i] === null);
    const rate = rates.get(q) as number;
    if (rules.passRate && (rate < rules.passRate[0] || rate > rules.passRate[1])) {
      for (const i of alive) reasons[i] = 'pass-rate';
      continue;
    }
    alive = dropRepeats(alive, text, reasons, 'duplicate-exact');
    alive = dropRepeats(alive, (i) => normaliseResponse(text(i)), reasons, 'duplicate-normalised');
    const eqKeys = new Map(rules.dedup === 'equations' ? alive.map((i) => [i, equationKey(text(i))]) : []);
    if (rules.dedup === 'equations') alive = dropRepeats(alive, (i) => eqKeys.get(i) as string, reasons, 'duplicate-equations');
    const cap = rules.maxPerQuestion;
    if (cap !== undefined && alive.length > cap) {
      const keep =
        rules.dedup === 'equations'
          ? new Set(selectMostDifferent(alive.map((i) => eqKeys.get(i) as string), cap).map((j) => alive[j] as number))
          : new Set(alive.slice(0, cap));
      for (const i of alive) if (!keep.has(i)) reasons[i] = 'over-cap';
    }
  }

  const decisions = judged.map((sample, i) => ({ sample, kept: reasons[i] === null, reason: reasons[i] ?? null }));
  return { rules, decisions, counts: countDecisions(decisions) };
}

export function countDecisions(decisions: readonly Pick<FilterDecision, 'kept' | 'reason'>[]): FilterCounts {
  const dropped = emptyDropCounts();
  let kept = 0;
  for (const d of decisions) {
    if (d.kept) kept++;
    else if (d.reason) dropped[d.reason]++;
  }
  return { total: decisions.length, kept, dropped };
}
