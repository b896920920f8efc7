/**
 * The decoding loops of the llama.cpp engine, one per sampler, on one node-llama-cpp sequence, and
 * the teacher-forced scoring pass that gives exact log-probs when llama.cpp's sampler cannot.
 *
 * - `llama.cpp` sampler: `evaluateWithMetadata` with the sample's seed; llama.cpp's own chain
 *   (top-k → top-p → temperature → dist, min-p 0) picks every token in native code, off
 *   the JS thread. Nothing of size V crosses into JS.
 * - `sieve` sampler: `controlledEvaluate` returns the whole temperature-1 distribution at each step
 *   (a JS array + Map of 2V numbers) and sieve's `Sequence` picks the token with its own rng, as
 *   the tfjs engine does.
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { SieveError } from '@sieve/core';
import type { Tokenizer } from '@sieve/model';
import type { Sequence } from '../sequence';
import type { SamplingParams } from '../token-sampler';

/** Which code picks the tokens: llama.cpp's seeded sampler chain (fast) or sieve's (the tfjs engine's exact tokens). */
export type LlamaCppSampler = 'llama.cpp' | 'sieve';

export type TopLogprobs = { token: string; logprob: number }[][];

/** The whole vocabulary at temperature 1 (top-k 0, top-p 1, min-p 0). */
const FULL_DISTRIBUTION = { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } } as const;

/**
 * Whether the `confidence` node-llama-cpp reports for the token llama.cpp sampled is that token's
 * probability under the model at temperature 1 over the whole vocabulary: it is the softmax of the
 * logits left after the chain (AddonContext.cpp, SampleToken), so only when the chain leaves them
 * untouched — greedy (the chain is argmax alone), or temperature 1 with top-k off (k = V keeps
 * every logit) and top-p 1 (a no-op in llama.cpp). Otherwise it is the probability after
 * temperature and truncation, which sieve does not store.
 */
export function confidenceIsModelProbability(p: Pick<SamplingParams, 'temperature' | 'topK' | 'topP'>, vocab: number): boolean {
  return p.temperature === 0 || (p.temperature === 1 && (p.topK === 0 || p.topK >= vocab) && p.topP >= 1);
}

/**
 * llama.cpp's seed for a sample's seed: the low 32 bits (its RNG takes a uint32), except
 * 0xFFFFFFFF — LLAMA_DEFAULT_SEED, which llama.cpp replaces by a random one — mapped to 0.
 */
export function llamaSeed(seed: number): number {
  const u = seed >>> 0;
  return u === 0xffffffff ? 0 : u;
}

/**
 * llama.cpp's sampler settings for a sample: the request's temperature, top-k (0 = the whole
 * vocabulary) and top-p, min-p 0, the sample's seed. Always all of them: node-llama-cpp's defaults
 * are temperature 0, top-k 40 and top-p 0.95 (LlamaContext.js, 3.21.1).
 */
export function llamaSamplerOptions(params: Pick<SamplingParams, 'temperature' | 'topK' | 'topP'>, seed: number, vocab: number): { temperature: number; topK: number; topP: number; minP: number; seed: number } {
  return { temperature: params.temperature, topK: params.topK > 0 ? Math.min(params.topK, vocab) : 0, topP: params.topP, minP: 0, seed: llamaSeed(seed) };
}

/**
 * Decodes `s` on `seq` with llama.cpp's sampler chain seeded by `seed`: tokens depend only on the
 * prompt, the seed and the logits, never on the other sequences of the batch. With `confidence`
 * each token's log-prob is log(confidence) (see confidenceIsModelProbability), else NaN, to be
 * filled by `scoreTokens`. `seq` must be empty.
 */
export async function decodeWithLlamaSampler(seq: LlamaContextSequence, prompt: readonly number[], s: Sequence, seed: number, params: SamplingParams, vocab: number, confidence: boolean): Promise<void> {
  if (s.done) return;
  const gen = seq.evaluateWithMetadata(prompt as Token[], { confidence }, { ...llamaSamplerOptions(params, seed, vocab), yieldEogToken: true });
  for await (const out of gen) {
    s.accept(out.token, confidence ? Math.log((out as { confidence?: number }).confidence ?? NaN) : NaN);
    if (s.done) break; // ends the generator: no decode of the last token
  }
  if (!s.done) throw new SieveError(`llama.cpp stopped generating after ${s.tokens.length} tokens without an end-of-generation token`);
}

