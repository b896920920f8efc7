import { createRng, type Rng } from '@sieve/core';
import type { SyntheticRow } from './bench';

/** [gold, equivalent answers, non-equivalent answers]: the answer kinds of MATH500-style sets. */
const TEMPLATES: [string, string[], string[]][] = [
  ['\\frac{\\sqrt{3}}{2}', ['\\frac{\\sqrt3}{2}', '\\dfrac{1}{2}\\sqrt{3}'], ['\\frac{\\sqrt{2}}{2}', '\\sqrt{3}']],
  ['(1, 7)', ['(1,7)', '\\left(1, 7\\right)'], ['(7, 1)', '(1, 6)']],
  ['[0, 9)', ['[0,9)'], ['(0, 9)', '[0, 9]']],
  ['\\{-2, 1\\}', ['\\{1, -2\\}', '1, -2'], ['\\{-2\\}', '\\{2, 1\\}']],
  ['x^2+1', ['1+x^2', 'x \\cdot x+1'], ['x^2-1', '(x+1)^2']],
  ['\\pm 2', ['2, -2', '\\pm 2'], ['2', '-2']],
  ['2\\pi', ['2 \\pi', '\\pi \\cdot 2'], ['\\pi', '4\\pi']],
  ['10^\\circ', ['10', '10^{\\circ}'], ['20', '100']],
  ['\\text{(C)}', ['C', '(C)'], ['B', 'D']],
  ['\\frac{1}{2^{10}}', ['\\frac{1}{1024}', '2^{-10}'], ['2^{10}', '1024']],
  ['x = 5', ['5', 'x=5'], ['6', 'x = -5']],
  ['3:4', ['3:4'], ['4:3']],
  ['\\frac{7}{3}', ['7/3', '\\dfrac{7}{3}'], ['\\frac{3}{7}', '2.33']],
  ['1,000,000', ['1000000', '10^6'], ['100000', '1,000']],
  ['(-\\infty, 2] \\cup [3, \\infty)', ['[3, \\infty) \\cup (-\\infty, 2]'], ['(-\\infty, 2)']],
  ['24', ['24', '24.0'], ['25', '23']],
];

const WRAPS = [
  (a: string) => `Putting it together, the answer is $\\boxed{${a}}$.`,
  (a: string) => `We simplify step by step.\nTherefore the final answer is \\(\\boxed{${a}}\\).`,
  (a: string) => `Thus $$\\boxed{${a}}$$`,
];

function synthesise(rng: Rng): SyntheticRow {
  const [gold, same, different] = rng.pick(TEMPLATES);
  const wrap = rng.pick(WRAPS);
  const roll = rng.next();
  if (roll < 0.5) return { response: wrap(rng.pick(same)), gold, label: 'correct', wrongSteps: 0 };
  if (roll < 0.9) return { response: wrap(rng.pick(different)), gold, label: 'incorrect', wrongSteps: 0 };
  const cut = rng.next() < 0.5 ? `So $\\boxed{${rng.pick(same)}}$? No: the answer is $\\boxed{\\frac{1}{` : 'I could not finish this one.';
  return { response: cut, gold, label: 'unparseable', wrongSteps: 0 };
}

/** MATH-style responses (boxed LaTeX answers of every kind) with the verdict each was built to get. */
export function synthesiseMathBenchRows(rows: number, seed: number): SyntheticRow[] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => synthesise(rng));
}
