import { ComputeEngine } from '@cortex-js/compute-engine';
import { TimeoutError, type Deadline } from './deadline';
import type { MathJson } from './evaluate';

/**
 * Answers that make compute-engine build what it builds lazily on first use (its LaTeX
 * dictionaries, radicals, constants, collections): without this the first verdicts of a process
 * spent ~0.6 s there and ran out of their budget (`timeout`) on a correct answer.
 */
const WARM_UP = ['\\frac{\\sqrt{2}}{2\\sqrt{2}}+\\pi^{2}-e', 'x^2+1=(4, 5)', '\\{-2, 1\\}\\cup[0, 9)', '\\pm 3', '10^\\circ', '\\text{(C)}'];

/** One engine per process, warmed up when built (see WARM_UP): after that, parsing costs about 0.2 ms. */
let engine: ComputeEngine | undefined;
export function computeEngine(): ComputeEngine {
  if (!engine) {
    engine = new ComputeEngine();
    for (const latex of WARM_UP) engine.parse(latex).N();
  }
  return engine;
}

/** Brackets nested deeper than this are not parsed (compute-engine's parser recurses: 2,000 levels overflow the stack). */
export const MAX_NESTING = 40;

/** A value with more decimal digits than this is not computed (`9^{9^{9^9}}`: compute-engine would try, for seconds). */
export const MAX_DIGITS = 10_000;

export type Parsed = { ok: true; json: MathJson } | { ok: false; reason: string };

function nesting(s: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return max;
}

function hasError(e: MathJson): boolean {
  if (!Array.isArray(e)) return false;
  if (e[0] === 'Error') return true;
  for (let i = 1; i < e.length; i++) if (hasError(e[i] as MathJson)) return true;
  return false;
}

/**
 * An upper estimate of log10 |value| of a not-yet-canonical expression; Infinity when it may
 * exceed what can be computed. Canonical parsing folds integer powers exactly (bigint), so a
 * tower must be stopped before it.
 */
function log10Bound(e: MathJson): number {
  if (typeof e === 'number') return Math.log10(Math.abs(e) + 1);
  if (typeof e === 'string') return 1;
  if (!Array.isArray(e)) return e.num.length;
  const args = e.slice(1) as MathJson[];
  const mags = args.map(log10Bound);
  const max = Math.max(0, ...mags);
  switch (e[0]) {
    case 'Power': {
      const [b = 0, x = 0] = mags;
      return x > 6 ? Infinity : b * 10 ** x;
    }
    case 'Factorial':
    case 'Factorial2': {
      const n = mags[0] ?? 0;
      return n > 5 ? Infinity : n * 10 ** n;
    }
    case 'Multiply':
    case 'InvisibleOperator':
    case 'Binomial':
      return mags.reduce((a, b) => a + b, 0);
    default:
      return max + 1;
  }
}

const isCancellation = (e: unknown): boolean => e instanceof Error && e.name === 'CancellationError';

/**
 * LaTeX → canonical MathJSON through compute-engine, within the deadline. Not readable
 * (a parse error anywhere, brackets nested too deep, a value too large to compute) is
 * `{ ok: false, reason }`; running out of time throws TimeoutError.
 */
export function parseLatex(text: string, deadline: Deadline): Parsed {
  if (nesting(text) > MAX_NESTING) return { ok: false, reason: `brackets nested deeper than ${MAX_NESTING}` };
  deadline.check();
  const ce = computeEngine();
  const ms = Math.max(1, deadline.remaining());
  try {
    if (/[\^!]/.test(text)) {
      const raw = ce.withTimeLimit(ms, () => ce.parse(text, { form: 'raw' })).json as MathJson;
      if (log10Bound(raw) > MAX_DIGITS) return { ok: false, reason: `a number of more than ${MAX_DIGITS} digits` };
      deadline.check();
    }
    const json = ce.withTimeLimit(Math.max(1, deadline.remaining()), () => ce.parse(text)).json as MathJson;
    if (hasError(json)) return { ok: false, reason: 'not readable as mathematics' };
    return { ok: true, json };
  } catch (e) {
    if (isCancellation(e)) throw new TimeoutError(deadline.budgetMs);
    if (e instanceof RangeError) return { ok: false, reason: 'too deeply nested to read' };
    throw e;
  }
}

/** Float value of a variable-free expression by compute-engine (the fallback for operators `evalReal` lacks); NaN if not real. */
export function numericValue(json: MathJson, deadline: Deadline): number {
  const ce = computeEngine();
  try {
    const v = ce.withTimeLimit(Math.max(1, deadline.remaining()), () => ce.box(json as never).N());
    const re = v.re;
    return typeof re === 'number' && (v.im === 0 || v.im === undefined) ? re : NaN;
  } catch (e) {
    if (isCancellation(e)) throw new TimeoutError(deadline.budgetMs);
    throw e;
  }
}
