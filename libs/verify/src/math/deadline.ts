/**
 * A wall-clock budget for one verdict. Work checks it between steps (each parse, each sample
 * point, each pairing of set members), and compute-engine checks it inside its own loops
 * (`ce.withTimeLimit`), so a verdict that runs out stops at the next check with TimeoutError.
 */
export class TimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(`verdict ran over its ${budgetMs} ms budget`);
    this.name = 'TimeoutError';
  }
}

export interface Deadline {
  readonly budgetMs: number;
  /** Milliseconds left (≤ 0 when spent). */
  remaining(): number;
  /** Throws TimeoutError when the budget is spent. */
  check(): void;
}

/** A deadline `budgetMs` milliseconds from now (performance.now, monotonic). */
export function deadlineIn(budgetMs: number): Deadline {
  const at = performance.now() + budgetMs;
  return {
    budgetMs,
    remaining: () => at - performance.now(),
    check: () => {
      if (performance.now() > at) throw new TimeoutError(budgetMs);
    },
  };
}
