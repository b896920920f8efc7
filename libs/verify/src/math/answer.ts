import { scanNumber } from '../number-scan';
import type { Rational } from '../rational';
import type { Deadline } from './deadline';
import { parseLatex } from './engine';
import { freeSymbols, type MathJson } from './evaluate';
import { normalizeAnswer } from './normalize';

/**
 * An answer read into its kind. Values (`number`, `expression`) keep compute-engine's canonical
 * MathJSON; a number written as a plain literal or fraction also keeps its exact value.
 */
export type Answer =
  | { kind: 'number'; json: MathJson; exact: Rational | null; percent: boolean }
  | { kind: 'expression'; json: MathJson; symbols: string[] }
  | { kind: 'tuple'; items: Answer[] }
  | { kind: 'interval'; lo: Answer; hi: Answer; loOpen: boolean; hiOpen: boolean }
  | { kind: 'union'; parts: Answer[] }
  /** Order-insensitive: `\{1, 2\}`, `1, 2`, `4 and 27`, and the two values of `\pm`. */
  | { kind: 'set'; items: Answer[]; from: 'braces' | 'list' | 'pm' }
  | { kind: 'equation'; lhs: Answer; rhs: Answer; lhsSymbol: string | null }
  | { kind: 'ratio'; parts: Answer[] }
  | { kind: 'choice'; letter: string }
  | { kind: 'text'; text: string };

export type AnswerKind = Answer['kind'];

export type ReadResult = { ok: true; answer: Answer } | { ok: false; reason: string };

/** Answers longer than this are not read (MATH-style answers are a few dozen characters). */
export const MAX_MATH_ANSWER_CHARS = 1_000;
/** At most this many `\pm` are expanded (2^k alternatives). */
const MAX_PM = 3;
/** Lists, sets and tuples with more members than this are not read. */
export const MAX_MEMBERS = 64;

const fail = (reason: string): ReadResult => ({ ok: false, reason });
const ok = (answer: Answer): ReadResult => ({ ok: true, answer });

/** Splits at top-level separators (`,`, `;`, ` and `, ` or `), outside any bracket. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && (c === ',' || c === ';')) {
      parts.push(s.slice(from, i));
      from = i + 1;
    } else if (depth === 0 && c === ' ') {
      const m = /^ +(?:and|or) +/.exec(s.slice(i, i + 8));
      if (m) {
        parts.push(s.slice(from, i));
        from = i + m[0].length;
        i = from - 1;
      }
    }
  }
  parts.push(s.slice(from));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The alternatives of the first `\pm` / `\mp` / `±` (`1 \pm \sqrt2` → `1 + \sqrt2`, `1 - \sqrt2`), or null. */
function expandPm(s: string): [string, string] | null {
  const m = /\\pm(?![a-zA-Z])|\\mp(?![a-zA-Z])|±|∓/.exec(s);
  if (!m) return null;
  const before = s.slice(0, m.index);
  const after = s.slice(m.index + m[0].length);
  return [`${before}+${after}`, `${before}-${after}`];
}

/** A multiple-choice letter as it is written in MATH-style golds: `C`, `(C)`, `\text{(C)}`, `\textbf{(C) }`. */
function choiceLetter(s: string): string | null {
  const m = /^\(?\s*([A-E])\s*\)?$/.exec(s.trim());
  return m ? (m[1] ?? null) : null;
}

/** A plain literal or fraction (`-12`, `0.5`, `\frac{3}{4}`, `1.5e3`), read exactly by the numeric scanner. */
function exactNumber(s: string): Rational | null {
  const tok = scanNumber(s, 0);
  return tok !== null && tok.end === s.length && tok.value !== null && !tok.percent ? tok.value : null;
}

