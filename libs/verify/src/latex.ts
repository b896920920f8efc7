/**
 * Rewrites the LaTeX and typography that decorate numbers into plain text the number
 * scanner understands. Every pattern is linear-time (no nested quantifiers).
 */
const TEXT_WRAPPER = /\\(?:text|textbf|textrm|textit|textnormal|mathrm|mathbf|mathit|mbox|operatorname)\s{0,3}\{([^{}]*)\}/g;

/** Characters that any rewrite below needs; text without them (plain GSM8K prose) is returned as is. */
const NEEDS_CLEANING = /[\\{~°\u2212\u2013]/;

export function cleanLatex(input: string): string {
  if (!NEEDS_CLEANING.test(input)) return input;
  let s = input
    .replace(/\u2212|\u2013/g, '-')
    .replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac');
  // \text{…} may wrap \text{…}; a few passes unwrap the nesting that occurs in practice.
  for (let pass = 0; pass < 3 && s.includes('{'); pass++) {
    const next = s.replace(TEXT_WRAPPER, '$1');
    if (next === s) break;
    s = next;
  }
  return s
    .replace(/\{,\}/g, '')
    .replace(/(\d)\\[,!] ?(?=\d{3})/g, '$1') // 1\,000 and 1\!000 are thousands separators
    .replace(/\\\$/g, '$')
    .replace(/\\%/g, '%')
    .replace(/\\(?:left|right|displaystyle|!)/g, '')
    .replace(/\\(?:[,;: ]|q?quad(?![a-zA-Z]))/g, ' ')
    .replace(/~/g, ' ')
    .replace(/\^\s{0,3}\{?\s{0,3}\\circ\s{0,3}\}?|\\circ|°/g, '')
    .replace(/\\[()[\]]/g, ' ');
}
