/**
 * The tfjs side of the token view, loaded on demand (`import()`), so `sieve inspect` and the
 * pages without token colours never pay for the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bosPrefix, initBackend, isEos, loadCheckpoint, tokenizerFromJSON, type LoadedCheckpoint, type Tokenizer } from '@sieve/model';
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

/** What a token shows as: its text, or its name for a special token such as EOS. */
export function tokenLabel(tok: Tokenizer, id: number): string {
  if (isEos(tok, id)) return '⟨eos⟩';
  const s = tok.decode([id]);
  return s === '' ? `⟨${id}⟩` : s;
}

/** Response token ids (and the EOS a finished sample ended with) as the sampler produced them. */
export function responseIds(tok: Tokenizer, response: string, withEos: boolean): number[] {
  return [...tok.encode(response), ...(withEos ? [tok.eosId] : [])];
}

/**
 * log p of each response token under the checkpoint: one forward pass over BOS + prompt +
 * response (+ EOS), the sequence training uses. The logits at position i predict token i + 1.
 * Tokens past the context length are not scored.
 */
export function scoreResponse(ck: LoadedCheckpoint, prompt: string, response: string, withEos: boolean): ScoredToken[] {
  const tok = ck.tokenizer;
  const promptIds = tok.encode(prompt);
  const resp = responseIds(tok, response, withEos);
  const bos = bosPrefix(tok);
  const ids = [...bos, ...promptIds, ...resp].slice(0, ck.config.contextLength + 1);
  const start = bos.length + promptIds.length; // index in ids of the first response token
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