/** Canonical MathJSON → the answer's kind. */
function fromJson(json: MathJson, percent: boolean): Answer {
  if (Array.isArray(json)) {
    const [head, ...args] = json as [MathJson, ...MathJson[]];
    const each = (): Answer[] => args.map((a) => fromJson(a, false));
    switch (head) {
      case 'Tuple':
      case 'Sequence':
      case 'List':
        return { kind: 'tuple', items: each() };
      case 'Set':
        return { kind: 'set', items: each(), from: 'braces' };
      case 'Union':
        return { kind: 'union', parts: each() };
      case 'Colon':
        return { kind: 'ratio', parts: each() };
      case 'Interval': {
        const end = (a: MathJson | undefined): { v: Answer; open: boolean } =>
          Array.isArray(a) && a[0] === 'Open' ? { v: fromJson(a[1] as MathJson, false), open: true } : { v: fromJson(a ?? 0, false), open: false };
        const lo = end(args[0]);
        const hi = end(args[1]);
        return { kind: 'interval', lo: lo.v, hi: hi.v, loOpen: lo.open, hiOpen: hi.open };
      }
      case 'Equal': {
        const lhs = args[0] ?? 0;
        return { kind: 'equation', lhs: fromJson(lhs, false), rhs: fromJson(args[args.length - 1] ?? 0, percent), lhsSymbol: typeof lhs === 'string' && !lhs.startsWith("'") ? lhs : null };
      }
      case 'Measurement': {
        // compute-engine reads `a \pm b` as a measurement: the two values a + b and a − b.
        const [a = 0, b = 0] = args;
        return { kind: 'set', items: [fromJson(['Add', a, b], false), fromJson(['Subtract', a, b], false)], from: 'pm' };
      }
      case 'Quantity':
        return fromJson(args[0] ?? 0, percent); // `12 cm`: the unit is dropped
      default:
        break;
    }
  }
  if (typeof json === 'string' && json.startsWith("'")) return { kind: 'text', text: json.slice(1, -1) };
  const symbols = [...freeSymbols(json)];
  if (symbols.length === 0) return { kind: 'number', json, exact: null, percent };
  if (symbols.length === 1 && choiceLetter(symbols[0] ?? '') !== null && json === symbols[0]) return { kind: 'choice', letter: symbols[0] ?? '' };
  return { kind: 'expression', json, symbols };
}

function countMembers(a: Answer): number {
  switch (a.kind) {
    case 'tuple':
    case 'set':
      return a.items.length;
    case 'union':
    case 'ratio':
      return a.parts.length;
    default:
      return 1;
  }
}

const FUNCTION_WORDS = /^(?:and|or|sin|cos|tan|sec|csc|cot|log|ln|exp|sqrt|pi)$/i;

