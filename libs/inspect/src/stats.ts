/**
 * Statistics of value distributions given as (value, count) pairs, so a million response
 * lengths arrive as a few thousand rows of a GROUP BY instead of a million numbers.
 */

export interface ValueCount {
  value: number;
  count: number;
}

export interface Summary {
  n: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

/** Sorted by value, zero counts dropped, equal values merged. */
function normalise(dist: readonly ValueCount[]): ValueCount[] {
  const merged = new Map<number, number>();
  for (const d of dist) if (d.count > 0) merged.set(d.value, (merged.get(d.value) ?? 0) + d.count);
  return [...merged].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value);
}

/** The k-th smallest value (0-based) of a sorted distribution. */
function orderStat(sorted: readonly ValueCount[], k: number): number {
  let seen = 0;
  for (const d of sorted) {
    seen += d.count;
    if (k < seen) return d.value;
  }
  return (sorted.at(-1) as ValueCount).value;
}

/**
 * Quantile q ∈ [0, 1] with linear interpolation between order statistics (numpy's default,
 * "type 7"): h = (n − 1)·q, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). So the median of
 * an even count is the mean of the two middle values.
 */
export function quantile(dist: readonly ValueCount[], q: number): number | null {
  const sorted = normalise(dist);
  const n = sorted.reduce((a, d) => a + d.count, 0);
  if (n === 0) return null;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const a = orderStat(sorted, lo);
  if (h === lo) return a;
  return a + (h - lo) * (orderStat(sorted, lo + 1) - a);
}

export function summarize(dist: readonly ValueCount[]): Summary {
  const sorted = normalise(dist);
  const n = sorted.reduce((a, d) => a + d.count, 0);
  if (n === 0) return { n: 0, mean: null, median: null, p90: null, min: null, max: null };
  const sum = sorted.reduce((a, d) => a + d.value * d.count, 0);
  return {
    n,
    mean: sum / n,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: (sorted[0] as ValueCount).value,
    max: (sorted.at(-1) as ValueCount).value,
  };
}

/** Counts of equal-width bins over [0, max]: values ≥ max fall in the last bin. */
export function binCounts(dist: readonly ValueCount[], bins: number, max: number): number[] {
  const out = new Array<number>(bins).fill(0);
  if (!(max > 0)) return out;
  for (const d of dist) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((d.value / max) * bins)));
    out[i] = (out[i] ?? 0) + d.count;
  }
  return out;
}

/** Bar lines "label │████ count", scaled so the largest count is `width` blocks (at least one block for a non-zero count). */
export function textHistogram(counts: readonly number[], labels?: readonly string[], width = 40): string[] {
  const max = Math.max(0, ...counts);
  const labs = counts.map((_, i) => labels?.[i] ?? String(i));
  const pad = Math.max(0, ...labs.map((l) => l.length));
  return counts.map((c, i) => {
    const n = max > 0 ? Math.max(c > 0 ? 1 : 0, Math.round((c / max) * width)) : 0;
    return `${(labs[i] ?? '').padStart(pad)} │${'█'.repeat(n)} ${c}`;
  });
}

/** correct / samples, null for no samples. */
export const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
