import { formatPrompt } from '@sieve/dataset';
import type { Tokenizer } from '@sieve/model';

/** Prompt ids every stage feeds the model: BOS, then `formatPrompt(question)` ("Q: …\nA: "). */
export function encodePrompt(tokenizer: Tokenizer, questionText: string): number[] {
  return [tokenizer.bosId, ...tokenizer.encode(formatPrompt(questionText))];
}
