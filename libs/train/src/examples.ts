/**
 * Training examples as token ids: the prompt as sampling encodes it (`encodeModelPrompt`: BOS +
 * plain text, or the chat template with its generation prompt), then the response and the token
 * that ends it (EOS; for chat the template's end-of-turn token, e.g. `<|im_end|>`), truncated to
 * what the model can read. The loss covers the response tokens and that end token only.
 */
import { PLAIN_PROMPT, promptOfStored, type PromptSpec } from '@sieve/dataset';
import { encodeModelPrompt, type ModelPrompt, type Tokenizer } from '@sieve/model';

export interface SeqExample {
  /** Prompt (with BOS or chat template), response, end ids; at most contextLength + 1 of them (inputs are ids[0..n−2]). */
  ids: number[];
  /** Index in `ids` of the first response token: targets ids[k] with k ≥ responseStart are trained on. */
  responseStart: number;
  /** True when the sequence was cut to fit the context (its EOS, maybe part of its response, is lost). */
  truncated: boolean;
  /** The frozen start model's outputs for this example, when cached (reference-cache.ts). */
  ref?: ReferenceValues;
}

/** What a method reads of the reference model, for one example of n = ids.length − 1 positions. */
export interface ReferenceValues {
  /** log p_ref(y_t) at every position [n] (iw-sft). */
  logProbs?: Float32Array;
  /** Σ over the response tokens of log p_ref(y_t) (dpo). */
  seqLogProb?: number;
  /** The reference logits [n, V] (asft). */
  logits?: Float32Array;
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

/** Number of loss tokens of an example (response tokens + end token that survived truncation). */
export function lossTokens(e: SeqExample): number {
  return Math.max(0, e.ids.length - e.responseStart);
}

/**
 * Encodes one example; a string prompt is plain text. `contextLength` is the model's (a sequence of
 * n ids gives n − 1 inputs). @throws InputError (naming `where`) for a chat prompt without a chat template.
 */
export function encodeExample(tok: Tokenizer, prompt: string | ModelPrompt, response: string, contextLength: number, where?: string): SeqExample {
  const p = encodeModelPrompt(tok, typeof prompt === 'string' ? { text: prompt } : prompt, where);
  const full = [...p.ids, ...tok.encode(response), p.endId];
  const max = contextLength + 1;
  const truncated = full.length > max;
  return { ids: truncated ? full.slice(0, max) : full, responseStart: p.ids.length, truncated };
}

/** How stored prompts become model prompts: the dataset's prompt format, and where it was set (for errors). */
export interface PromptOfItems {
  spec: PromptSpec;
  where?: string;
}

export interface EncodedSet<T> {
  examples: T[];
  /** Examples cut to the context length (still used when some response token is left). */
  truncated: number;
  /** Examples left out because no response token fits in the context. */
  dropped: number;
}

/** Encodes items whose prompts are stored under `prompt.spec` (default plain: the text as is). */
export function encodeExamples(tok: Tokenizer, items: readonly TextExample[], contextLength: number, prompt: PromptOfItems = { spec: PLAIN_PROMPT }): EncodedSet<SeqExample> {
  const out: EncodedSet<SeqExample> = { examples: [], truncated: 0, dropped: 0 };
  for (const it of items) {
    const e = encodeExample(tok, promptOfStored(prompt.spec, it.prompt), it.response, contextLength, prompt.where);
    if (e.truncated) out.truncated++;
    if (lossTokens(e) === 0) out.dropped++;
    else out.examples.push(e);
  }
  return out;
}

export function encodePairs(tok: Tokenizer, items: readonly TextPair[], contextLength: number, prompt: PromptOfItems = { spec: PLAIN_PROMPT }): EncodedSet<PairExample> {
  const out: EncodedSet<PairExample> = { examples: [], truncated: 0, dropped: 0 };
  for (const it of items) {
    const p = promptOfStored(prompt.spec, it.prompt);
    const chosen = encodeExample(tok, p, it.chosen, contextLength, prompt.where);
    const rejected = encodeExample(tok, p, it.rejected, contextLength, prompt.where);
    if (chosen.truncated || rejected.truncated) out.truncated++;
    if (lossTokens(chosen) === 0 || lossTokens(rejected) === 0) out.dropped++;
    else out.examples.push({ chosen, rejected });
  }
  return out;
}
