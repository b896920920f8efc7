import { cleanLatex } from './latex';
import { ANSWER_WINDOW_CHARS, MAX_ANSWER_CHARS } from './limits';
import { scanNumber, skipDigits } from './number-scan';

export type ExtractionRule = 'boxed' | 'hashes' | 'answer_is' | 'a_colon' | 'last_number';

export interface Extraction {
  /**
   * The answer text: boxed content or the rest of the `####` line as written; for the other
   * rules the number token after LaTeX cleanup (`\dfrac12` reads back as `\frac12`).
   */
  raw: string;
  rule: ExtractionRule;
  /**
   * The final `\boxed{` never closes (the generation hit its token limit): `raw` is what was
   * written after it. The answer is then unparseable; an earlier, complete box is never used.
   */
  cutOff?: true;
}

/**
 * The final answer of a response (or of a gold solution), by precedence:
 * `\boxed{…}` (last one, brace-matched) › `#### N` › `The answer is N` › `A: N` / `Answer: N`
 * at a line start › the last number. `\boxed` and `####` are found anywhere in the text; the
 * other rules look at the last ANSWER_WINDOW_CHARS only. `answer_is` and `a_colon` count only
 * where a number follows, and `####` only where a digit, sign, `$`, `.` or `\` follows, so a
 * markdown heading `#### Step 2` or "the answer is below" does not shadow a later rule.
 * `\boxed{…}` and `#### …` are taken as written even when the text is not one number
 * (`\boxed{A}`, `#### 3 and 4`): the verdict then says unparseable.
 */
export function extractAnswer(text: string): Extraction | null {
  return extractBoxed(text) ?? extractHashes(text) ?? extractFromWindow(text);
}

const BOXED = '\\boxed';

/** Every complete `\boxed{…}` content span in text order, and whether a `\boxed{` is left open at the end. */
export interface BoxedSpans {
  /** [start, end) of each complete box's content, outermost boxes only, in order. */
  spans: [number, number][];
  /** Index just after the `{` of the first `\boxed{` that never closes, or -1. */
  openAt: number;
}

/**
 * All complete top-level `\boxed{…}` in one linear pass with an explicit stack (no recursion).
 * A `\boxed{` still open at the end (a cut-off final answer) is reported in `openAt`.
 */
export function boxedSpans(text: string): BoxedSpans {
  const spans: [number, number][] = [];
  const first = text.indexOf(BOXED);
  if (first < 0) return { spans, openAt: -1 };
  const opens: number[] = []; // positions of `{`; negative-encoded (-(p+1)) when it opens a \boxed
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      if (text.startsWith(BOXED, i) && !/[A-Za-z]/.test(text.charAt(i + BOXED.length))) {
        let j = i + BOXED.length;
        while (text[j] === ' ' && j < i + BOXED.length + 3) j++;
        if (text[j] === '{') {
          opens.push(-(j + 1));
          i = j;
          continue;
        }
      }
      const next = text[i + 1];
      if (next === '{' || next === '}') i++; // escaped brace: not a group
    } else if (c === 123 /* { */) {
      opens.push(i);
    } else if (c === 125 /* } */) {
      const open = opens.pop();
      if (open !== undefined && open < 0) {
        const start = -open; // index after the `{`
        // An inner box closes before its outer one: drop the spans the outer box contains.
        while (spans.length > 0 && (spans[spans.length - 1]?.[0] ?? -1) > start) spans.pop();
        spans.push([start, i]);
      }
    }
  }
  const open = opens.find((o) => o < 0);
  return { spans, openAt: open === undefined ? -1 : -open };
}

/** Content of the last complete `\boxed{…}`, or the cut-off text after a final `\boxed{` that never closes. */
function extractBoxed(text: string): Extraction | null {
  const { spans, openAt } = boxedSpans(text);
  if (openAt >= 0) {
    const raw = text.slice(openAt, openAt + MAX_ANSWER_CHARS).trim();
    return { raw, rule: 'boxed', cutOff: true };
  }
  const last = spans[spans.length - 1];
  if (last === undefined) return null;
  return { raw: boxContent(text, last), rule: 'boxed' };
}

/** The text of one box span with whole-wrapping braces and spaces removed, capped at MAX_ANSWER_CHARS. */
export function boxContent(text: string, span: readonly [number, number]): string {
  const [a, b] = unwrapBraces(text, span[0], span[1]);
  return text.slice(a, Math.min(b, a + MAX_ANSWER_CHARS)).trim();
}

/**
 * Drops brace pairs that wrap the whole of text[a, b) (`{{{5}}}` → `5`, but `{1}+{2}` stays),
 * in one linear pass: with L leading `{`, R trailing `}` and m the lowest running depth of the
 * middle, exactly min(L, R, L + m) outer pairs match each other.
 */
