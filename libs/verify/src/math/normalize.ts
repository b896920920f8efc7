/**
 * Plain-text rewrites of a LaTeX answer before compute-engine reads it: decoration that is not
 * mathematics (`$`, `\left`, `\!`, `\text{ cm}`, `^\circ`, thousands separators) goes, and
 * what compute-engine reads otherwise (`3^2^2` is a parse error there) is made explicit.
 * Every pattern is linear-time (no nested quantifiers); inputs are capped by the caller.
 */

export interface NormalizedAnswer {
  /** The answer as LaTeX compute-engine can read. */
  text: string;
  /** A trailing `%` / `\%` was removed: the value may be read as printed or divided by 100. */
  percent: boolean;
  /** The whole answer was one `\text{…}` (or `\mathrm{…}`, …): its content, else null. */
  wholeText: string | null;
}

const WRAPPER = String.raw`\\(?:text|textbf|textrm|textit|textnormal|mathrm|mathbf|mathit|mbox|operatorname)\s*`;
const WHOLE_TEXT = new RegExp(String.raw`^${WRAPPER}\{([^{}]*)\}$`);
/** `\text{ and }` / `\text{or}` between answers. */
const TEXT_CONJUNCTION = new RegExp(String.raw`${WRAPPER}\{\s*(and|or)\s*\}`, 'g');
/** `\text{ cm}^2`, `\mbox{ inches}`: words after a value are units (one letter only after a space: `\mathrm{e}` is Euler's number). */
const TEXT_UNIT = new RegExp(String.raw`${WRAPPER}\{(?:\s+[A-Za-z]|[A-Za-z]{2})[A-Za-z .]*\}(?:\s*\^\s*\{?\s*[23]\s*\}?)?`, 'g');
/** Any other wrapper is unwrapped (`\mathrm{e}`, `\text{(C)}`). */
const ANY_WRAPPER = new RegExp(String.raw`${WRAPPER}\{([^{}]*)\}`, 'g');

/** Words that are mathematics, never a unit to drop. */
const MATH_WORDS = new Set(['and', 'or', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'log', 'ln', 'exp', 'sqrt', 'pi', 'infty', 'frac']);

/** Trailing plain words (`12 cm`, `5 dollars`, `3 square units`): units, dropped. */
function dropTrailingWords(s: string): string {
  const m = /^(.*?[\d})\]a-zA-Z])((?:\s+[A-Za-z]{2,}\.?)+)(\s*\^\s*\{?[23]\}?)?$/.exec(s);
  if (!m) return s;
  const words = (m[2] ?? '').trim().split(/\s+/);
  if (words.some((w) => MATH_WORDS.has(w.replace(/\.$/, '').toLowerCase()))) return s;
  return m[1] ?? s;
}

/** Strips one layer of `$…$`, `\(…\)`, `\[…\]` around the whole answer. */
function stripMathMode(s: string): string {
  let t = s.trim().replace(/\.$/, '').trim();
  for (let k = 0; k < 3; k++) {
    if (t.startsWith('$') && t.endsWith('$') && t.length >= 2) t = t.replace(/^\$+|\$+$/g, '').trim();
    else if (/^\\[([]/.test(t) && /\\[)\]]$/.test(t)) t = t.slice(2, -2).trim();
    else break;
  }
  return t;
}

/** End of the exponent starting at i: one `{…}` group (balanced) or one character; -1 if none. */
function exponentEnd(s: string, i: number): number {
  if (s[i] === '\\') {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i, i + 32));
    return m ? i + m[0].length : i + 2;
  }
  if (s[i] !== '{') return i < s.length && s[i] !== '^' && s[i] !== ' ' ? i + 1 : -1;
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j + 1;
  }
  return -1;
}

const unbrace = (g: string): string => (g.startsWith('{') && g.endsWith('}') ? g.slice(1, -1) : g);

/**
 * `a^b^c` → `a^{b^{c}}`: LaTeX leaves a double superscript undefined and compute-engine rejects
 * it; arithmetic reads powers from the right. An exponent is one character, one command or a
 * `{…}` group. One left-to-right pass.
 */
export function groupPowersRight(s: string): string {
  if (!/\^[^^]*\^/.test(s)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '^') {
      out += s[i];
      i++;
      continue;
    }
    const chain: string[] = [];
    let j = i;
    while (s[j] === '^') {
      let k = j + 1;
      while (s[k] === ' ') k++;
      const end = exponentEnd(s, k);
      if (end < 0) break;
      chain.push(s.slice(k, end));
      j = end;
      while (s[j] === ' ' && s[j + 1] === '^') j++;
    }
    if (chain.length < 2) {
      out += chain.length === 0 ? '^' : s.slice(i, j);
      i = chain.length === 0 ? i + 1 : j;
      continue;
    }
    let tower = unbrace(chain[chain.length - 1] ?? '');
    for (let k = chain.length - 2; k >= 0; k--) tower = `${unbrace(chain[k] ?? '')}^{${tower}}`;
    out += `^{${tower}}`;
    i = j;
  }
  return out;
}

/** Rewrites an extracted answer (already capped in length) into what compute-engine should read. */
export function normalizeAnswer(raw: string): NormalizedAnswer {
  let s = stripMathMode(raw)
    .replace(/\u2212|\u2013/g, '-')
    .replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\(?:displaystyle|!)/g, '')
    .replace(/\\left(?![a-zA-Z])\.?|\\right(?![a-zA-Z])\.?/g, '')
    .replace(/\\[,;: ]|\\q?quad(?![a-zA-Z])|~/g, ' ')
    .replace(/\{,\}/g, ',')
    .replace(/\\\$|\$/g, '')
    .replace(/\^\s*\{?\s*\\circ\s*\}?|\\circ|°|\\degree(?![a-zA-Z])/g, '')
    .replace(/\\le(?![a-zA-Z])/g, '\\leq')
    .trim();
  const whole = WHOLE_TEXT.exec(s);
  if (whole) return { text: (whole[1] ?? '').trim(), percent: false, wholeText: (whole[1] ?? '').trim() };
  s = s.replace(TEXT_CONJUNCTION, ' $1 ').replace(TEXT_UNIT, '').replace(ANY_WRAPPER, '$1').trim();
  let percent = false;
  const pct = /\s*(?:\\%|%|\\text\s*\{\s*percent\s*\}|\s+percent)$/.exec(s);
  if (pct) {
    percent = true;
    s = s.slice(0, pct.index).trim();
  }
  s = dropTrailingWords(s);
  // Thousands separators, only where no bracket could make the commas separate a tuple.
  if (!/[([{]/.test(s)) s = s.replace(/\b(\d{1,3})((?:,\d{3})+)(?![\d,])/g, (_, a: string, rest: string) => a + rest.replace(/,/g, ''));
  if (/^\d{1,3}(?: \d{3})+$/.test(s)) s = s.replace(/ /g, ''); // `10\,000` (the `\,` became a space)
  return { text: groupPowersRight(s), percent, wholeText: null };
}
