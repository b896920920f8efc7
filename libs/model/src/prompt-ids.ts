/**
 * A prompt as token ids, and the token that ends its response: the one encoding sampling and
 * training share. Text (sieve's plain format) gets BOS when the tokenizer adds one and its response
 * ends with EOS; chat messages are rendered by the checkpoint's chat template with the generation
 * prompt (as transformers' `apply_chat_template(messages, add_generation_prompt=True)`, whose text
 * already holds any BOS the template wants) and the response ends with the template's end-of-turn token.
 */
import { InputError } from '@sieve/core';
import { HfTokenizer, type ChatMessage } from './hf/tokenizer';
import { bosPrefix, type Tokenizer } from './tokenizer';

export type ModelPrompt = { text: string } | { messages: readonly ChatMessage[] };

export interface EncodedPrompt {
  /** Prompt ids, BOS or chat template included. */
  ids: number[];
  /** The token a response to it ends with: EOS (text), or the template's end-of-turn token (chat). */
  endId: number;
}

/** Whether the tokenizer can render chat prompts (an HF tokenizer with a `chat_template`). */
export function hasChatTemplate(tok: Tokenizer): tok is HfTokenizer {
  return tok instanceof HfTokenizer && tok.chatTemplate !== null;
}

/**
 * The tokenizer as one that renders chat prompts.
 * @throws InputError naming `where` (the prompt-format setting) when it has no chat template (sieve's char model, an HF tokenizer without one).
 */
export function chatTokenizer(tok: Tokenizer, where = 'model.prompt'): HfTokenizer {
  if (hasChatTemplate(tok)) return tok;
  const what = tok instanceof HfTokenizer ? 'its tokenizer_config.json has no chat_template' : "sieve's built-in model has a character tokenizer and no chat template";
  throw new InputError(`the chat prompt format needs the model's chat template, and ${what}`, { where, hint: 'use the plain prompt format, or a Hugging Face model whose tokenizer has a chat template' });
}

/** Ids of a prompt and the id its response ends with. @throws InputError for chat messages when the tokenizer has no chat template. */
export function encodeModelPrompt(tok: Tokenizer, prompt: ModelPrompt, where?: string): EncodedPrompt {
  if ('text' in prompt) return { ids: [...bosPrefix(tok), ...tok.encode(prompt.text)], endId: tok.eosId };
  const chat = chatTokenizer(tok, where);
  return { ids: chat.encode(chat.applyChatTemplate(prompt.messages, { addGenerationPrompt: true })), endId: chat.endOfTurnId };
}
