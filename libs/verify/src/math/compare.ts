import { createRng } from '@sieve/core';
import { divideBy, equals, isInteger, withinRelative, type Rational } from '../rational';
import type { Answer } from './answer';
import type { Deadline } from './deadline';
import { numericValue } from './engine';
import { evalReal, UnsupportedOperator, type MathJson } from './evaluate';

export interface CompareOptions {
  /** Relative tolerance for values that are not both exact with an integer gold (default 1e-6). */
  relTol: number;
  /** The same tolerance as an exact rational, for exact comparisons. */
  relTolExact: Rational;
  deadline: Deadline;
}

/** Points at which expressions with variables are compared, and the seed that draws them. */
export const SAMPLE_POINTS = 6;
const POINT_SEED = 20_250_814;

/** Float value of a variable-free value; compute-engine's `N()` where the fast walk lacks an operator. */
function valueOf(json: MathJson, o: CompareOptions): number {
  try {
    return evalReal(json, new Map());
  } catch (e) {
    if (!(e instanceof UnsupportedOperator)) throw e;
    return numericValue(json, o.deadline);
  }
}

function closeFloats(a: number, b: number, relTol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= relTol * Math.max(Math.abs(b), 1e-12);
}

/**
 * Two variable-free values. Both exact (literals, fractions): as the numeric verifier, an integer
 * gold needs the exact value and another gold |r − g| ≤ relTol·|g|. Otherwise floats with relTol.
 * A percent on one side only matches both the printed number and the number / 100.
 */
function sameNumber(r: Answer & { kind: 'number' }, g: Answer & { kind: 'number' }, o: CompareOptions): boolean {
  if (r.exact && g.exact) {
    const ex = (a: Rational, b: Rational): boolean => equals(a, b) || (!isInteger(b) && withinRelative(a, b, o.relTolExact));
    if (r.percent === g.percent) return ex(r.exact, g.exact);
    const rs = r.percent ? [r.exact, divideBy(r.exact, 100n)] : [r.exact];
    const gs = g.percent ? [g.exact, divideBy(g.exact, 100n)] : [g.exact];
    return rs.some((a) => gs.some((b) => ex(a, b)));
  }
  const rv = valueOf(r.json, o);
  const gv = valueOf(g.json, o);
  if (r.percent === g.percent) return closeFloats(rv, gv, o.relTol);
  const rs = r.percent ? [rv, rv / 100] : [rv];
  const gs = g.percent ? [gv, gv / 100] : [gv];
  return rs.some((a) => gs.some((b) => closeFloats(a, b, o.relTol)));
}

/**
 * Two expressions (at least one with variables) compared by value at SAMPLE_POINTS seeded
 * random points in [0.5, 3.5) per variable: equal when every point where both are defined
 * agrees within relTol and at least half the points are defined. Deterministic per pair.
 */
function sameExpression(r: MathJson, g: MathJson, symbols: string[], o: CompareOptions): boolean {
  if (JSON.stringify(r) === JSON.stringify(g)) return true;
  const rng = createRng(POINT_SEED);
  let defined = 0;
  for (let k = 0; k < SAMPLE_POINTS; k++) {
    o.deadline.check();
    const env = new Map(symbols.map((s) => [s, 0.5 + 3 * rng.next()]));
    let rv: number;
    let gv: number;
    try {
      rv = evalReal(r, env);
      gv = evalReal(g, env);
    } catch (e) {
      if (e instanceof UnsupportedOperator) return false; // an operator we cannot evaluate: only identical JSON is equal
      throw e;
    }
    const rOk = Number.isFinite(rv);
    const gOk = Number.isFinite(gv);
    if (rOk !== gOk) return false;
    if (!rOk) continue;
    defined++;
    if (!closeFloats(rv, gv, o.relTol)) return false;
  }
  return defined >= SAMPLE_POINTS / 2;
}

const symbolsOf = (a: Answer): string[] => (a.kind === 'expression' ? a.symbols : []);

/** Order-insensitive: a perfect matching of members (greedy; equivalence is close to transitive here). */
function sameMembers(rs: readonly Answer[], gs: readonly Answer[], o: CompareOptions): boolean {
  if (rs.length !== gs.length) return false;
  const used = new Array<boolean>(rs.length).fill(false);
  for (const g of gs) {
    let found = false;
    for (let i = 0; i < rs.length && !found; i++) {
      const r = rs[i];
      if (used[i] || r === undefined) continue;
      o.deadline.check();
      if (equivalent(r, g, o)) {
        used[i] = true;
        found = true;
      }
    }
    if (!found) return false;
  }
  return true;
}