function unwrapBraces(text: string, start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  while (a < b && /\s/.test(text.charAt(a))) a++;
  while (b > a && /\s/.test(text.charAt(b - 1))) b--;
  let lead = 0;
  while (a + lead < b && text[a + lead] === '{') lead++;
  let trail = 0;
  while (b - trail - 1 > a + lead && text[b - trail - 1] === '}' && text[b - trail - 2] !== '\\') trail++;
  if (lead === 0 || trail === 0) return [a, b];
  let depth = 0;
  let min = 0;
  for (let i = a + lead; i < b - trail; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}') min = Math.min(min, --depth);
  }
  const k = Math.max(0, Math.min(lead, trail, lead + min));
  return [a + k, b - k];
}

/** Rest of the line after the last `####` that is followed by something number-like. */
function extractHashes(text: string): Extraction | null {
  let at = text.lastIndexOf('####');
  // Skipping `#`, spaces and newlines after a marker that already failed ends in the same failure;
  // stopping there keeps a run of a million `#` linear.
  let failedFrom = Infinity;
  while (at >= 0) {
    let j = at + 4;
    const limit = j + 64;
    while (j < limit && j < failedFrom && /[ \t\r\n#]/.test(text.charAt(j))) j++;
    if (j < failedFrom && /[-+$\\.\d\u2212]/.test(text.charAt(j))) {
      let end = text.indexOf('\n', j);
      if (end < 0) end = text.length;
      end = Math.min(end, j + MAX_ANSWER_CHARS);
      return { raw: text.slice(j, end).trim(), rule: 'hashes' };
    }
    failedFrom = at + 4;
    at = at === 0 ? -1 : text.lastIndexOf('####', at - 1);
  }
  return null;
}

const ANSWER_IS = /\bthe\s{1,3}(?:final\s{1,3})?answer\s{1,3}is\b/gi;
const A_COLON = /^[ \t]{0,8}(?:\*\*)?(?:A|Answer)(?:\*\*)?[ \t]{0,3}:(?:\*\*)?/gm;

function extractFromWindow(text: string): Extraction | null {
  let window = text.length > ANSWER_WINDOW_CHARS ? text.slice(text.length - ANSWER_WINDOW_CHARS) : text;
  // Do not start in the middle of a digit run cut by the window edge.
  if (window.length < text.length) window = window.slice(skipDigits(window, 0));
  const s = cleanLatex(window);
  return (
    lastMarked(s, ANSWER_IS, 'answer_is') ?? lastMarked(s, A_COLON, 'a_colon') ?? lastNumber(s)
  );
}

/** Number right after a marker, skipping `:`, `*` and spaces (`$` stays: it is the currency sign). */
function numberAfter(s: string, pos: number): string | null {
  let j = pos;
  const limit = pos + 16;
  while (j < limit && /[ \t:*]/.test(s.charAt(j))) j++;
  const tok = scanNumber(s, j);
  return tok ? s.slice(tok.start, tok.end) : null;
}

function lastMarked(s: string, re: RegExp, rule: ExtractionRule): Extraction | null {
  re.lastIndex = 0;
  let found: string | null = null;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const raw = numberAfter(s, m.index + m[0].length);
    if (raw !== null) found = raw;
    if (m[0].length === 0) re.lastIndex++;
  }
  return found === null ? null : { raw: found, rule };
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

/** The last number token, scanning forward so `\frac{1}{2}` or `1,234` is read as one token. */
function lastNumber(s: string): Extraction | null {
  let last: string | null = null;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    // Digits right after `^` / `^{` are an exponent (`m^2`), never an answer of their own.
    if (s.charAt(i - 1) === '^' || (s.charAt(i - 1) === '{' && s.charAt(i - 2) === '^')) {
      i = skipDigits(s, i + 1);
      continue;
    }
    const startsNumber =
      isDigitCode(c) ||
      c === 36 /* $ */ ||
      c === 92 /* \ */ ||
      ((c === 46 /* . */ || c === 45 /* - */ || c === 43) /* + */ && !/[\w)\]]/.test(s.charAt(i - 1)));
    if (startsNumber) {
      const tok = scanNumber(s, i);
      if (tok) {
        last = s.slice(tok.start, tok.end);
        i = tok.end;
        continue;
      }
      if (isDigitCode(c)) {
        // Digits that are not a number (`2^x`): skip the whole run so hostile input stays linear.
        while (i < s.length && /[\d,.]/.test(s.charAt(i))) i++;
        continue;
      }
    }
    i++;
  }
  return last === null ? null : { raw: last, rule: 'last_number' };
}
