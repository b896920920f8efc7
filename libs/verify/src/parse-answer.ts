import { cleanLatex } from './latex';
import { MAX_ANSWER_CHARS } from './limits';
import { scanNumber } from './number-scan';
import type { Rational } from './rational';

/** An extracted answer read as a number. `50%` → value 50, percent true. */
export interface ParsedAnswer {
  value: Rational;
  percent: boolean;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Reads an extracted answer (`18`, `$1,200`, `\frac{1}{2}`, `x = 5`, `\text{18 dollars}`,
 * `{{42}}`, `50\%`) as one number, or null when it is not a number. Words and units after the
 * number are ignored (`18 eggs`), but a tail holding more digits or an operator (`5 - 3`,
 * `3 4`) means the text is not a single number.
 */
export function parseAnswer(raw: string): ParsedAnswer | null {
  let s = cleanLatex(raw.length > MAX_ANSWER_CHARS ? raw.slice(0, MAX_ANSWER_CHARS) : raw);
  const eq = s.lastIndexOf('=');
  if (eq >= 0) s = s.slice(eq + 1); // `x = 5` → `5`
  // Strip whitespace, wrapping braces and math-mode dollars with indices (no repeated slicing).
  let a = 0;
  let b = s.length;
  for (;;) {
    while (a < b && isSpace(s[a])) a++;
    while (b > a && (isSpace(s[b - 1]) || s[b - 1] === '.')) b--;
    if (b - a >= 2 && s[a] === '{' && s[b - 1] === '}') {
      a++;
      b--;
    } else if (b - a >= 2 && s[a] === '$' && s[b - 1] === '$') {
      a++;
      b--;
    } else if (b - a >= 1 && s[a] === '{') {
      a++; // stray opening braces left over by unbalanced LaTeX
    } else break;
  }
  const tok = scanNumber(s, a);
  if (!tok?.value || tok.end > b) return null;
  if (!isUnitTail(s.slice(tok.end, b))) return null;
  return { value: tok.value, percent: tok.percent };
}

/** Units and words may follow a number; more digits or an operator may not. */
function isUnitTail(tail: string): boolean {
  const t = tail.replace(/\^\s?\{?\s?[23]\s?\}?/g, '').replace(/[\s}$]+/g, ' ').trim();
  if (t === '') return true;
  if (/^[-+*/^×÷=<>]/.test(t)) return false;
  if (/^[.,]\s*\d/.test(t)) return false;
  return !/\d/.test(t);
}
