import { MAX_EXPONENT, MAX_NUMBER_DIGITS } from './limits';
import { add, fromDecimal, negate, rational, type Rational } from './rational';

/**
 * A number token as it appears in an answer: optional sign and `$`, then a decimal
 * literal (`1,234.5`, `.5`, `2e3`, `10^6`, `1.5 \times 10^{3}`), a plain fraction (`3/4`), a
 * LaTeX fraction (`\frac{1}{2}`, `\frac12`) or a mixed number (`2 1/2`, `2\frac{1}{2}`), then an
 * optional `%` / `percent`. `value` is the printed number (`50%` has value 50, percent true);
 * it is null for a number-shaped token beyond the caps (`1e99999`, 40,000 digits), so callers
 * neither read it as a number nor mistake its pieces (the exponent) for one.
 * Input is expected to have passed through `cleanLatex` (so `\dfrac` is already `\frac`).
 */
export interface NumberToken {
  start: number;
  end: number;
  value: Rational | null;
  percent: boolean;
}

/** A span and its exact value, or null value when too large to build. */
interface Span {
  end: number;
  value: Rational | null;
}

interface Literal extends Span {
  /** A bare run of digits: may start a mixed number. */
  plainInteger: boolean;
}

/** Zero, as far as can be told (a too-large literal is not zero). */
const isZero = (x: Span): boolean => x.value !== null && x.value.n === 0n;

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

const isLetterAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  const lower = c | 32; // lower-cases ASCII letters
  return (lower >= 97 && lower <= 122) || c === 95 /* _ */;
};

/** End of the digit run starting at i. */
export function skipDigits(s: string, i: number): number {
  let j = i;
  while (isDigitAt(s, j)) j++;
  return j;
}

/** Unsigned decimal literal at exactly i, or null. */
export function scanLiteral(s: string, i: number): Literal | null {
  let j = skipDigits(s, i);
  let intDigits = s.slice(i, j);
  let grouped = false;
  if (intDigits.length >= 1 && intDigits.length <= 3) {
    // Thousands groups: exactly three digits after each comma.
    let k = j;
    const parts = [intDigits];
    while (s[k] === ',' && isDigitAt(s, k + 1) && isDigitAt(s, k + 2) && isDigitAt(s, k + 3) && !isDigitAt(s, k + 4)) {
      parts.push(s.slice(k + 1, k + 4));
      k += 4;
    }
    if (parts.length > 1) {
      intDigits = parts.join('');
      j = k;
      grouped = true;
    }
  }
  let fracDigits = '';
  if (s[j] === '.' && isDigitAt(s, j + 1)) {
    const k = skipDigits(s, j + 1);
    fracDigits = s.slice(j + 1, k);
    j = k;
  }
  if (intDigits === '' && fracDigits === '') return null;
  let exponent = 0;
  if (s[j] === 'e' || s[j] === 'E') {
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    const expEnd = skipDigits(s, k);
    if (expEnd > k && !isLetterAt(s, expEnd)) {
      exponent = expEnd - k > 9 ? Infinity : Number(s.slice(j + 1, expEnd));
      j = expEnd;
    }
  }
  const plainInteger = !grouped && fracDigits === '' && exponent === 0;
  const tooLarge = intDigits.length + fracDigits.length > MAX_NUMBER_DIGITS || Math.abs(exponent) > MAX_EXPONENT;
  const value = tooLarge ? null : fromDecimal(intDigits, fracDigits, exponent);
  return { end: j, value, plainInteger };
}

function divide(a: Rational | null, b: Rational | null): Rational | null {
  return a && b ? rational(a.n * b.d, a.d * b.n) : null;
}

const FRAC = '\\frac';

/** One `\frac` argument: `{ -12 }` or a single digit (`\frac12`). */
function scanFracArg(s: string, i: number): Span | null {
  let j = i;
  while (s[j] === ' ' && j < i + 3) j++;
  if (isDigitAt(s, j)) {
    return { end: j + 1, value: rational(BigInt(s.charCodeAt(j) - 48)) };
  }
  if (s[j] !== '{') return null;
  j++;
  while (s[j] === ' ' && j < i + 8) j++;
  let neg = false;
  if (s[j] === '-' || s[j] === '+') {
    neg = s[j] === '-';
    j++;
  }
  const lit = scanLiteral(s, j);
  if (!lit) return null;
  j = lit.end;
  while (s[j] === ' ' && j < lit.end + 3) j++;
  if (s[j] !== '}') return null;
  return { end: j + 1, value: neg && lit.value ? negate(lit.value) : lit.value };
}

function scanFrac(s: string, i: number): Span | null {
  if (!s.startsWith(FRAC, i) || isLetterAt(s, i + FRAC.length)) return null;
  const num = scanFracArg(s, i + FRAC.length);
  if (!num) return null;
  const den = scanFracArg(s, num.end);
  if (!den || isZero(den)) return null;
  return { end: den.end, value: divide(num.value, den.value) };
}

/** `/ 4` right after a literal: the denominator of a plain fraction. */
function scanSlashDenominator(s: string, i: number): Literal | null {
  if (s[i] !== '/' || !isDigitAt(s, i + 1)) return null;
  const den = scanLiteral(s, i + 1);
  return den && !isZero(den) ? den : null;
}

