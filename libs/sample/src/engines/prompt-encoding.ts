/**
 * How an in-process engine (tfjs, llama.cpp) turns a request into the model's input: the prompt's
 * token ids and the generation settings. One definition, so both engines see a prompt the same way.
 */
import { bosPrefix, encodeModelPrompt, hasChatTemplate, isEos, type Tokenizer } from '@sieve/model';
import type { GenerateParams } from '../sequence';
import type { EnginePrompt, SamplingRequest } from './engine';
import { renderPlainChat } from './plain-chat';

export interface PromptEncoding {
  /** The prompt's token ids: chat messages through the checkpoint's chat template, else BOS? + text. */
  promptIds(prompt: EnginePrompt): number[];
  /** The request's generation settings; a chat prompt also stops at the template's end-of-turn token. */
  paramsOf(r: SamplingRequest): GenerateParams;
}

export function promptEncoding(tokenizer: Tokenizer): PromptEncoding {
  // sieve's char model has no chat template and reads chat messages as plain text.
  const chat = hasChatTemplate(tokenizer) ? tokenizer : null;
  const endOfTurn = chat && !isEos(chat, chat.endOfTurnId) ? chat.endOfTurnId : null;
  return {
    promptIds: (p) =>
      'messages' in p && chat ? encodeModelPrompt(tokenizer, p).ids : [...bosPrefix(tokenizer), ...tokenizer.encode('text' in p ? p.text : renderPlainChat(p.messages))],
    paramsOf: (r) => ({
      temperature: r.temperature,
      topP: r.topP,
      topK: r.topK,
      maxNewTokens: r.maxTokens,
      stop: [...(r.stop ?? [])],
      ...(endOfTurn !== null && 'messages' in r.prompt ? { stopIds: [endOfTurn] } : {}),
    }),
  };
}
