/**
 * The tfjs side of the token view, loaded on demand (`import()`), so `sieve inspect` and the
 * pages without token colours never pay for the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { chatTokenizer, encodeModelPrompt, hasChatTemplate, initBackend, isEos, loadCheckpoint, tokenizerFromJSON, type LoadedCheckpoint, type ModelPrompt, type Tokenizer } from '@sieve/model';
import { tokenLogProbs } from '@sieve/train';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScoredToken {
  id: number;
  text: string;
  /** log p(token | everything before it); null when it lies past the model's context. */
  logp: number | null;
}

export async function loadScorer(dir: string): Promise<LoadedCheckpoint> {
  await initBackend();
  return loadCheckpoint(dir);
}

export function readTokenizer(dir: string): Tokenizer {
  const file = join(dir, 'tokenizer.json');
  return tokenizerFromJSON(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
}

/** What a token shows as: its text, or its name for a special token such as EOS or a chat template's end of turn. */
export function tokenLabel(tok: Tokenizer, id: number): string {
  if (hasChatTemplate(tok) && id === tok.endOfTurnId) return '⟨end of turn⟩'; // often one of the EOS ids too (Qwen's <|im_end|>)
  if (isEos(tok, id)) return '⟨eos⟩';
  const s = tok.decode([id]);
  return s === '' ? `⟨${id}⟩` : s;
}

/** How a sample's response ended, for its token ids: on the end token of its prompt format, or not (budget, stop string). */
export interface ResponseEnd {
  /** The sample stopped on its end token (EOS for plain prompts, the template's end of turn for chat ones). */
  ended: boolean;
  /** The run's prompt was a chat prompt. */
  chat: boolean;
}

/** Response token ids (and the end token a finished sample ended with) as the sampler produced them. */
export function responseIds(tok: Tokenizer, response: string, end: ResponseEnd): number[] {
  return [...tok.encode(response), ...(end.ended ? [end.chat ? chatTokenizer(tok).endOfTurnId : tok.eosId] : [])];
}

/**
 * log p of each response token under the checkpoint: one forward pass over the prompt's ids (BOS +
 * text, or the chat template's rendering: `encodeModelPrompt`, as sampling and training encode it)
 * + the response (+ its end token), the sequence training uses. The logits at position i predict
 * token i + 1. Tokens past the context length are not scored.
 * @throws InputError for a chat prompt when the checkpoint's tokenizer has no chat template.
 */
export function scoreResponse(ck: LoadedCheckpoint, prompt: ModelPrompt, response: string, ended: boolean): ScoredToken[] {
  const tok = ck.tokenizer;
  const promptIds = encodeModelPrompt(tok, prompt, 'the sample run\'s prompt format').ids;
  const resp = responseIds(tok, response, { ended, chat: 'messages' in prompt });
  const ids = [...promptIds, ...resp].slice(0, ck.config.contextLength + 1);
  const start = promptIds.length; // index in ids of the first response token
  const scored = new Array<number | null>(resp.length).fill(null);
  if (ids.length > start) {
    const lp = tf.tidy(() => {
      const input = tf.tensor2d(ids.slice(0, -1), [1, ids.length - 1], 'int32'); // [1, T]
      const targets = tf.tensor2d(ids.slice(1), [1, ids.length - 1], 'int32'); // [1, T]
      const logits = ck.model.forward(input); // [1, T, V]
      return tokenLogProbs(logits, targets); // [1, T]
    });
    const values = lp.dataSync() as Float32Array;
    lp.dispose();
    for (let k = 0; start + k < ids.length; k++) scored[k] = values[start + k - 1] ?? null;
  }
  return resp.map((id, k) => ({ id, text: tokenLabel(tok, id), logp: scored[k] ?? null }));
}
