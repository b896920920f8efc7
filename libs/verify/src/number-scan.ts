import { MAX_EXPONENT, MAX_NUMBER_DIGITS } from './limits';
import { add, fromDecimal, negate, rational, type Rational } from './rational';

/**
 * A number token as it appears in an answer: optional sign and `$`, then a decimal
 * literal (`1,234.5`, `.5`, `2e3`), a plain fraction (`3/4`), a LaTeX fraction
 * (`\frac{1}{2}`, `\frac12`) or a mixed number (`2 1/2`, `2\frac{1}{2}`), then an
 * optional `%` / `percent`. `value` is the printed number: `50%` has value 50, percent true.
 * Input is expected to have passed through `cleanLatex` (so `\dfrac` is already `\frac`).
 */
export interface NumberToken {
  start: number;
  end: number;
  value: Rational;
  percent: boolean;
}

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

const isLetterAt = (s: string, i: number): boolean => /[A-Za-z_]/.test(s.charAt(i));

interface Literal {
  end: number;
  value: Rational;
  /** A bare run of digits: may start a mixed number. */
  plainInteger: boolean;
}

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
  if (intDigits.length + fracDigits.length > MAX_NUMBER_DIGITS) return null;
  let exponent = 0;
  if (s[j] === 'e' || s[j] === 'E') {
    let k = j + 1;
    let sign = 1;
    if (s[k] === '+' || s[k] === '-') {
      sign = s[k] === '-' ? -1 : 1;
      k++;
    }
    const expEnd = skipDigits(s, k);
    if (expEnd > k && expEnd - k <= 6 && !isLetterAt(s, expEnd)) {
      exponent = sign * Number(s.slice(k, expEnd));
      if (Math.abs(exponent) > MAX_EXPONENT) return null;
      j = expEnd;
    }
  }
  const plainInteger = !grouped && fracDigits === '' && exponent === 0;
  return { end: j, value: fromDecimal(intDigits, fracDigits, exponent), plainInteger };
}

const FRAC = '\\frac';

/** One `\frac` argument: `{ -12 }` or a single digit (`\frac12`). */
function scanFracArg(s: string, i: number): { end: number; value: Rational } | null {
  let j = i;
  while (s[j] === ' ' && j < i + 3) j++;
  if (isDigitAt(s, j)) return { end: j + 1, value: rational(BigInt(s.charCodeAt(j) - 48)) };
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
  return { end: j + 1, value: neg ? negate(lit.value) : lit.value };
}

function scanFrac(s: string, i: number): { end: number; value: Rational } | null {
  if (!s.startsWith(FRAC, i) || isLetterAt(s, i + FRAC.length)) return null;
  const num = scanFracArg(s, i + FRAC.length);
  if (!num) return null;
  const den = scanFracArg(s, num.end);
  if (!den || den.value.n === 0n) return null;
  return { end: den.end, value: rational(num.value.n * den.value.d, num.value.d * den.value.n) };
}

/** `/ 4` right after a literal: the denominator of a plain fraction. */
function scanSlashDenominator(s: string, i: number): { end: number; value: Rational } | null {
  if (s[i] !== '/' || !isDigitAt(s, i + 1)) return null;
  const den = scanLiteral(s, i + 1);
  if (!den || den.value.n === 0n) return null;
  return den;
}

function divide(a: Rational, b: Rational): Rational {
  return rational(a.n * b.d, a.d * b.n);
}

function scanBody(s: string, i: number): { end: number; value: Rational } | null {
  const frac = scanFrac(s, i);
  if (frac) return frac;
  const lit = scanLiteral(s, i);
  if (!lit) return null;
  const den = scanSlashDenominator(s, lit.end);
  if (den) return { end: den.end, value: divide(lit.value, den.value) };
  if (lit.plainInteger) {
    // Mixed number: `2\frac{1}{2}`, `2 \frac12` or `2 1/2`.
    const at = s[lit.end] === ' ' ? lit.end + 1 : lit.end;
    const tail = scanFrac(s, at);
    if (tail && tail.value.n >= 0n) return { end: tail.end, value: add(lit.value, tail.value) };
    if (at > lit.end) {
      const whole = scanLiteral(s, at);
      const d = whole?.plainInteger ? scanSlashDenominator(s, whole.end) : null;
      if (whole && d && whole.value.n * d.value.d < d.value.n * whole.value.d) {
        return { end: d.end, value: add(lit.value, divide(whole.value, d.value)) };
      }
    }
  }
  return { end: lit.end, value: lit.value };
}

/**
 * The number token starting exactly at i, or null. Whether a leading `-` is a sign or a
 * minus operator depends on context; callers that care check the preceding character.
 */
export function scanNumber(s: string, i: number): NumberToken | null {
  let j = i;
  let neg = false;
  let signed = false;
  const readSign = (): void => {
    if (!signed && (s[j] === '-' || s[j] === '+')) {
      neg = s[j] === '-';
      signed = true;
      j++;
    }
  };
  readSign();
  if (s[j] === '$') {
    j++;
    if (s[j] === ' ') j++;
    readSign();
  }
  const body = scanBody(s, j);
  if (!body) return null;
  j = body.end;
  let percent = false;
  const k = s[j] === ' ' ? j + 1 : j;
  if (s[k] === '%') {
    percent = true;
    j = k + 1;
  } else if (s.slice(k, k + 7).toLowerCase() === 'percent' && !isLetterAt(s, k + 7)) {
    percent = true;
    j = k + 7;
  }
  return { start: i, end: j, value: neg ? negate(body.value) : body.value, percent };
}
