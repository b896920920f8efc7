/** One question as the caller stores it (the store dedupes by a hash of text + gold). */
export interface NewQuestion {
  /** The question as the model sees it. */
  text: string;
  /** Bare final answer, e.g. "118". */
  goldAnswer: string;
  /** GSM8K-style solution with <<a*b=c>> annotations and a final "#### 118", when known. */
  goldSolution: string | null;
  /** E.g. the number of operations. */
  difficulty: number | null;
  /** Generator knobs, source line, original fields… */
  meta: Record<string, unknown>;
}
