import type { Rng } from '@sieve/core';
import type { GeneratorOptions, Operator } from './options';

/** What one generated question is made of, before it becomes a NewQuestion. */
export interface Draft {
  text: string;
  /** Solution lines, each with its <<a op b=c>> annotations (no "####" line). */
  lines: string[];
  answer: number;
  /** Number of arithmetic operations (= annotations). */
  operations: number;
  /** Fresh operands the question introduces, in order. */
  operands: number[];
  /** Template/step kinds used (word) or the expression shape (bare). */
  kinds: string[];
}

export function applyOp(a: number, op: Operator, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
}

/** GSM8K calculator annotation: "12*3=<<12*3=36>>36". */
export function annotate(a: number, op: Operator, b: number): { value: number; text: string } {
  const value = applyOp(a, op, b);
  const expr = `${a}${op}${b}`;
  return { value, text: `${expr}=<<${expr}=${value}>>${value}` };
}

/** Is `a op b` allowed: integer, within bounds, non-negative unless allowed. */
export function isValidStep(a: number, op: Operator, b: number, o: GeneratorOptions, allowNegative: boolean): boolean {
  if (op === '/' && (b === 0 || a % b !== 0)) return false;
  const v = applyOp(a, op, b);
  if (!Number.isSafeInteger(v) || Math.abs(v) > o.maxValue) return false;
  return allowNegative || v >= 0;
}

const digitRange = (d: number): [number, number] => [d === 1 ? 1 : 10 ** (d - 1), 10 ** d - 1];

function digitCounts(o: GeneratorOptions): number[] {
  const out: number[] = [];
  for (let d = o.minDigits; d <= o.maxDigits; d++) out.push(d);
  return out;
}

/** A fresh operand: digit count uniform in [minDigits, maxDigits], then uniform; at least `min`. */
export function sampleOperand(rng: Rng, o: GeneratorOptions, min = 1): number {
  const d = rng.pick(digitCounts(o));
  const [lo, hi] = digitRange(d);
  return rng.int(Math.max(lo, min), Math.max(hi, min));
}

/** Uniform in [lo, hi] of some digit count whose range meets [lo, hi]; null if none does. */
export function sampleBetween(rng: Rng, o: GeneratorOptions, lo: number, hi: number): number | null {
  const ranges = digitCounts(o)
    .map(digitRange)
    .map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)])
    .filter(([a, b]) => a <= b);
  if (ranges.length === 0) return null;
  const [a, b] = rng.pick(ranges);
  return rng.int(a, b);
}

/** Divisors of n (n > 0) in [lo, hi]. */
function divisorsIn(n: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  const top = Math.min(hi, n);
  if (top - lo + 1 <= Math.sqrt(n)) {
    for (let d = lo; d <= top; d++) if (n % d === 0) out.push(d);
    return out;
  }
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    const j = n / i;
    if (i >= lo && i <= hi) out.push(i);
    if (j !== i && j >= lo && j <= hi) out.push(j);
  }
  return out.sort((x, y) => x - y);
}

/**
 * A fresh right operand b for `left op b` that keeps the result valid, or null if none exists.
 * Multipliers and divisors are at least 2 (x*1 and x/1 teach nothing).
 */
export function sampleRightOperand(
  rng: Rng,
  o: GeneratorOptions,
  left: number,
  op: Operator,
  allowNegative: boolean,
): number | null {
  const abs = Math.abs(left);
  let b: number | null;
  switch (op) {
    case '+':
      b = sampleBetween(rng, o, 1, o.maxValue - left);
      break;
    case '-':
      b = sampleBetween(rng, o, 1, allowNegative ? o.maxValue + left : left);
      break;
    case '*':
      b = sampleBetween(rng, o, 2, abs === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(o.maxValue / abs));
      break;
    case '/': {
      if (abs === 0) return null;
      const ranges = digitCounts(o).map(digitRange);
      const lo = Math.max(2, ranges[0]?.[0] ?? 2);
      const hi = ranges[ranges.length - 1]?.[1] ?? 9;
      const divs = divisorsIn(abs, lo, hi);
      b = divs.length === 0 ? null : rng.pick(divs);
      break;
    }
  }
  return b !== null && isValidStep(left, op, b, o, allowNegative) ? b : null;
}
