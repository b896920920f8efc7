import { InputError } from '@sieve/core';
import { tQuantile } from './t-dist';

/** A mean with its Student-t confidence interval over n values (e.g. one value per seed). */
export interface CI {
  mean: number;
  /** Sample standard deviation (n − 1 denominator); NaN when n = 1. */
  sd: number;
  lo: number;
  hi: number;
  /** t(1 − (1 − level)/2, n − 1) · sd / √n; 0 when n = 1 (degenerate interval). */
  halfWidth: number;
  n: number;
  level: number;
}

export interface PairedDiffCI extends CI {
  /** The interval lies strictly above or strictly below zero (never true for n = 1). */
  clearOfZero: boolean;
}

function checkValues(values: readonly number[], where: string): void {
  if (values.length === 0) {
    throw new InputError('an interval needs at least one value', { where, hint: 'pass one value per seed' });
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new InputError(`value #${bad} is not a finite number (${values[bad]})`, { where, hint: 'drop missing results before computing intervals' });
  }
}

/** Mean, sample sd and a two-sided Student-t interval at `level`. A single value gives lo = hi = mean, n = 1. */
export function meanCI(values: readonly number[], level = 0.95): CI {
  const where = '@sieve/eval meanCI';
  checkValues(values, where);
  if (!(level > 0 && level < 1)) {
    throw new InputError(`level must be in (0, 1), got ${level}`, { where, hint: 'e.g. 0.95 for a 95% interval' });
  }
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, sd: NaN, lo: mean, hi: mean, halfWidth: 0, n, level };
  const ss = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = (tQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, lo: mean - halfWidth, hi: mean + halfWidth, halfWidth, n, level };
}

/** Interval of the per-pair differences a[i] − b[i] (e.g. DFT − RFT at the same seed). */
export function pairedDiffCI(a: readonly number[], b: readonly number[], level = 0.95): PairedDiffCI {
  if (a.length !== b.length) {
    throw new InputError(`paired values need equal lengths, got ${a.length} and ${b.length}`, {
      where: '@sieve/eval pairedDiffCI',
      hint: 'pair the results seed by seed, keeping only seeds both methods have',
    });
  }
  const ci = meanCI(
    a.map((x, i) => x - (b[i] ?? NaN)),
    level,
  );
  return { ...ci, clearOfZero: ci.n > 1 && (ci.lo > 0 || ci.hi < 0) };
}
