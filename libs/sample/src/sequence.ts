/**
 * One sequence being generated: its prompt, its own rng, the tokens so far, their log-probs,
 * the decoded text, and when and why it finished. The decoding loops (cached and uncached) only
 * feed it logits rows.
 */
import { createRng, type Rng } from '@sieve/core';
import { isEos, type Tokenizer } from '@sieve/model';
import { logProbOf, sampleToken, type SamplingParams } from './token-sampler';

export type FinishReason = 'stop' | 'length';

export interface GenerateParams extends SamplingParams {
  /** Most tokens to generate per sequence (the model's context length caps it too). */
  maxNewTokens: number;
  /** Generation stops once the text contains one of these; the text is cut before it. */
  stop?: readonly string[];
  /** Token ids that end generation besides the tokenizer's EOS (a chat template's end-of-turn token); kept in the tokens, as EOS is. */
  stopIds?: readonly number[];
  /** Keep going past EOS (benchmarks: every sequence runs to its budget). */
  ignoreEos?: boolean;
}

export interface GenRequest {
  /** Prompt token ids (with BOS, see `encodePrompt`). */
  prompt: readonly number[];
  /** This sequence's own seed: its random numbers come only from `createRng(seed)`. */
  seed: number;
}

export interface GenResult {
  /** Generated ids, including the final EOS when it stopped on one. */
  tokens: number[];
  /**
   * log p(token) of every generated token under the model's distribution at temperature 1
   * (the full softmax, before temperature/top-k/top-p), whatever the sampling settings were.
   */
  logprobs: Float32Array;
  logprobSum: number;
  /** Decoded text, specials skipped, cut before a stop string. */
  text: string;
  finishReason: FinishReason;
}

export class Sequence {
  readonly tokens: number[] = [];
  private readonly logps: number[] = [];
  private text = '';
  private readonly rng: Rng;
  /** Tokens this sequence may still add: min(maxNewTokens, contextLength − prompt length). */
  readonly budget: number;
  finish: FinishReason | null = null;

  constructor(
    readonly prompt: readonly number[],
    seed: number,
    private readonly params: GenerateParams,
    private readonly tokenizer: Tokenizer,
    contextLength: number,
  ) {
    this.rng = createRng(seed);
    this.budget = Math.max(0, Math.min(params.maxNewTokens, contextLength - prompt.length));
    if (this.budget === 0) this.finish = 'length';
  }

  get done(): boolean {
    return this.finish !== null;
  }

  /** Absolute position of the last token fed to the model (prompt or generated). */
  get lastPosition(): number {
    return this.prompt.length + this.tokens.length - 1;
  }

  /** The token to feed next: the last generated one (or the prompt's last). */
  get lastToken(): number {
    return this.tokens.length ? (this.tokens[this.tokens.length - 1] as number) : (this.prompt[this.prompt.length - 1] as number);
  }

  /** Picks the next token from logits[offset .. offset+V) with this sequence's rng and updates the finish state. */
  step(logits: ArrayLike<number>, offset: number, vocab: number): number {
    const token = sampleToken(logits, this.params, this.rng, offset, vocab);
    return this.accept(token, logProbOf(logits, token, offset, vocab));
  }

  /**
   * Adds a token picked elsewhere (llama.cpp's sampler) with its log-prob at temperature 1 (NaN when
   * it is filled in later), and updates the finish state: EOS / end-of-turn, stop strings, budget.
   */
  accept(token: number, logprob: number): number {
    if (this.finish) throw new Error('Sequence.accept() after the sequence finished');
    this.tokens.push(token);
    this.logps.push(logprob);
    if ((isEos(this.tokenizer, token) || (this.params.stopIds?.includes(token) ?? false)) && !this.params.ignoreEos) {
      this.finish = 'stop';
      return token;
    }
    const before = this.text.length;
    this.text += this.tokenizer.decode([token]);
    let cut = -1;
    for (const s of this.params.stop ?? []) {
      if (s.length === 0) continue;
      const at = this.text.indexOf(s, Math.max(0, before - s.length + 1));
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.text = this.text.slice(0, cut);
      this.finish = 'stop';
      return token;
    }
    if (this.tokens.length >= this.budget) this.finish = 'length';
    return token;
  }

  result(): GenResult {
    if (!this.finish) throw new Error('Sequence.result() before the sequence finished');
    const logprobs = Float32Array.from(this.logps);
    return { tokens: [...this.tokens], logprobs, logprobSum: this.logps.reduce((a, b) => a + b, 0), text: this.text, finishReason: this.finish };
  }
}