function sameOrdered(rs: readonly Answer[], gs: readonly Answer[], o: CompareOptions): boolean {
  return rs.length === gs.length && rs.every((r, i) => equivalent(r, gs[i] as Answer, o));
}

const normText = (t: string): string => t.toLowerCase().replace(/[\s.,;:!'"()]+/g, '');

/** A one-member set or list stands for its member (`\{3\}` = `3`). */
function unwrapSingle(a: Answer): Answer {
  return a.kind === 'set' && a.items.length === 1 ? (a.items[0] as Answer) : a;
}

/** A two-member tuple `(a, b)` also reads as the open interval (a, b). */
function asInterval(a: Answer): (Answer & { kind: 'interval' }) | null {
  if (a.kind === 'interval') return a;
  if (a.kind === 'tuple' && a.items.length === 2) return { kind: 'interval', lo: a.items[0] as Answer, hi: a.items[1] as Answer, loOpen: true, hiOpen: true };
  return null;
}

/**
 * Is the response's answer `r` equivalent to the gold `g`? Kinds: numbers and expressions by
 * value; tuples in order; sets, lists and `\pm` in any order; intervals by ends and openness;
 * unions by their parts in any order; `x = 5` against `5` by its right side; ratios part by part;
 * choices by letter; text case- and space-insensitively. Throws TimeoutError past the deadline.
 */
export function equivalent(rIn: Answer, gIn: Answer, o: CompareOptions): boolean {
  const r = unwrapSingle(rIn);
  const g = unwrapSingle(gIn);
  if (g.kind === 'equation' && r.kind === 'equation') {
    if (g.lhsSymbol !== null && r.lhsSymbol !== null) return equivalent(r.rhs, g.rhs, o);
    return (equivalent(r.lhs, g.lhs, o) && equivalent(r.rhs, g.rhs, o)) || (equivalent(r.lhs, g.rhs, o) && equivalent(r.rhs, g.lhs, o));
  }
  if (g.kind === 'equation') return g.lhsSymbol !== null && equivalent(r, g.rhs, o);
  if (r.kind === 'equation') return r.lhsSymbol !== null && equivalent(r.rhs, g, o);
  if (g.kind === 'set') {
    if (r.kind === 'set') return sameMembers(r.items, g.items, o);
    return r.kind === 'tuple' && g.from === 'list' && sameMembers(r.items, g.items, o);
  }
  if (g.kind === 'tuple') {
    if (r.kind === 'tuple') return sameOrdered(r.items, g.items, o);
    if (r.kind === 'set' && r.from === 'list') return sameOrdered(r.items, g.items, o); // `1, 2` for `(1, 2)`
    const ri = asInterval(r);
    const gi = asInterval(g);
    return ri !== null && gi !== null && equivalent(ri, gi, o);
  }
  if (g.kind === 'interval') {
    const ri = asInterval(r);
    if (ri === null) return r.kind === 'union' && r.parts.length === 1 && equivalent(r.parts[0] as Answer, g, o);
    return ri.loOpen === g.loOpen && ri.hiOpen === g.hiOpen && equivalent(ri.lo, g.lo, o) && equivalent(ri.hi, g.hi, o);
  }
  if (g.kind === 'union') {
    if (r.kind === 'union') return sameMembers(r.parts, g.parts, o);
    return g.parts.length === 1 && equivalent(r, g.parts[0] as Answer, o);
  }
  if (g.kind === 'ratio') return r.kind === 'ratio' && sameOrdered(r.parts, g.parts, o);
  if (g.kind === 'choice') return (r.kind === 'choice' && r.letter === g.letter) || (r.kind === 'text' && normText(r.text) === g.letter.toLowerCase());
  if (g.kind === 'text') return (r.kind === 'text' || r.kind === 'choice') && normText(r.kind === 'text' ? r.text : r.letter) === normText(g.text);
  // g is a number or an expression.
  if (r.kind === 'number' && g.kind === 'number') return sameNumber(r, g, o);
  if ((r.kind === 'number' || r.kind === 'expression') && (g.kind === 'number' || g.kind === 'expression')) {
    const symbols = [...new Set([...symbolsOf(r), ...symbolsOf(g)])];
    return sameExpression(r.json, g.json, symbols, o);
  }
  return false;
}
