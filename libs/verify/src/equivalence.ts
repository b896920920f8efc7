import type { ParsedAnswer } from './parse-answer';
import { divideBy, equals, fromDecimal, isInteger, withinRelative, type Rational } from './rational';
import { InputError } from '@sieve/core';

export const DEFAULT_REL_TOL = 1e-6;

let cached: { relTol: number; tol: Rational } | undefined;

/** A relative tolerance as an exact rational (via its shortest decimal printout). */
export function toleranceOf(relTol: number): Rational {
  if (cached?.relTol === relTol) return cached.tol;
  const tol = readTolerance(relTol);
  cached = { relTol, tol };
  return tol;
}

function readTolerance(relTol: number): Rational {
  if (!Number.isFinite(relTol) || relTol < 0 || relTol >= 1) {
    throw new InputError(`relTol must be a finite number in [0, 1), got ${relTol}`, {
      where: 'verify options: relTol',
      hint: 'use a small relative tolerance such as 1e-6',
    });
  }
  const m = /^(\d+)(?:\.(\d+))?(?:e([-+]\d+))?$/.exec(relTol.toString());
  if (!m) throw new InputError(`relTol ${relTol} cannot be read as a decimal`, { where: 'verify options: relTol' });
  return fromDecimal(m[1] ?? '0', m[2] ?? '', Number(m[3] ?? '0'));
}

/**
 * Does `value` match one reading of the gold? An integer gold needs the exact value
 * (`18.0` yes, `18.0001` no); a non-integer gold allows |value − gold| ≤ tol·|gold|.
 */
function matchesValue(value: Rational, gold: Rational, tol: Rational): boolean {
  if (equals(value, gold)) return true;
  return !isInteger(gold) && withinRelative(value, gold, tol);
}

/** The values a number may stand for: `50%` is 50 or 0.5; `50` is just 50. */
function readings(a: ParsedAnswer): Rational[] {
  return a.percent ? [a.value, divideBy(a.value, 100n)] : [a.value];
}

/**
 * Predicted answer vs gold. Percent on both sides or neither: compare the printed numbers.
 * Percent on one side only: `50%` equals both `50` and `0.5`, in either direction.
 */
export function answersMatch(pred: ParsedAnswer, gold: ParsedAnswer, tol: Rational): boolean {
  if (pred.percent === gold.percent) return matchesValue(pred.value, gold.value, tol);
  for (const p of readings(pred)) {
    for (const g of readings(gold)) {
      if (matchesValue(p, g, tol)) return true;
    }
  }
  return false;
}
