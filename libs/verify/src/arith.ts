import { MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH } from './limits';

/**
 * A small safe arithmetic evaluator (recursive descent, no eval/Function) for calculator
 * annotations. Grammar, loosest binding first:
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '//' | 'x' | '×' | '÷') unary)*   ('//' floors, as in Python)
 *   unary   := ('-' | '+') unary | power          (so -2^2 = -4)
 *   power   := postfix (('^' | '**') unary)?      (right-associative)
 *   postfix := primary '%'?                       (5% = 0.05)
 *   primary := number | '(' expr ')'
 * Numbers may carry thousands commas (`1,000`) and a leading `$`. Anything else (letters,
 * `;`, quotes …) is refused. Length and nesting are capped (see limits.ts).
 */
export type EvalResult = { ok: true; value: number } | { ok: false; error: string };

type Token = { kind: 'num'; value: number } | { kind: 'op'; op: string };

class EvalFailure extends Error {}

const OPS: Record<string, string> = {
  '+': '+', '-': '-', '\u2212': '-', '*': '*', '/': '/', '^': '^', '(': '(', ')': ')', '%': '%',
  x: '*', X: '*', '\u00d7': '*', '\u00f7': '/', '\u22c5': '*', '\u00b7': '*',
};

const isDigit = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** End of a number at i: digits with optional `,ddd` groups, then optional `.digits`. */
function numberEnd(src: string, i: number): number {
  let j = i;
  while (isDigit(src, j)) j++;
  if (j - i >= 1 && j - i <= 3) {
    while (src[j] === ',' && isDigit(src, j + 1) && isDigit(src, j + 2) && isDigit(src, j + 3) && !isDigit(src, j + 4)) j += 4;
  }
  if (src[j] === '.' && isDigit(src, j + 1)) {
    j++;
    while (isDigit(src, j)) j++;
  }
  // `1.2.3` or `1,00` are not numbers.
  if (src[j] === '.' && isDigit(src, j + 1)) throw new EvalFailure(`bad number at ${i}`);
  if (src[j] === ',' && isDigit(src, j + 1)) throw new EvalFailure(`bad number at ${i}`);
  return j;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src.charAt(i);
    if (ch === ' ' || ch === '\t' || ch === '$') {
      i++;
      continue;
    }
    if (isDigit(src, i) || (ch === '.' && isDigit(src, i + 1))) {
      const end = numberEnd(src, i);
      tokens.push({ kind: 'num', value: Number(src.slice(i, end).replace(/,/g, '')) });
      i = end;
      continue;
    }
    if (ch === '*' && src.charAt(i + 1) === '*') {
      tokens.push({ kind: 'op', op: '^' });
      i += 2;
      continue;
    }
    if (ch === '/' && src.charAt(i + 1) === '/') {
      tokens.push({ kind: 'op', op: '//' });
      i += 2;
      continue;
    }
    const op = OPS[ch];
    if (op === undefined) throw new EvalFailure(`unexpected '${ch}' at ${i}`);
    tokens.push({ kind: 'op', op });
    i++;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    const v = this.expr();
    if (this.pos < this.tokens.length) throw new EvalFailure(`unexpected token ${this.pos}`);
    return v;
  }

  private peekOp(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' ? t.op : undefined;
  }

  private enter(): void {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new EvalFailure('nested too deeply');
  }

  private expr(): number {
    let v = this.term();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.pos++;
      const r = this.term();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  }

  private term(): number {
    let v = this.unary();
    for (let op = this.peekOp(); op === '*' || op === '/' || op === '//'; op = this.peekOp()) {
      this.pos++;
      const r = this.unary();
      v = op === '*' ? v * r : op === '/' ? v / r : Math.floor(v / r);
    }
    return v;
  }

  private unary(): number {
    const op = this.peekOp();
    if (op === '-' || op === '+') {
      this.pos++;
      this.enter();
      const v = this.unary();
      this.depth--;
      return op === '-' ? -v : v;
    }
    return this.power();
  }

  private power(): number {
    const base = this.postfix();
    if (this.peekOp() !== '^') return base;
    this.pos++;
    this.enter();
    const exponent = this.unary();
    this.depth--;
    return base ** exponent;
  }

  private postfix(): number {
    const v = this.primary();
    if (this.peekOp() === '%') {
      this.pos++;
      return v / 100;
    }
    return v;
  }

  private primary(): number {
    const t = this.tokens[this.pos];
    if (t === undefined) throw new EvalFailure('unexpected end');
    if (t.kind === 'num') {
      this.pos++;
      return t.value;
    }
    if (t.op !== '(') throw new EvalFailure(`unexpected '${t.op}'`);
    this.pos++;
    this.enter();
    const v = this.expr();
    this.depth--;
    if (this.peekOp() !== ')') throw new EvalFailure('missing )');
    this.pos++;
    return v;
  }
}

export function evaluateArithmetic(src: string): EvalResult {
  if (src.length > MAX_EXPRESSION_CHARS) return { ok: false, error: `longer than ${MAX_EXPRESSION_CHARS} characters` };
  try {
    const tokens = tokenize(src);
    if (tokens.length === 0) return { ok: false, error: 'empty expression' };
    return { ok: true, value: new Parser(tokens).parse() };
  } catch (err) {
    if (err instanceof EvalFailure) return { ok: false, error: err.message };
    throw err;
  }
}
