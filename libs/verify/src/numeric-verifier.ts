import { InputError } from '@sieve/core';
import { answersMatch, DEFAULT_REL_TOL, toleranceOf } from './equivalence';
import { extractAnswer, type ExtractionRule } from './extract';
import { parseAnswer, type ParsedAnswer } from './parse-answer';
import { checkSteps } from './steps';

export type VerdictStatus = 'correct' | 'incorrect' | 'unparseable';

export interface Verdict {
  status: VerdictStatus;
  /** The extracted answer text, or null when nothing could be extracted. */
  extracted: string | null;
  extractedBy: ExtractionRule | null;
  gold: string;
  /** One short sentence a person can read. */
  reason: string;
  steps: { total: number; wrong: number; unchecked: number };
}

export interface VerifyOptions {
  /** Relative tolerance for non-integer golds (integer golds need the exact value). */
  relTol?: number;
  /** Wall-clock budget of one verdict in ms (the `math` verifier; default 100). A verdict that runs out is `unparseable` with reason `timeout`. */
  timeBudgetMs?: number;
}

export type Verifier = (response: string, gold: string, opts: VerifyOptions) => Verdict;

/** Shortened for reasons, so a 10,000-digit answer does not make a 10,000-character sentence. */
function show(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

/**
 * The gold answer as one number. A bare gold (`18`, `$1,200`, `\frac{1}{2}`, `x = 5`) is read
 * whole; a solution is read at its marked final answer (`\boxed{…}` or `#### N`). A gold is
 * never reduced to one of its numbers: `\frac{1}{2^{10}}`, `\pm 3`, `9:30`, `4 and 27` or
 * `(4, 5)` is not one number, so it throws InputError naming it (use the `math` verifier).
 */
export function parseGold(gold: string): { text: string; value: ParsedAnswer } {
  const ex = extractAnswer(gold);
  const marked = ex !== null && (ex.rule === 'boxed' || ex.rule === 'hashes') && ex.cutOff !== true;
  const text = marked ? ex.raw : gold.trim();
  const value = parseAnswer(text);
  if (!value) {
    throw new InputError(`gold answer is not one number: "${show(gold)}"`, {
      where: 'gold answer',
      hint:
        'give the gold as one number (18, 1/2, \\frac{1}{2}, 50%) or a solution ending in "#### N"; ' +
        'for tuples, sets, intervals, expressions or \\pm use the math verifier',
    });
  }
  return { text, value };
}

/** The built-in `numeric` verifier: extract, compare as exact rationals, check annotations. */
export const numericVerifier: Verifier = (response, gold, opts) => {
  const tol = toleranceOf(opts.relTol ?? DEFAULT_REL_TOL);
  const g = parseGold(gold);
  const report = checkSteps(response);
  const steps = { total: report.total, wrong: report.wrong, unchecked: report.unchecked };
  const base = { gold, steps };
  const ex = extractAnswer(response);
  if (!ex) {
    return { ...base, status: 'unparseable', extracted: null, extractedBy: null, reason: 'no number in response' };
  }
  const found = { extracted: ex.raw, extractedBy: ex.rule };
  if (ex.cutOff) {
    return { ...base, ...found, status: 'unparseable', reason: 'the final \\boxed{ is cut off (never closed)' };
  }
  const pred = parseAnswer(ex.raw);
  if (!pred) {
    return { ...base, ...found, status: 'unparseable', reason: `${ex.rule} answer "${show(ex.raw)}" is not a number` };
  }
  if (answersMatch(pred, g.value, tol)) {
    return { ...base, ...found, status: 'correct', reason: `matches gold ${show(g.text)}` };
  }
  return { ...base, ...found, status: 'incorrect', reason: `extracted ${show(ex.raw)} ≠ gold ${show(g.text)}` };
};
