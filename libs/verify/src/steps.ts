import { evaluateArithmetic } from './arith';
import { MAX_CHECKED_STEPS, MAX_EXPRESSION_CHARS } from './limits';

export interface StepResult {
  /** The expression left of the last `=`. */
  expr: string;
  /** The value right of the last `=`, as written. */
  claimed: string;
  /** Evaluated expression; null when it could not be evaluated (or is not finite). */
  actual: number | null;
  /** true right, false wrong, null unchecked (unparseable expression or claim). */
  ok: boolean | null;
  /** Character offset of the `<<` in the text. */
  index: number;
}

export interface StepReport {
  total: number;
  wrong: number;
  unchecked: number;
  steps: StepResult[];
}

const REL_TOL = 1e-6;

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

/** Rounded half away from zero to cents, as GSM8K rounds money. */
function roundCents(x: number): number {
  return (Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-9)) / 100;
}

function claimMatches(actual: number, claimed: number, claimedIsPercent: boolean): boolean {
  const readings = claimedIsPercent ? [claimed, claimed * 100] : [claimed];
  return readings.some((c) => close(actual, c) || close(roundCents(actual), c));
}

function checkOne(body: string, index: number): StepResult {
  const eq = body.lastIndexOf('=');
  if (eq < 0) return { expr: body, claimed: '', actual: null, ok: null, index };
  const expr = body.slice(0, eq).trim();
  const claimed = body.slice(eq + 1).trim();
  const actual = evaluateArithmetic(expr);
  const claim = evaluateArithmetic(claimed);
  if (!actual.ok || !claim.ok || !Number.isFinite(claim.value)) {
    return { expr, claimed, actual: actual.ok && Number.isFinite(actual.value) ? actual.value : null, ok: null, index };
  }
  // A parsed expression whose value is not finite (5/0) cannot equal any written claim.
  if (!Number.isFinite(actual.value)) return { expr, claimed, actual: null, ok: false, index };
  const ok = claimMatches(actual.value, claim.value, /%\s*$/.test(claimed));
  return { expr, claimed, actual: actual.value, ok, index };
}

/**
 * Checks every calculator annotation `<<expr=value>>` in a text. Only the first
 * MAX_CHECKED_STEPS are evaluated and listed; later ones count in `total` and `unchecked`.
 * An annotation longer than MAX_EXPRESSION_CHARS, or without `>>`, is unchecked.
 */
export function checkSteps(text: string): StepReport {
  const steps: StepResult[] = [];
  let total = 0;
  let wrong = 0;
  let unchecked = 0;
  let at = text.indexOf('<<');
  while (at >= 0) {
    const end = text.indexOf('>>', at + 2);
    if (end < 0) break;
    total++;
    if (steps.length >= MAX_CHECKED_STEPS) {
      unchecked++;
    } else {
      const r =
        end - at - 2 > MAX_EXPRESSION_CHARS
          ? { expr: `${text.slice(at + 2, at + 66)}…`, claimed: '', actual: null, ok: null, index: at }
          : checkOne(text.slice(at + 2, end), at);
      steps.push(r);
      if (r.ok === false) wrong++;
      else if (r.ok === null) unchecked++;
    }
    at = text.indexOf('<<', end + 2);
  }
  return { total, wrong, unchecked, steps };
}
