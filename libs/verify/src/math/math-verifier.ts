import { InputError } from '@sieve/core';
import { toleranceOf, DEFAULT_REL_TOL } from '../equivalence';
import { boxContent, boxedSpans, extractAnswer, type Extraction } from '../extract';
import type { Verdict, Verifier } from '../numeric-verifier';
import { checkSteps } from '../steps';
import { readAnswer, type Answer } from './answer';
import { equivalent } from './compare';
import { deadlineIn, TimeoutError } from './deadline';
import { computeEngine } from './engine';

/** Default wall-clock budget of one verdict (reading the response and comparing). */
export const DEFAULT_TIME_BUDGET_MS = 100;
/** Budget for reading a gold (once per distinct gold: golds are cached). */
const GOLD_BUDGET_MS = 1_000;
const GOLD_CACHE_SIZE = 10_000;

const show = (text: string): string => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
};

/** What lies between two boxes that belong to one answer: `$\boxed{2}$ and $\boxed{3}$`. */
const JOINER = /^[\s$,;.]*(?:(?:and|or|,|;)[\s$,;.]*)?$/;

/**
 * The final answer of a response for the math verifier: as `extractAnswer`, except that boxes
 * written one after another (only `,`, `and`, `or`, `$` between them) are one answer
 * (`\boxed{2} and \boxed{3}` → `2, 3`).
 */
export function extractMathAnswer(text: string): Extraction | null {
  const ex = extractAnswer(text);
  if (ex === null || ex.rule !== 'boxed' || ex.cutOff) return ex;
  const { spans } = boxedSpans(text);
  let first = spans.length - 1;
  while (first > 0) {
    const prev = spans[first - 1];
    const cur = spans[first];
    if (prev === undefined || cur === undefined) break;
    // Text between the previous box's closing `}` and this box's `\boxed{`.
    const gap = text.slice(prev[1] + 1, cur[0]).replace(/\\boxed\s*\{$/, '');
    if (!JOINER.test(gap)) break;
    first--;
  }
  if (first === spans.length - 1) return ex;
  return { raw: spans.slice(first).map((s) => boxContent(text, s)).join(', '), rule: 'boxed' };
}

const goldCache = new Map<string, { text: string; answer: Answer }>();

/**
 * A gold for the math verifier: a bare answer, read whole, or a solution whose final answer is
 * its last `\boxed{…}` (MATH) or its `#### …` line (GSM8K). Throws InputError naming the gold when
 * it cannot be read as one answer; never falls back to one of its numbers.
 */
export function parseMathGold(gold: string): { text: string; answer: Answer } {
  const hit = goldCache.get(gold);
  if (hit) return hit;
  const ex = extractAnswer(gold);
  const marked = ex !== null && (ex.rule === 'boxed' || ex.rule === 'hashes');
  const bad = (why: string): InputError =>
    new InputError(`gold answer cannot be read as one answer (${why}): "${show(gold)}"`, {
      where: 'gold answer',
      hint: 'give the gold as one answer (5, \\frac{1}{2}, (1, 7), [0, 9), \\{1, 2\\}, x^2+1, \\pm 2, \\text{(C)}) or a solution ending in \\boxed{…} or "#### …"',
    });
  if (ex?.cutOff) throw bad('its final \\boxed{ never closes');
  const text = marked ? ex.raw : gold.trim();
  let read;
  try {
    read = readAnswer(text, deadlineIn(GOLD_BUDGET_MS));
  } catch (e) {
    if (e instanceof TimeoutError) throw bad(`reading it took over ${GOLD_BUDGET_MS} ms`);
    throw e;
  }
  if (!read.ok) throw bad(read.reason);
  if (goldCache.size >= GOLD_CACHE_SIZE) goldCache.clear();
  const parsed = { text, answer: read.answer };
  goldCache.set(gold, parsed);
  return parsed;
}

/**
 * The `math` verifier: MATH-style answers (numbers, expressions, tuples, intervals, sets,
 * equations, ratios, `\pm`, choices, text) read with compute-engine and compared by kind
 * (see `equivalent`). Each verdict runs within `timeBudgetMs` (default 100 ms); one that runs
 * out is `unparseable` with the reason `timeout`.
 */
export const mathVerifier: Verifier = (response, gold, opts) => {
  const relTol = opts.relTol ?? DEFAULT_REL_TOL;
  const budget = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const g = parseMathGold(gold);
  computeEngine(); // built once per process (~0.4 s): not part of any verdict's budget
  const deadline = deadlineIn(budget);
  const report = checkSteps(response);
  const base = { gold, steps: { total: report.total, wrong: report.wrong, unchecked: report.unchecked } };
  const ex = extractMathAnswer(response);
  if (!ex) return { ...base, status: 'unparseable', extracted: null, extractedBy: null, reason: 'no answer in response' };
  const found = { extracted: ex.raw, extractedBy: ex.rule };
  const verdict = (status: Verdict['status'], reason: string): Verdict => ({ ...base, ...found, status, reason });
  if (ex.cutOff) return verdict('unparseable', 'the final \\boxed{ is cut off (never closed)');
  try {
    const r = readAnswer(ex.raw, deadline);
    if (!r.ok) return verdict('unparseable', `${ex.rule} answer "${show(ex.raw)}" is not readable: ${r.reason}`);
    const same = equivalent(r.answer, g.answer, { relTol, relTolExact: toleranceOf(relTol), deadline });
    deadline.check();
    return same
      ? verdict('correct', `matches gold ${show(g.text)}`)
      : verdict('incorrect', `${r.answer.kind} ${show(ex.raw)} ≠ gold ${g.answer.kind} ${show(g.text)}`);
  } catch (e) {
    if (e instanceof TimeoutError) return verdict('unparseable', 'timeout');
    throw e;
  }
};