/**
 * Decodes `s` on `seq` with sieve's own sampler over the whole temperature-1 distribution llama.cpp
 * returns at each step; with `topK` > 0 also returns the `topK` most likely tokens per position.
 * `seq` must be empty.
 */
export async function decodeWithSieveSampler(seq: LlamaContextSequence, prompt: readonly number[], s: Sequence, vocab: number, topK: number, tokenizer: Tokenizer): Promise<TopLogprobs | null> {
  const row = new Float64Array(vocab); // [V] log p at temperature 1
  const top: TopLogprobs = [];
  let input: readonly number[] = prompt;
  while (!s.done) {
    const last = input.length - 1;
    const items = input.map((id, i): ControlledEvaluateInputItem => (i === last ? [id as Token, FULL_DISTRIBUTION] : (id as Token)));
    const d = fullDistribution((await seq.controlledEvaluate(items))[last]?.next.probabilities, vocab);
    row.fill(-Infinity);
    for (const [id, p] of d.probs) row[id] = Math.log(p) - d.logZ;
    if (topK > 0) top.push(topOf(d, topK, tokenizer));
    input = [s.step(row, 0, vocab)];
  }
  return topK > 0 ? top : null;
}

/**
 * The exact temperature-1 log-prob of each generated token (and the `topK` most likely tokens per
 * position when topK > 0), by one teacher-forced pass of prompt + tokens that asks llama.cpp for
 * the whole distribution at every generated position: the cost of the `sieve` sampler, paid only
 * when llama.cpp's `confidence` is not the model's probability. Clears `seq` first.
 */
export async function scoreTokens(seq: LlamaContextSequence, prompt: readonly number[], tokens: readonly number[], vocab: number, topK: number, tokenizer: Tokenizer): Promise<{ logprobs: number[]; top: TopLogprobs | null }> {
  await seq.clearHistory();
  const input = [...prompt, ...tokens.slice(0, -1)]; // the distribution after position i predicts input[i + 1]
  const first = prompt.length - 1;
  const out = await seq.controlledEvaluate(input.map((id, i): ControlledEvaluateInputItem => (i >= first ? [id as Token, FULL_DISTRIBUTION] : (id as Token))));
  const logprobs: number[] = [];
  const top: TopLogprobs = [];
  tokens.forEach((id, t) => {
    const d = fullDistribution(out[first + t]?.next.probabilities, vocab);
    logprobs.push(Math.log(d.probs.get(id as Token) ?? 0) - d.logZ);
    if (topK > 0) top.push(topOf(d, topK, tokenizer));
  });
  return { logprobs, top: topK > 0 ? top : null };
}

/**
 * The whole distribution and its log normaliser: node-llama-cpp normalises with a float32 sum
 * over the vocabulary, a rounding common to every probability that a float64 sum removes.
 */
function fullDistribution(probs: Map<Token, number> | undefined, vocab: number): { logZ: number; probs: Map<Token, number> } {
  if (!probs || probs.size !== vocab) throw new SieveError(`llama.cpp returned ${probs?.size ?? 0} probabilities, expected the whole vocabulary (${vocab})`);
  let z = 0;
  for (const p of probs.values()) z += p;
  return { logZ: Math.log(z), probs };
}

/** The k most likely tokens of a distribution node-llama-cpp returns sorted, most likely first. */
function topOf(d: { logZ: number; probs: Map<Token, number> }, k: number, tokenizer: Tokenizer): { token: string; logprob: number }[] {
  const alt: { token: string; logprob: number }[] = [];
  for (const [id, p] of d.probs) {
    if (alt.length === k) break;
    alt.push({ token: tokenizer.decode([id]), logprob: Math.log(p) - d.logZ });
  }
  return alt;
}
