import { PLAIN_PROMPT, questionPrompt, type PromptSpec } from '@sieve/dataset';
import { encodeModelPrompt, type Tokenizer } from '@sieve/model';

/**
 * Prompt ids every stage feeds the model for a question: plain, BOS (unless the tokenizer adds none)
 * then "Q: …\nA: "; chat, the model's chat template over [system?, user] with the generation prompt.
 * @throws InputError (where `model.prompt`) for chat when the tokenizer has no chat template.
 */
export function encodePrompt(tokenizer: Tokenizer, questionText: string, spec: PromptSpec = PLAIN_PROMPT): number[] {
  return encodeModelPrompt(tokenizer, questionPrompt(spec, questionText)).ids;
}