/** `^6`, `^{-2}` right after a number: an integer exponent. */
function scanExponent(s: string, i: number): { end: number; exp: number } | null {
  if (s[i] !== '^') return null;
  let j = i + 1;
  const braced = s[j] === '{';
  if (braced) j++;
  const neg = s[j] === '-';
  if (neg || s[j] === '+') j++;
  const end = skipDigits(s, j);
  if (end === j) return null;
  const exp = (end - j > 9 ? Infinity : Number(s.slice(j, end))) * (neg ? -1 : 1);
  if (!braced) return { end, exp };
  return s[end] === '}' ? { end: end + 1, exp } : null;
}

/**
 * `^a^b^c`: powers group from the right, so the exponent is a^(b^c) (`3^2^2` = 3^4 = 81).
 * An exponent beyond MAX_EXPONENT is Infinity, and a non-integer one (`2^-1^…`) NaN: either
 * makes the value null in `power`, never a wrong number.
 */
function scanExponentChain(s: string, i: number): { end: number; exp: number } | null {
  const exps: number[] = [];
  let end = i;
  while (s[end] === '^') {
    const e = scanExponent(s, end);
    if (!e) return exps.length === 0 ? null : { end, exp: NaN }; // `2^3^x`: not a number
    exps.push(e.exp);
    end = e.end;
  }
  let exp = exps.pop() ?? NaN;
  for (let k = exps.length - 1; k >= 0; k--) {
    const base = exps[k] ?? NaN;
    exp = Math.abs(exp) > MAX_EXPONENT || Math.abs(base) > MAX_EXPONENT ? Infinity : base ** exp;
    if (!Number.isFinite(exp) || Math.abs(exp) > MAX_EXPONENT) exp = Infinity;
  }
  return { end, exp };
}

/** base^exp exactly; null when the result would add more than MAX_EXPONENT digits. */
function power(base: Rational | null, exp: number, baseChars: number): Rational | null {
  if (!base || !Number.isInteger(exp) || baseChars * Math.abs(exp) > MAX_EXPONENT) return null;
  const k = BigInt(Math.abs(exp));
  const n = base.n ** k;
  const d = base.d ** k;
  if (exp >= 0) return rational(n, d);
  return n === 0n ? null : rational(d, n);
}

const TIMES = /^ ?(?:\\times|\\cdot|×|\u00b7) ?10\^/;

/**
 * A literal with what may follow it: `^k`, ` \times 10^k`, `/den`, or a mixed-number fraction.
 * A literal followed by `^` that is not an integer exponent (`2^x`) is not a number.
 */
function scanBody(s: string, i: number): Span | null {
  const frac = scanFrac(s, i);
  if (frac) return frac;
  const lit = scanLiteral(s, i);
  if (!lit) return null;
  let span: Span = lit;
  if (s[lit.end] === '^') {
    const e = scanExponentChain(s, lit.end);
    if (!e) return null;
    span = { end: e.end, value: power(lit.value, e.exp, lit.end - i) };
  }
  const next = s.charAt(s[span.end] === ' ' ? span.end + 1 : span.end);
  const times = next === '\\' || next === '×' || next === '\u00b7' ? TIMES.exec(s.slice(span.end, span.end + 12)) : null;
  if (times) {
    const e = scanExponent(s, span.end + times[0].length - 1);
    if (!e) return null;
    const scale = power(rational(10n), e.exp, 1);
    return { end: e.end, value: span.value && scale ? rational(span.value.n * scale.n, span.value.d * scale.d) : null };
  }
  if (span !== lit) return span;
  const den = scanSlashDenominator(s, lit.end);
  if (den) return { end: den.end, value: divide(lit.value, den.value) };
  if (lit.plainInteger && lit.value) {
    // Mixed number: `2\frac{1}{2}`, `2 \frac12` or `2 1/2`.
    const at = s[lit.end] === ' ' ? lit.end + 1 : lit.end;
    const tail = scanFrac(s, at);
    if (tail?.value && tail.value.n >= 0n) return { end: tail.end, value: add(lit.value, tail.value) };
    if (at > lit.end && s[skipDigits(s, at)] === '/') {
      const whole = scanLiteral(s, at);
      const d = whole?.plainInteger ? scanSlashDenominator(s, whole.end) : null;
      const part = whole && d ? divide(whole.value, d.value) : null;
      if (part && d && part.n < part.d) return { end: d.end, value: add(lit.value, part) };
    }
  }
  return lit;
}

/**
 * The number token starting exactly at i, or null. Whether a leading `-` is a sign or a
 * minus operator depends on context; callers that care check the preceding character.
 */
export function scanNumber(s: string, i: number): NumberToken | null {
  let j = i;
  // Sign, then `$`, then a sign again if none came first (`-$5` and `$-5`). No closures: hot path.
  let sign = s[j] === '-' || s[j] === '+' ? s[j++] : '';
  if (s[j] === '$') {
    j++;
    if (s[j] === ' ') j++;
    if (sign === '' && (s[j] === '-' || s[j] === '+')) sign = s[j++] ?? '';
  }
  const neg = sign === '-';
  const body = scanBody(s, j);
  if (!body) return null;
  j = body.end;
  let percent = false;
  const k = s[j] === ' ' ? j + 1 : j;
  if (s[k] === '%') {
    percent = true;
    j = k + 1;
  } else if ((s[k] === 'p' || s[k] === 'P') && s.slice(k, k + 7).toLowerCase() === 'percent' && !isLetterAt(s, k + 7)) {
    percent = true;
    j = k + 7;
  }
  const value = neg && body.value ? negate(body.value) : body.value;
  return { start: i, end: j, value, percent };
}
