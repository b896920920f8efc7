/**
 * Final number of a gold answer, for import only (the verifier has its own, richer parser).
 * "#### 1,234" → "1234"; a bare "$18" → "18"; otherwise the last number in the text.
 */
export interface GoldAnswer {
  /** The number: commas removed, "18.50" → "18.5", a\/b kept as a fraction. */
  answer: string;
  /** The text was just the answer (no reasoning around it). */
  bare: boolean;
}

const NUMBER = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:\/\d+)?|-?\.\d+/g;
const BARE = /^(?:\\\$|\$)?\s*(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:\/\d+)?|-?\.\d+)\s*(?:%|\\%)?\s*\.?$/;

function normalize(num: string): string {
  let s = num.replace(/,/g, '');
  if (s.includes('.') && !s.includes('/')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s.startsWith('.')) s = `0${s}`;
  if (s.startsWith('-.')) s = `-0${s.slice(1)}`;
  return s === '-0' ? '0' : s;
}

/** \frac{a}{b} → a/b, \boxed{x} → x, so LaTeX answers read as plain numbers. */
function unLatex(text: string): string {
  return text
    .replace(/\\[dt]?frac\{\s*(-?\d+)\s*\}\{\s*(\d+)\s*\}/g, '$1/$2')
    .replace(/\\boxed\{([^{}]*)\}/g, '$1');
}

function lastNumber(text: string): string | null {
  const all = text.match(NUMBER);
  return all === null ? null : (all[all.length - 1] ?? null);
}

export function extractGoldAnswer(raw: string): GoldAnswer | null {
  const text = unLatex(raw.trim());
  const marker = text.lastIndexOf('####');
  if (marker !== -1) {
    const first = text.slice(marker + 4).match(NUMBER)?.[0];
    return first === undefined ? null : { answer: normalize(first), bare: false };
  }
  const bare = text.match(BARE)?.[1];
  if (bare !== undefined) return { answer: normalize(bare), bare: true };
  const last = lastNumber(text);
  return last === null ? null : { answer: normalize(last), bare: false };
}
