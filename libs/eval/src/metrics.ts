import { InputError } from '@sieve/core';

/** Per-question sampling outcome: n samples drawn, c of them correct. */
export interface QuestionCount {
  n: number;
  c: number;
}

const WHERE = '@sieve/eval metrics';

/** Message prefix naming the offending question, when there is a list. */
const label = (i: number | null): string => (i === null ? '' : `question #${i}: `);

function checkCount(q: QuestionCount, i: number | null): void {
  if (!Number.isInteger(q.n) || q.n < 1) {
    throw new InputError(`${label(i)}n must be an integer ≥ 1, got ${q.n}`, { where: WHERE, hint: 'n is the number of samples drawn for the question' });
  }
  if (!Number.isInteger(q.c) || q.c < 0 || q.c > q.n) {
    throw new InputError(`${label(i)}c must be an integer in [0, n=${q.n}], got ${q.c}`, { where: WHERE, hint: 'c is the number of correct samples among the n' });
  }
}

function checkNonEmpty(len: number, what: string): void {
  if (len === 0) {
    throw new InputError(`${what} needs at least one question`, { where: WHERE, hint: 'evaluate on a non-empty split' });
  }
}

function passAtKUnchecked(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  // 1 − C(n−c, k)/C(n, k) = 1 − ∏_{i=n−c+1..n} (1 − k/i)  (Chen et al. 2021): no big binomials.
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

function checkK(k: number, n: number, i: number | null): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InputError(`k must be an integer ≥ 1, got ${k}`, { where: WHERE, hint: 'pass@k is defined for k = 1..n' });
  }
  if (k > n) {
    throw new InputError(`${label(i)}pass@${k} needs k ≤ n, but only n=${n} samples were drawn`, {
      where: WHERE,
      hint: `draw at least ${k} samples per question, or ask for a smaller k`,
    });
  }
}

/** Unbiased pass@k estimator from n samples of which c are correct: 1 − C(n−c, k)/C(n, k). */
export function passAtK(n: number, c: number, k: number): number {
  checkCount({ n, c }, null);
  checkK(k, n, null);
  return passAtKUnchecked(n, c, k);
}

/** Mean of the unbiased pass@k over questions. */
export function meanPassAtK(perQuestion: readonly QuestionCount[], k: number): number {
  checkNonEmpty(perQuestion.length, `pass@${k}`);
  let sum = 0;
  perQuestion.forEach((q, i) => {
    checkCount(q, i);
    checkK(k, q.n, i);
    sum += passAtKUnchecked(q.n, q.c, k);
  });
  return sum / perQuestion.length;
}

/** avg@N: mean over questions of the fraction of correct samples (the DFT paper's avg@16). */
export function avgAtN(perQuestion: readonly QuestionCount[]): number {
  checkNonEmpty(perQuestion.length, 'avg@N');
  let sum = 0;
  perQuestion.forEach((q, i) => {
    checkCount(q, i);
    sum += q.c / q.n;
  });
  return sum / perQuestion.length;
}

/** Fraction of questions answered correctly by greedy decoding. */
export function greedyAccuracy(correct: readonly boolean[]): number {
  checkNonEmpty(correct.length, 'greedy accuracy');
  let hits = 0;
  for (const x of correct) if (x) hits++;
  return hits / correct.length;
}
