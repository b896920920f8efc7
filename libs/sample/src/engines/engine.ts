/**
 * The sampling-engine interface: what the sample and eval stages (and `sieve serve-model`) ask of
 * whatever generates text — sieve's TensorFlow.js engine in process, or any OpenAI-compatible server.
 *
 * A request is one prompt and n samples of it; a result is one entry per sample with the text and,
 * when the engine knows them, token ids and per-token log-probs.
 */
import { InputError, mixSeed } from '@sieve/core';
import type { ChatMessage } from '@sieve/dataset';

export type { ChatMessage };

/** Plain text the model continues, or chat messages the engine renders with its chat template. */
export type EnginePrompt = { text: string } | { messages: readonly ChatMessage[] };

export interface SamplingRequest {
  prompt: EnginePrompt;
  /** Samples of this prompt (≥ 1). */
  n: number;
  /** 0 = greedy. */
  temperature: number;
  /** 1 = off. */
  topP: number;
  /** 0 = off. */
  topK: number;
  /** Most tokens to generate per sample. */
  maxTokens: number;
  /** Generation stops at the first of these; the text is cut before it. */
  stop?: readonly string[];
  /** The request's seed; sample i uses `seeds[i]` when given, else `sampleSeed(seed, i)`. */
  seed: number;
  /**
   * One seed per sample (length n). With them a sample can be regenerated alone, whatever else is
   * in the batch: the sample stage passes mixSeed(runSeed, questionId, sampleIndex) here.
   */
  seeds?: readonly number[];
  /** Also return the `topLogprobs` most likely alternatives at each position (0 = only the sampled token's). */
  topLogprobs?: number;
  /** Engine-specific extras passed through as they are (e.g. `min_p` for vLLM/SGLang). */
  extra?: Readonly<Record<string, unknown>>;
}

export type EngineFinishReason = 'stop' | 'length';

export interface EngineSample {
  text: string;
  /** Generated token ids (EOS included when it stopped on one); null when the engine does not say. */
  tokenIds: number[] | null;
  /** The generated tokens as text (one per id), when known. */
  tokens: string[] | null;
  /** log p of each generated token, when known. tfjs: the model's distribution at temperature 1 (before temperature/top-k/top-p), as vLLM reports them. */
  tokenLogprobs: number[] | null;
  /** Their sum (tfjs: summed in float64 before any rounding), when known. */
  logprobSum: number | null;
  /** Generated tokens when neither ids nor log-probs say (a server's usage.completion_tokens for a 1-sample response). */
  tokenCount?: number;
  /** With `topLogprobs`: per position, the most likely tokens and their log-probs, most likely first. */
  topLogprobs: { token: string; logprob: number }[][] | null;
  finishReason: EngineFinishReason;
}

export interface SamplingEngine {
  /** 'tfjs' | 'openai' | … */
  readonly kind: string;
  /** The model name as the engine reports it (the server's name for openai). */
  readonly model: string;
  /** Largest prompt + completion in tokens, when known. */
  readonly contextLength: number | null;
  /**
   * Settings that decide the samples' content, for the stage's fingerprint: engine kind, model,
   * endpoint-independent options. Never secrets, never URLs or concurrency (they do not change samples).
   */
  fingerprint(): Record<string, unknown>;
  /** Results in request order, each with exactly `n` samples in sample order. */
  generate(requests: readonly SamplingRequest[]): Promise<EngineSample[][]>;
  close(): Promise<void>;
}

/** An in-process engine (tfjs, llama.cpp): it tokenizes prompts itself, so it can check them against its context. */
export interface LocalSamplingEngine extends SamplingEngine {
  /** The prompt's token ids as the model sees them (BOS first, or the chat template). */
  promptIds(prompt: EnginePrompt): number[];
  /** Throws ContextLengthError when prompt + maxTokens does not fit the context (what a server answers 400 to). */
  checkContext(r: Pick<SamplingRequest, 'prompt' | 'maxTokens'>): void;
}

/**
 * The seed of sample i of a request without per-sample seeds. Sample 0 uses the seed itself, so a
 * request with n = 1 and seed s gives the sample of seed s (as vLLM does): an engine that sends one
 * sample per HTTP request reproduces the per-sample seeds exactly.
 */
export function sampleSeed(seed: number, i: number): number {
  return i === 0 ? seed : mixSeed(seed, i);
}

/** The seed each sample of a request uses. */
export function seedsOf(r: SamplingRequest): number[] {
  return Array.from({ length: r.n }, (_, i) => r.seeds?.[i] ?? sampleSeed(r.seed, i));
}

/** A prompt with no room left in the model's context: a 400 from the server, an InputError in a stage. */
export class ContextLengthError extends InputError {
  constructor(
    readonly promptTokens: number,
    readonly contextLength: number,
    readonly maxTokens: number,
  ) {
    super(`the prompt has ${promptTokens} tokens; with max_tokens ${maxTokens} that exceeds the model's context of ${contextLength} tokens`, {
      where: 'prompt',
      hint: `shorten the prompt to at most ${contextLength - 1} tokens or lower max_tokens`,
    });
    this.name = 'ContextLengthError';
  }
}

/** Checks a request's shape and sampling settings; `where` names their source in errors. */
export function checkSamplingRequest(r: SamplingRequest, where = 'sampling request'): void {
  const fail = (field: string, msg: string): never => {
    throw new InputError(`${field} ${msg}`, { where });
  };
  if (!Number.isInteger(r.n) || r.n < 1) fail('n', `must be an integer ≥ 1, got ${r.n}`);
  if (!(r.temperature >= 0) || !Number.isFinite(r.temperature)) fail('temperature', `must be ≥ 0, got ${r.temperature}`);
  if (!(r.topP > 0 && r.topP <= 1)) fail('top_p', `must be in (0, 1], got ${r.topP}`);
  if (!Number.isInteger(r.topK) || r.topK < 0) fail('top_k', `must be an integer ≥ 0, got ${r.topK}`);
  if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1) fail('max_tokens', `must be an integer ≥ 1, got ${r.maxTokens}`);
  if (!Number.isInteger(r.seed)) fail('seed', `must be an integer, got ${r.seed}`);
  if (r.seeds && r.seeds.length !== r.n) fail('seeds', `must have n = ${r.n} entries, got ${r.seeds.length}`);
  if (r.topLogprobs !== undefined && (!Number.isInteger(r.topLogprobs) || r.topLogprobs < 0)) fail('logprobs', `must be an integer ≥ 0, got ${r.topLogprobs}`);
}
