/** Axis domains and "nice" tick positions (1, 2, 5 × 10^k steps). */

export interface Ticks {
  lo: number;
  hi: number;
  step: number;
  values: number[];
}

function niceStep(rough: number): number {
  const exp = Math.floor(Math.log10(rough));
  const base = 10 ** exp;
  const f = rough / base;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return m * base;
}

/** Expands [lo, hi] outward to multiples of a nice step giving about `target` intervals. */
export function niceTicks(lo: number, hi: number, target = 5): Ticks {
  let a = Number.isFinite(lo) ? lo : 0;
  let b = Number.isFinite(hi) ? hi : 1;
  if (a > b) [a, b] = [b, a];
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep((b - a) / Math.max(1, target));
  const start = Math.floor(a / step + 1e-9);
  const end = Math.ceil(b / step - 1e-9);
  const values: number[] = [];
  for (let i = start; i <= end; i++) values.push(roundTo(i * step, step));
  return { lo: roundTo(start * step, step), hi: roundTo(end * step, step), step, values };
}

/** Removes float noise such as 0.30000000000000004 relative to the step. */
function roundTo(x: number, step: number): number {
  const d = decimalsFor(step);
  return Number(x.toFixed(d));
}

/** Decimals needed to print multiples of step exactly (capped at 8). */
export function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.min(8, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

export function tickLabel(value: number, step: number): string {
  const s = value.toFixed(decimalsFor(step));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}
