/**
 * Training examples as token ids: BOS + prompt + response + EOS, truncated to what the
 * model can read. The loss covers the response tokens and the EOS only.
 */
import { bosPrefix, type Tokenizer } from '@sieve/model';

export interface SeqExample {
  /** BOS, prompt, response, EOS ids; at most contextLength + 1 of them (inputs are ids[0..n−2]). */
  ids: number[];
  /** Index in `ids` of the first response token: targets ids[k] with k ≥ responseStart are trained on. */
  responseStart: number;
  /** True when the sequence was cut to fit the context (its EOS, maybe part of its response, is lost). */
  truncated: boolean;
}

/** A DPO pair: two responses to one prompt. */
export interface PairExample {
  chosen: SeqExample;
  rejected: SeqExample;
}

export interface TextExample {
  prompt: string;
  response: string;
}

export interface TextPair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** Number of loss tokens of an example (response tokens + EOS that survived truncation). */
export function lossTokens(e: SeqExample): number {
  return Math.max(0, e.ids.length - e.responseStart);
}

/** Encodes one example; `contextLength` is the model's (a sequence of n ids gives n − 1 inputs). */
export function encodeExample(tok: Tokenizer, prompt: string, response: string, contextLength: number): SeqExample {
  const promptIds = tok.encode(prompt);
  const start = bosPrefix(tok);
  const full = [...start, ...promptIds, ...tok.encode(response), tok.eosId];
  const max = contextLength + 1;
  const truncated = full.length > max;
  return { ids: truncated ? full.slice(0, max) : full, responseStart: start.length + promptIds.length, truncated };
}

export interface EncodedSet<T> {
  examples: T[];
  /** Examples cut to the context length (still used when some response token is left). */
  truncated: number;
  /** Examples left out because no response token fits in the context. */
  dropped: number;
}

export function encodeExamples(tok: Tokenizer, items: readonly TextExample[], contextLength: number): EncodedSet<SeqExample> {
  const out: EncodedSet<SeqExample> = { examples: [], truncated: 0, dropped: 0 };
  for (const it of items) {
    const e = encodeExample(tok, it.prompt, it.response, contextLength);
    if (e.truncated) out.truncated++;
    if (lossTokens(e) === 0) out.dropped++;
    else out.examples.push(e);
  }
  return out;
}

export function encodePairs(tok: Tokenizer, items: readonly TextPair[], contextLength: number): EncodedSet<PairExample> {
  const out: EncodedSet<PairExample> = { examples: [], truncated: 0, dropped: 0 };
  for (const it of items) {
    const chosen = encodeExample(tok, it.prompt, it.chosen, contextLength);
    const rejected = encodeExample(tok, it.prompt, it.rejected, contextLength);
    if (chosen.truncated || rejected.truncated) out.truncated++;
    if (lossTokens(chosen) === 0 || lossTokens(rejected) === 0) out.dropped++;
    else out.examples.push({ chosen, rejected });
  }
  return out;
}
