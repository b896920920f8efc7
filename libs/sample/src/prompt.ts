import { formatPrompt } from '@sieve/dataset';
import { bosPrefix, type Tokenizer } from '@sieve/model';

/** Prompt ids every stage feeds the model: BOS (unless the tokenizer adds none), then `formatPrompt(question)` ("Q: …\nA: "). */
export function encodePrompt(tokenizer: Tokenizer, questionText: string): number[] {
  return [...bosPrefix(tokenizer), ...tokenizer.encode(formatPrompt(questionText))];
}
