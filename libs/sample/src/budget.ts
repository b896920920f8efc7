/**
 * How many samples each question gets. Plain: indices 0..k−1. Adaptive (`untilCorrect` N,
 * `maxK` M): rounds of k more samples until a question has N correct ones or M in all.
 *
 * The target of a question only grows once every sample below it exists, and it is computed
 * from the samples' indices and verdicts alone, so a resumed run plans exactly what an
 * uninterrupted run would have (same seeds per index → same samples → same verdicts).
 */
import { InputError } from '@sieve/core';

export interface BudgetOptions {
  k: number;
  untilCorrect?: number;
  maxK?: number;
}

interface QuestionState {
  /** Sample index → correct? (null when not verified: plain mode). */
  have: Map<number, boolean | null>;
  target: number;
}

export function checkBudget(o: BudgetOptions): void {
  if (!Number.isInteger(o.k) || o.k < 1) throw new InputError(`k must be an integer ≥ 1, got ${o.k}`, { where: '--k', hint: 'samples per question (per round with --until-correct)' });
  if (o.untilCorrect === undefined) {
    if (o.maxK !== undefined) throw new InputError('--max-k needs --until-correct', { where: '--max-k', hint: 'e.g. --until-correct 2 --max-k 32' });
    return;
  }
  if (!Number.isInteger(o.untilCorrect) || o.untilCorrect < 1) {
    throw new InputError(`until-correct must be an integer ≥ 1, got ${o.untilCorrect}`, { where: '--until-correct', hint: 'correct samples wanted per question' });
  }
  if (o.maxK === undefined || !Number.isInteger(o.maxK) || o.maxK < o.k) {
    throw new InputError(`--until-correct needs --max-k, an integer ≥ k (${o.k}); got ${o.maxK ?? 'none'}`, { where: '--max-k', hint: 'the most samples any question may get' });
  }
}

export class SampleBudget {
  private readonly states = new Map<number, QuestionState>();

  constructor(
    questionIds: readonly number[],
    private readonly o: BudgetOptions,
  ) {
    checkBudget(o);
    for (const id of questionIds) this.states.set(id, { have: new Map(), target: Math.min(o.k, o.maxK ?? o.k) });
  }

  get adaptive(): boolean {
    return this.o.untilCorrect !== undefined;
  }

  private state(q: number): QuestionState {
    const s = this.states.get(q);
    if (!s) throw new Error(`question ${q} is not part of this budget`);
    return s;
  }

  /** Records an existing or new sample (with its verdict in adaptive mode). */
  record(questionId: number, index: number, correct: boolean | null): void {
    this.state(questionId).have.set(index, correct);
  }

  /** Grows the target while every sample below it exists and the question still needs more. */
  private advance(s: QuestionState): void {
    const { untilCorrect, maxK, k } = this.o;
    if (untilCorrect === undefined || maxK === undefined) return;
    for (;;) {
      let correct = 0;
      for (let i = 0; i < s.target; i++) {
        const v = s.have.get(i);
        if (v === undefined) return; // still sampling this round
        if (v) correct++;
      }
      if (correct >= untilCorrect || s.target >= maxK) return;
      s.target = Math.min(maxK, s.target + k);
    }
  }

  /** Sample indices to generate now for this question (empty when it is done). */
  missing(questionId: number): number[] {
    const s = this.state(questionId);
    this.advance(s);
    const out: number[] = [];
    for (let i = 0; i < s.target; i++) if (!s.have.has(i)) out.push(i);
    return out;
  }

  isDone(questionId: number): boolean {
    return this.missing(questionId).length === 0;
  }

  /** Samples still planned for the current targets (adaptive rounds may add more). */
  remaining(): number {
    let n = 0;
    for (const q of this.states.keys()) n += this.missing(q).length;
    return n;
  }

  doneCount(): number {
    let n = 0;
    for (const q of this.states.keys()) if (this.isDone(q)) n++;
    return n;
  }
}
