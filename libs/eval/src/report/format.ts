import type { CI } from '../stats';
import type { ComparisonRow, ReportData } from './types';

/** Shared text formatting of the Markdown and HTML reports. */

export const DASH = '—';

export function fmtNum(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : x.toFixed(digits);
}

/** "0.450 ± 0.063" (mean ± t half-width); one value has no interval: "0.450 (n=1)". */
export function fmtCI(ci: CI | null | undefined): string {
  if (!ci) return DASH;
  return ci.n === 1 ? `${fmtNum(ci.mean)} (n=1)` : `${fmtNum(ci.mean)} ± ${fmtNum(ci.halfWidth)}`;
}

export function fmtInterval(ci: CI): string {
  return `[${fmtNum(ci.lo)}, ${fmtNum(ci.hi)}]`;
}

export function fmtPct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? DASH : `${(x * 100).toFixed(1)}%`;
}

/** "avg@16" when all rows used the same N, else "avg@N". */
export function avgLabel(data: ReportData): string {
  const ns = [...new Set(data.rows.filter((r) => r.avgAtN).map((r) => r.n))];
  return ns.length === 1 && ns[0] !== null && ns[0] !== undefined ? `avg@${ns[0]}` : 'avg@N';
}

export function splitLabel(data: ReportData, row: Pick<ComparisonRow, 'set' | 'split'>): string {
  return data.splits.find((s) => s.set === row.set && s.split === row.split)?.label ?? row.split;
}

export function seedsText(row: Pick<ComparisonRow, 'method' | 'models' | 'seeds'>): string {
  if (row.method === 'base') return row.models > 1 ? `${row.models} models` : DASH;
  return row.seeds.length ? `${row.seeds.length} (${row.seeds.join(', ')})` : DASH;
}

/** Bar lines "label │████ count", scaled so the largest count is `width` blocks. */
export function textHistogram(counts: readonly number[], width = 40, labels?: readonly string[]): string[] {
  const max = Math.max(0, ...counts);
  const labs = counts.map((_, i) => labels?.[i] ?? String(i));
  const pad = Math.max(...labs.map((l) => l.length));
  return counts.map((c, i) => {
    const n = max > 0 ? Math.round((c / max) * width) : 0;
    return `${(labs[i] ?? '').padStart(pad)} │${'█'.repeat(n)} ${c}`;
  });
}

/** Mean of p estimated from bin centres of a histogram on [0, 1]. */
export function histMean(bins: readonly number[] | null): number | null {
  if (!bins || bins.length === 0) return null;
  const total = bins.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  return bins.reduce((a, c, i) => a + c * ((i + 0.5) / bins.length), 0) / total;
}

/** The last finite value of a curve's field. */
export function lastOf(points: readonly { step: number; loss: number | null; ce: number | null; meanP: number | null }[], key: 'loss' | 'ce' | 'meanP'): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]?.[key];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}
