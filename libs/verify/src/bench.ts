import { createRng, InputError, type Rng } from '@sieve/core';
import type { VerdictStatus } from './numeric-verifier';
import { synthesiseMathBenchRows } from './bench-math';
import { verify } from './registry';

export interface BenchOptions {
  rows?: number;
  seed?: number;
  /** Registered verifier to time (default `numeric`). `math` grades MATH-style rows, any other GSM8K-like rows. */
  verifier?: string;
}

export interface BenchResult {
  verifier: string;
  /** Which synthetic rows were graded. */
  rowKind: 'gsm8k-like' | 'math-style';
  rows: number;
  /** Wall time of grading only (synthesis excluded). */
  seconds: number;
  rowsPerSecond: number;
  /** Fraction of rows whose verdict status and wrong-step count match what was synthesised. */
  accuracy: number;
}

export interface SyntheticRow {
  response: string;
  gold: string;
  label: VerdictStatus;
  wrongSteps: number;
}

const ITEMS = ['apples', 'eggs', 'pencils', 'stickers', 'marbles', 'cookies'];
const NAMES = ['Natalia', 'Weng', 'Betty', 'Julie', 'James', 'Mark'];

const withCommas = (n: number): string => n.toLocaleString('en-US');

/** One annotated step; with probability pWrong the written claim is off by a small amount. */
function step(rng: Rng, expr: string, value: number, pWrong: number): { text: string; wrong: boolean } {
  const wrong = rng.next() < pWrong;
  const claimed = wrong ? value + rng.pick([-3, -2, -1, 1, 2, 5, 10]) : value;
  return { text: `${expr} = <<${expr}=${claimed}>>${claimed}`, wrong };
}

function formatFinal(rng: Rng, n: number): string {
  switch (rng.int(0, 7)) {
    case 0: return `#### ${n}`;
    case 1: return `#### ${withCommas(n)}`;
    case 2: return `The answer is ${n}.`;
    case 3: return `The answer is: $${withCommas(n)}`;
    case 4: return `The final answer is \\boxed{${n}}.`;
    case 5: return `\\boxed{\\text{${n} dollars}}`;
    case 6: return `A: ${n}.0`;
    default: return `So the total is ${n} in all.`;
  }
}

function synthesise(rng: Rng): SyntheticRow {
  const name = rng.pick(NAMES);
  const item = rng.pick(ITEMS);
  const a = rng.int(2, 40);
  const b = rng.int(2, 60);
  const c = rng.int(1, 500);
  const d = rng.int(2, 5);
  const s1 = a * b;
  const s2 = s1 + c;
  const answer = s2 * d;
  const roll = rng.next();
  const label: VerdictStatus = roll < 0.55 ? 'correct' : roll < 0.9 ? 'incorrect' : 'unparseable';
  const gold = rng.pick([`${answer}`, `#### ${answer}`, `$${withCommas(answer)}`]);
  if (label === 'unparseable' && rng.next() < 0.5) {
    return { response: `${name} has some ${item}. I am not sure how to finish this problem.`, gold, label, wrongSteps: 0 };
  }
  const steps = [step(rng, `${a}*${b}`, s1, 0.1), step(rng, `${s1}+${c}`, s2, 0.1), step(rng, `${s2}*${d}`, answer, 0.1)];
  const lines = [
    `${name} buys ${a} boxes with ${b} ${item} each, so ${steps[0]?.text} ${item}.`,
    `Adding ${c} more gives ${steps[1]?.text} ${item}.`,
    `Over ${d} days that is ${steps[2]?.text} ${item}.`,
  ];
  const final =
    label === 'unparseable'
      ? rng.pick(['\\boxed{?}', '\\boxed{\\text{unknown}}', '#### 3 and 4'])
      : formatFinal(rng, label === 'correct' ? answer : answer + rng.pick([-10, -1, 1, 2, 7, answer]));
  return {
    response: `${lines.join('\n')}\n${final}`,
    gold,
    label,
    wrongSteps: steps.filter((s) => s.wrong).length,
  };
}

/** The bench's rows: GSM8K-like responses with the verdict and wrong-step count they were built to get. */
export function synthesiseBenchRows(rows: number, seed: number): SyntheticRow[] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => synthesise(rng));
}

/** Synthesises GSM8K-like (or, for `math`, MATH-style) responses from a seed and times grading them all with one verifier. */
export function benchVerify(opts: BenchOptions = {}): BenchResult {
  const rows = opts.rows ?? 100_000;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new InputError(`bench rows must be a positive integer, got ${rows}`, { where: 'benchVerify: rows' });
  }
  const verifier = opts.verifier ?? 'numeric';
  const rowKind = verifier === 'math' ? 'math-style' : 'gsm8k-like';
  const data = rowKind === 'math-style' ? synthesiseMathBenchRows(rows, seed) : synthesiseBenchRows(rows, seed);
  verify('\\boxed{x+1}', 'x+1', { verifier: 'math' }); // warm-up: compute-engine's first parse builds its dictionaries (~0.4 s)
  let agree = 0;
  const t0 = performance.now();
  for (const row of data) {
    const v = verify(row.response, row.gold, { verifier });
    if (v.status === row.label && v.steps.wrong === row.wrongSteps) agree++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { verifier, rowKind, rows, seconds, rowsPerSecond: rows / seconds, accuracy: agree / rows };
}
