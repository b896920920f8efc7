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
}

export type Verifier = (response: string, gold: string, opts: VerifyOptions) => Verdict;

/** Shortened for reasons, so a 10,000-digit answer does not make a 10,000-character sentence. */
function show(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

/**
 * The gold answer as a number. Bare (`18`, `$1,200`, `\frac{1}{2}`) or a full solution
 * ending in `#### N`: the same extraction applies. Throws InputError when there is none.
 */
export function parseGold(gold: string): { text: string; value: ParsedAnswer } {
  const ex = extractAnswer(gold);
  const value = ex ? parseAnswer(ex.raw) : null;
  if (!ex || !value) {
    throw new InputError(`gold answer has no parseable number: "${show(gold)}"`, {
      where: 'gold answer',
      hint: 'give the gold as a number (18, 1/2, \\frac{1}{2}, 50%) or a solution ending in "#### N"',
    });
  }
  return { text: ex.raw, value };
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
  const pred = parseAnswer(ex.raw);
  if (!pred) {
    return { ...base, ...found, status: 'unparseable', reason: `${ex.rule} answer "${show(ex.raw)}" is not a number` };
  }
  if (answersMatch(pred, g.value, tol)) {
    return { ...base, ...found, status: 'correct', reason: `matches gold ${show(g.text)}` };
  }
  return { ...base, ...found, status: 'incorrect', reason: `extracted ${show(ex.raw)} ≠ gold ${show(g.text)}` };
};
