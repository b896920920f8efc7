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
    const ctx = await lm.createContext({ sequences: parallel, contextSize: parallel * (longest + o.maxNewTokens + 8) });
    try {
      let next = 0;
      let tokens = 0;
      const t0 = performance.now();
      const lane = async (): Promise<void> => {
        const seq = ctx.getSequence();
        try {
          while (next < jobs.length) {
            const job = jobs[next++] as (typeof jobs)[number];
            await seq.clearHistory();
            let n = 0;
            for await (const t of seq.evaluate(job.tokens as Token[], { temperature: o.temperature, seed: job.seed })) {
              if (lm.isEogToken(t)) break;
              tokens++;
              if (++n >= o.maxNewTokens) break;
            }
          }
        } finally {
          seq.dispose();
        }
      };
      await Promise.all(Array.from({ length: parallel }, lane));
      const seconds = (performance.now() - t0) / 1000;
      return { sequences: jobs.length, tokens, seconds, tokensPerSecond: tokens / seconds };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await lm.dispose();
  }
}
