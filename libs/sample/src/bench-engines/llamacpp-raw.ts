/**
 * The raw llama.cpp decoding rate for `sieve bench sample --engine llama.cpp`: node-llama-cpp
 * driven directly (no stage, no verification, no store) on a GGUF file, the same prompts, samples
 * per prompt and token budget as the stage, `parallel` sequences decoded together in one context.
 */
import type { Token } from 'node-llama-cpp';
import { SieveError } from '@sieve/core';
import type { ThroughputFigure } from '../bench';

export interface RawLlamaCppOptions {
  gguf: string;
  prompts: readonly string[];
  k: number;
  maxNewTokens: number;
  temperature: number;
  seed: number;
  /** Sequences decoded together in one context. */
  parallel: number;
}

/** Decodes k samples of every prompt (stopping at end-of-generation tokens) and times it. */
export async function rawLlamaCppRate(o: RawLlamaCppOptions): Promise<ThroughputFigure> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const lm = await llama.loadModel({ modelPath: o.gguf }).catch((err: unknown) => {
    throw new SieveError(`llama.cpp cannot load ${o.gguf}`, { where: o.gguf, cause: err });
  });
  try {
    const tokenized = o.prompts.map((p) => lm.tokenize(p, true));
    const longest = Math.max(...tokenized.map((t) => t.length));
    const jobs = tokenized.flatMap((t, q) => Array.from({ length: o.k }, (_, i) => ({ tokens: t, seed: o.seed + q * o.k + i })));
    const parallel = Math.max(1, Math.min(o.parallel, jobs.length));
    // One job per sequence, `parallel` at a time, a fresh context per round (untimed): a sequence
    // reused after breaking out of its evaluate() generator hung here (node-llama-cpp 3.21.1).
    let tokens = 0;
    let seconds = 0;
    for (let at = 0; at < jobs.length; at += parallel) {
      const round = jobs.slice(at, at + parallel);
      const ctx = await lm.createContext({ sequences: round.length, contextSize: round.length * (longest + o.maxNewTokens + 8) });
      try {
        const t0 = performance.now();
        await Promise.all(
          round.map(async (job) => {
            const seq = ctx.getSequence();
            let n = 0;
            for await (const t of seq.evaluate(job.tokens as Token[], { temperature: o.temperature, topK: 0, topP: 1, minP: 0, seed: job.seed })) {
              if (lm.isEogToken(t)) break;
              tokens++;
              if (++n >= o.maxNewTokens) break;
            }
          }),
        );
        seconds += (performance.now() - t0) / 1000;
      } finally {
        await ctx.dispose();
      }
    }
    return { sequences: jobs.length, tokens, seconds, tokensPerSecond: tokens / seconds };
  } finally {
    await lm.dispose();
  }
}
