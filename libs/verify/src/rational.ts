/**
 * Exact rationals over bigint. Values are NOT reduced by gcd: Euclid on two
 * 10,000-digit operands is slow, and cross-multiplication compares exactly anyway.
 * Invariant: d > 0.
 */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

export function rational(n: bigint, d = 1n): Rational {
  if (d === 0n) throw new RangeError('rational with zero denominator');
  return d < 0n ? { n: -n, d: -d } : { n, d };
}

export function negate(a: Rational): Rational {
  return { n: -a.n, d: a.d };
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

export function divideBy(a: Rational, k: bigint): Rational {
  return rational(a.n, a.d * k);
}

export function isInteger(a: Rational): boolean {
  return a.d === 1n || a.n % a.d === 0n;
}

export function equals(a: Rational, b: Rational): boolean {
  return a.n * b.d === b.n * a.d;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** |a − b| ≤ tol·|b|, decided exactly (tol is a non-negative rational). */
export function withinRelative(a: Rational, b: Rational, tol: Rational): boolean {
  // |a.n/a.d − b.n/b.d| ≤ (tol.n/tol.d)·|b.n|/b.d  ⇔  |a.n·b.d − b.n·a.d|·tol.d ≤ tol.n·|b.n|·a.d
  const diff = abs(a.n * b.d - b.n * a.d);
  return diff * tol.d <= tol.n * abs(b.n) * a.d;
}

/** Exact value of a decimal literal: digits with optional fraction and exponent (no sign, no commas). */
export function fromDecimal(intDigits: string, fracDigits: string, exponent: number): Rational {
  const digits = intDigits + fracDigits || '0'; // BigInt accepts leading zeros
  const scale = exponent - fracDigits.length;
  const n = BigInt(digits);
  return scale >= 0 ? { n: n * 10n ** BigInt(scale), d: 1n } : { n, d: 10n ** BigInt(-scale) };
}
