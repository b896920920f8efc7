/** Keys that decide when two responses count as the same: normalised text and equation lists. */

/** Thousands separators between digits: `1,234,567` → `1234567` (a list `3,4` is left alone). */
const THOUSANDS_COMMA = /(?<=\d),(?=\d{3}(?!\d))/g;

/** Whitespace collapsed, case folded, thousands commas removed. */
export function normaliseResponse(text: string): string {
  return text.replace(THOUSANDS_COMMA, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** One equation in a canonical spelling: no spaces, `$` or thousands commas; `×`/`x` → `*`, `÷` → `/`. */
export function normaliseEquation(eq: string): string {
  return eq
    .replace(/\s+/g, '')
    .replace(THOUSANDS_COMMA, '')
    .replace(/\$/g, '')
    .replace(/(?<=[\d)])[x×](?=[\d(])/g, '*')
    .replace(/÷/g, '/')
    .toLowerCase();
}

const ANNOTATION = /<<([^<>]*)>>/g;
const NUM = String.raw`\$?\d+(?:,\d{3})*(?:\.\d+)?%?`;
/** `a op b (op c …) = d` written in the text, when a response has no calculator annotations. */
const TEXT_EQUATION = new RegExp(String.raw`(?<![\d.])${NUM}(?:\s*[-+*/×÷x]\s*${NUM})+\s*=\s*-?${NUM}`, 'g');

/**
 * The reasoning path of a response as the RFT paper defines it: its list of calculator
 * annotations `<<expr=value>>`, normalised; a response without annotations uses the
 * `a op b = c` equations written in its text. Order matters; an empty list is a path too.
 */
export function extractEquations(text: string): string[] {
  const annotated = [...text.matchAll(ANNOTATION)].map((m) => normaliseEquation(m[1] ?? ''));
  if (annotated.length) return annotated;
  return [...text.matchAll(TEXT_EQUATION)].map((m) => normaliseEquation(m[0]));
}

export function equationKey(text: string): string {
  return extractEquations(text).join('|');
}

/** Edit distance (insert, delete, substitute, each cost 1), O(|a|·|b|) time, O(|b|) memory. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}

/**
 * Greedy max-min selection of `k` of `keys` (indices returned in input order): start with the
 * first, then repeatedly add the one whose nearest already-chosen key is farthest (Levenshtein
 * on the joined equations); ties go to the earliest. Deterministic, O(k·n) distances.
 */
export function selectMostDifferent(keys: readonly string[], k: number): number[] {
  if (keys.length <= k) return keys.map((_, i) => i);
  const chosen = [0];
  const nearest = keys.map((key) => levenshtein(key, keys[0] as string));
  const taken = new Set(chosen);
  while (chosen.length < k) {
    let best = -1;
    for (let i = 0; i < keys.length; i++) {
      if (!taken.has(i) && (best < 0 || (nearest[i] as number) > (nearest[best] as number))) best = i;
    }
    chosen.push(best);
    taken.add(best);
    for (let i = 0; i < keys.length; i++) {
      if (!taken.has(i)) nearest[i] = Math.min(nearest[i] as number, levenshtein(keys[i] as string, keys[best] as string));
    }
  }
  return chosen.sort((a, b) => a - b);
}
