/**
 * The raw llama.cpp decoding rate for `sieve bench sample --engine llama.cpp`: node-llama-cpp
 * driven directly (no stage, no `Sequence`, no verification, no store) on a GGUF file, with the
 * llama.cpp engine's layout and sampler settings, so in-stage ÷ raw measures the stage's own
 * overhead: `sequences` contexts of one sequence each (llamaCppContextOptions: the same thread
 * split, context size and KV cache), each decoding one sample at a time from a shared queue, with
 * the samples' own prompt ids and seeds (the stage's), llama.cpp's seeded chain (temperature,
 * top-k, top-p, min-p 0), up to an end-of-generation token (counted, as the stage counts it) or
 * the budget min(maxNewTokens, contextSize − prompt).
 */
import type { LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { SieveError } from '@sieve/core';
import type { ThroughputFigure } from '../bench';
import { llamaCppContextOptions, loadLlamaBinding } from '../engines/llamacpp';
import { llamaSamplerOptions } from '../engines/llamacpp-decode';

/** One sample to decode: its prompt ids and its seed. */
export interface RawLlamaCppJob {
  prompt: readonly number[];
  seed: number;
}

export interface RawLlamaCppOptions {
  gguf: string;
  jobs: readonly RawLlamaCppJob[];
  maxNewTokens: number;
  temperature: number;
  /** 0 = the whole vocabulary. */
  topK: number;
  /** The model's vocabulary (top-k is capped at it, as the engine does). */
  vocabSize: number;
  topP: number;
  /** Samples in flight, one llama.cpp context each (the engine's `sequences`). */
  sequences: number;
  /** CPU threads in all, shared by the contexts (0 = all cores), as the engine splits them. */
  threads: number;
  /** Tokens per context: prompt + completion (the engine's context size). */
  contextSize: number;
  /** Seconds a sample may go without a new token before the rate fails (default 120). */
  stallSeconds?: number;
}

/**
 * Yields what `source` yields, failing with `stalled()` (a SieveError) when the next item takes
 * more than `ms`. After a stall the source is abandoned, not closed: closing an async generator
 * waits for its pending step, which is what hangs.
 */
export async function* withStallTimeout<T>(source: AsyncIterable<T>, ms: number, stalled: () => SieveError): AsyncGenerator<T, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  let open = true;
  try {
    for (;;) {
      const next = it.next();
      next.catch(() => undefined); // a step that fails after the stall is reported as the stall
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          open = false;
          reject(stalled());
        }, ms);
      });
      let r: IteratorResult<T>;
      try {
        r = await Promise.race([next, timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (r.done) {
        open = false;
        return;
      }
      yield r.value;
    }
  } finally {
    if (open) await it.return?.();
  }
}

/** The raw rate (decoding only) and, apart, what loading the GGUF and creating the contexts took. */
export interface RawLlamaCppFigure extends ThroughputFigure {
  /** Seconds to load the model and create the contexts (not in `seconds`; the stage's time includes its own). */
  setupSeconds: number;
}

/**
 * Decodes every job and times the decoding (contexts are created before the clock starts).
 * @returns sequences = jobs, tokens = sampled tokens (end-of-generation tokens included).
 * @throws SieveError when llama.cpp cannot load the GGUF or create the contexts, or when a sample
 *   makes no progress for `stallSeconds` (instead of hanging).
 */
export async function rawLlamaCppRate(o: RawLlamaCppOptions): Promise<RawLlamaCppFigure> {
  const llama = await loadLlamaBinding(false); // the engine's binding: one per process, loaded apart (see benchSampleEngines)
  const setupStart = performance.now();
  const lm: LlamaModel = await llama.loadModel({ modelPath: o.gguf }).catch((err: unknown) => {
    throw new SieveError(`llama.cpp cannot load ${o.gguf}`, { where: o.gguf, cause: err });
  });
  const sequences = Math.max(1, Math.min(o.sequences, o.jobs.length));
  const stallMs = (o.stallSeconds ?? 120) * 1000;
  const contexts: LlamaContext[] = [];
  let stalled = false;
  try {
    const options = llamaCppContextOptions({ contextSize: o.contextSize, sequences, threads: o.threads });
    try {
      for (let i = 0; i < sequences; i++) contexts.push(await lm.createContext(options));
    } catch (err) {
      throw new SieveError(`llama.cpp could not create ${sequences} contexts of ${o.contextSize} tokens for ${o.gguf}`, { cause: err, hint: 'lower --batch (the samples in flight)' });
    }
    let tokens = 0;
    let next = 0;
    const t0 = performance.now();
    const setupSeconds = (t0 - setupStart) / 1000;
    await Promise.all(
      contexts.map(async (ctx) => {
        const seq = ctx.getSequence();
        for (let j = next++; j < o.jobs.length; j = next++) {
          const job = o.jobs[j] as RawLlamaCppJob;
          const budget = Math.min(o.maxNewTokens, o.contextSize - job.prompt.length);
          if (budget <= 0) continue;
          await seq.clearHistory();
          let n = 0;
          const gen = seq.evaluate(job.prompt as Token[], { ...llamaSamplerOptions({ temperature: o.temperature, topK: o.topK, topP: o.topP }, job.seed, o.vocabSize), yieldEogToken: true });
          const noProgress = (): SieveError => {
            stalled = true;
            return new SieveError(`llama.cpp made no progress for ${o.stallSeconds ?? 120} s on sample ${j} (seed ${job.seed}) after ${n} of ≤ ${budget} tokens`, {
              where: o.gguf,
              hint: 'node-llama-cpp may be stuck, or the machine is overloaded: check `uptime`, lower --batch or --new-tokens',
            });
          };
          for await (const t of withStallTimeout(gen, stallMs, noProgress)) {
            n++;
            if (lm.isEogToken(t) || n >= budget) break;
          }
          tokens += n;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { sequences: o.jobs.length, tokens, seconds, tokensPerSecond: tokens / seconds, setupSeconds };
  } finally {
    // After a stall a context may never finish its step: release without waiting for it.
    const release = Promise.all(contexts.map((c) => c.dispose())).then(() => lm.dispose());
    if (stalled) release.catch(() => undefined);
    else await release;
  }
}