/** Words without digits or LaTeX (`Monday`, `Evelyn`): a text answer, not a product of one-letter symbols. */
function isProse(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z '.-]*$/.test(s)) return false;
  return s.split(/[\s'.-]+/).some((w) => w.length >= 3 && !FUNCTION_WORDS.test(w));
}

/** Whether the bracket opening at 0 closes exactly at the end of s (`(1, 2)` yes, `(1) + (2)` no). */
function enclosedWhole(s: string, openLen: number, closeLen: number): boolean {
  let depth = 0;
  for (let i = openLen; i < s.length - closeLen; i++) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** Splits at top-level `\cup`. */
function splitUnion(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && c === '\\' && /^\\cup(?![a-zA-Z])/.test(s.slice(i, i + 5))) {
      parts.push(s.slice(from, i).trim());
      from = i + 4;
    }
  }
  parts.push(s.slice(from).trim());
  return parts;
}

/**
 * Sets, tuples, intervals and unions are split here and their members read one by one, with the
 * deadline checked between them: compute-engine canonicalises a whole set at once, which for a
 * few dozen symbolic members takes hundreds of milliseconds that nothing could interrupt.
 * Null when text is none of these.
 */
function readGroup(text: string, deadline: Deadline, pmDepth: number): ReadResult | null {
  const members = (inner: string): Answer[] | string => {
    const parts = splitTopLevel(inner);
    if (parts.length > MAX_MEMBERS) return `more than ${MAX_MEMBERS} members`;
    const out: Answer[] = [];
    for (const p of parts) {
      deadline.check();
      const r = readPart(p, false, deadline, pmDepth);
      if (!r.ok) return r.reason;
      out.push(r.answer);
    }
    return out;
  };
  const union = splitUnion(text);
  if (union.length > 1) {
    const parts: Answer[] = [];
    for (const u of union) {
      const r = readPart(u, false, deadline, pmDepth);
      if (!r.ok) return r;
      parts.push(r.answer);
    }
    return ok({ kind: 'union', parts });
  }
  if (text.startsWith('\\{') && text.endsWith('\\}') && enclosedWhole(text, 2, 2)) {
    const m = members(text.slice(2, -2));
    return typeof m === 'string' ? fail(m) : ok({ kind: 'set', items: m, from: 'braces' });
  }
  const open = text[0];
  const close = text[text.length - 1];
  if ((open === '(' || open === '[') && (close === ')' || close === ']') && enclosedWhole(text, 1, 1)) {
    const inner = text.slice(1, -1);
    if (splitTopLevel(inner).length < 2) return null; // `(x+1)`: a parenthesised value
    const m = members(inner);
    if (typeof m === 'string') return fail(m);
    if (m.length === 2 && (open === '[' || close === ']')) {
      return ok({ kind: 'interval', lo: m[0] as Answer, hi: m[1] as Answer, loOpen: open === '(', hiOpen: close === ')' });
    }
    return ok({ kind: 'tuple', items: m });
  }
  return null;
}

/** One part (no top-level separators) of an answer. */
function readPart(text: string, percent: boolean, deadline: Deadline, pmDepth: number): ReadResult {
  const pm = pmDepth < MAX_PM ? expandPm(text) : null;
  if (pm) {
    const a = readPart(pm[0], percent, deadline, pmDepth + 1);
    const b = readPart(pm[1], percent, deadline, pmDepth + 1);
    if (!a.ok) return a;
    if (!b.ok) return b;
    return ok({ kind: 'set', items: [a.answer, b.answer], from: 'pm' });
  }
  const letter = choiceLetter(text);
  if (letter !== null) return ok({ kind: 'choice', letter });
  const grouped = readGroup(text, deadline, pmDepth);
  if (grouped !== null) return grouped;
  const exact = exactNumber(text);
  if (exact !== null) return ok({ kind: 'number', json: ['Rational', Number(exact.n), Number(exact.d)], exact, percent });
  const parsed = parseLatex(text, deadline);
  if (!parsed.ok) return parsed;
  const answer = fromJson(parsed.json, percent);
  if (countMembers(answer) > MAX_MEMBERS) return fail(`more than ${MAX_MEMBERS} members`);
  return ok(answer);
}

/**
 * Reads an extracted answer (a gold, or the final answer of a response) into its kind.
 * Never reduces it to one of its numbers: `\frac{1}{2^{10}}` is a number, `9:30` a ratio,
 * `4 and 27` a set of two, `\pm 3` the set {3, −3}. Throws TimeoutError past the deadline.
 */
export function readAnswer(raw: string, deadline: Deadline): ReadResult {
  if (raw.length > MAX_MATH_ANSWER_CHARS) return fail(`longer than ${MAX_MATH_ANSWER_CHARS} characters`);
  const norm = normalizeAnswer(raw);
  if (norm.wholeText !== null) {
    const letter = choiceLetter(norm.wholeText);
    if (letter !== null) return ok({ kind: 'choice', letter });
    if (!/\d/.test(norm.wholeText)) return ok({ kind: 'text', text: norm.wholeText });
  }
  if (norm.text === '') return fail('empty');
  if (isProse(norm.text)) return ok({ kind: 'text', text: norm.text });
  const parts = splitTopLevel(norm.text);
  if (parts.length > MAX_MEMBERS) return fail(`more than ${MAX_MEMBERS} members`);
  if (parts.length === 1) return readPart(parts[0] ?? '', norm.percent, deadline, 0);
  const items: Answer[] = [];
  for (const p of parts) {
    deadline.check();
    const r = readPart(p, false, deadline, 0);
    if (!r.ok) return r;
    items.push(r.answer);
  }
  return ok({ kind: 'set', items, from: 'list' });
}
