/**
 * The two halves of `sieve bench forward`, each meant to run alone in its own process (see
 * bench-forward-child.ts) so that its peak RSS is its own: sieve's forward (`prefill` then one
 * `DecodeSession.step` per token) and llama.cpp's (node-llama-cpp on the CPU) on the GGUF export
 * of the same weights. Both decode greedily at batch 1 from the same prompt ids.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Token } from 'node-llama-cpp';
import { InputError, SieveError } from '@sieve/core';
import { initBackend } from '../backend';
import { loadCheckpoint } from '../checkpoint';
import { exportCheckpointGguf } from '../checkpoint-gguf';
import { bosPrefix, type Tokenizer } from '../tokenizer';
import type { Transformer } from '../transformer';
import { MATH_STRINGS } from './check';
import { exportGguf } from './gguf-export';
import { hfTensorsOf, loadHfModel } from './model';

export interface ForwardSideResult {
  /** 'sieve' (+ the tfjs backend) or 'llama.cpp'. */
  engine: string;
  loadSeconds: number;
  promptTokens: number;
  prefillSeconds: number;
  prefillTokensPerSecond: number;
  decodeTokens: number;
  decodeSeconds: number;
  decodeTokensPerSecond: number;
  /** process.resourceUsage().maxRSS after loading, prefill and decode (before any export), bytes. */
  peakRssBytes: number;
  /** Threads the engine computed with (tfjs in Node: 1). */
  threads: number;
}

export interface SieveSideOptions {
  /** HF folder or sieve checkpoint folder. */
  modelDir: string;
  promptTokens: number;
  decodeTokens: number;
  /** Where to write the GGUF export for the llama.cpp side (null: no export). */
  ggufOut: string | null;
  ggufDtype: 'F32' | 'F16';
}

/** `promptTokens` ids of math text through the model's own tokenizer (the text repeated as needed). */
export function benchPromptIds(tokenizer: Tokenizer, promptTokens: number): number[] {
  const text = MATH_STRINGS.slice(0, 2).join('\n');
  const ids: number[] = bosPrefix(tokenizer);
  while (ids.length < promptTokens) ids.push(...tokenizer.encode(text));
  return ids.slice(0, promptTokens);
}

function argmax(v: Float32Array, from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if ((v[i] ?? -Infinity) > (v[best] ?? -Infinity)) best = i;
  return best - from;
}

interface LoadedForBench {
  model: Transformer;
  tokenizer: Tokenizer;
  /** Writes the GGUF export of the same weights (untimed). */
  exportGguf(out: string, dtype: 'F32' | 'F16'): Promise<void>;
}

async function loadForBench(dir: string): Promise<LoadedForBench> {
  if (fs.existsSync(path.join(dir, 'manifest.json'))) {
    const ck = await loadCheckpoint(dir);
    // Any sieve checkpoint (the char model, an imported or trained HF model) exports from its folder.
    return { model: ck.model, tokenizer: ck.tokenizer, exportGguf: async (out, dtype) => void (await exportCheckpointGguf(dir, out, { dtype })) };
  }
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    throw new InputError(`${dir} is neither a Hugging Face model folder (config.json) nor a sieve checkpoint (manifest.json)`, {
      where: dir,
      hint: 'pass an HF folder, hf:PATH, or a checkpoint folder under data/runs/<run>/models/',
    });
  }
  const m = loadHfModel(dir);
  return { model: m.model, tokenizer: m.tokenizer, exportGguf: async (out, dtype) => exportGguf(out, { config: m.config, tensors: hfTensorsOf(m.model), tokenizer: m.tokenizer }, { dtype }) };
}

/**
 * Loads the model into sieve (timed), prefills `promptTokens` at batch 1 and decodes
 * `decodeTokens` greedily with the KV cache, then (untimed, after the RSS is read) writes the GGUF
 * export. The backend is whatever `initBackend` picks (SIEVE_BACKEND forces one).
 * @throws InputError for a folder that is no model; SieveError when the forward fails.
 */
export async function sieveForwardSide(o: SieveSideOptions): Promise<ForwardSideResult & { prompt: number[] }> {
  const backend = await initBackend();
  const t0 = performance.now();
  const { model, tokenizer, exportGguf: exportTo } = await loadForBench(o.modelDir);
  const loadSeconds = (performance.now() - t0) / 1000;
  try {
    const c = model.config;
    if (o.promptTokens + o.decodeTokens > c.contextLength) {
      throw new InputError(`prompt ${o.promptTokens} + decode ${o.decodeTokens} tokens exceed the model's context of ${c.contextLength}`, { where: '--prompt-tokens/--decode-tokens' });
    }
    const prompt = benchPromptIds(tokenizer, o.promptTokens);
    // Warm-up (kernel set-up, allocator growth): a 2-token prefill and one step.
    const warm = model.prefill([prompt.slice(0, 2)], { padId: tokenizer.padId });
    warm.session.step(Int32Array.of(prompt[2] ?? 0), Int32Array.of(2));
    warm.session.dispose();

    let t = performance.now();
    const { session, logits } = model.prefill([prompt], { padId: tokenizer.padId }); // logits [1·V]
    const prefillSeconds = (performance.now() - t) / 1000;
    const vocab = c.vocabSize;
    let next = argmax(logits, 0, vocab);
    t = performance.now();
    try {
      for (let i = 0; i < o.decodeTokens; i++) {
        const out = session.step(Int32Array.of(next), Int32Array.of(prompt.length + i)); // [1·V]
        next = argmax(out, 0, vocab);
      }
    } finally {
      session.dispose();
    }
    const decodeSeconds = (performance.now() - t) / 1000;
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    if (o.ggufOut) await exportTo(o.ggufOut, o.ggufDtype);
    return {
      engine: `sieve (tfjs ${backend.name})`,
      loadSeconds,
      promptTokens: prompt.length,
      prefillSeconds,
      prefillTokensPerSecond: prompt.length / prefillSeconds,
      decodeTokens: o.decodeTokens,
      decodeSeconds,
      decodeTokensPerSecond: o.decodeTokens / decodeSeconds,
      peakRssBytes,
      threads: 1,
      prompt,
    };
  } finally {
    model.dispose();
  }
}

export interface LlamaCppSideOptions {
  gguf: string;
  /** The same prompt ids sieve ran. */
  prompt: number[];
  decodeTokens: number;
  threads: number;
}

/**
 * Loads the GGUF in llama.cpp (CPU build, timed), prefills the prompt at batch 1 and decodes
 * `decodeTokens` greedily, one token per evaluation as sieve does.
 * @throws SieveError when llama.cpp cannot load the file.
 */
export async function llamaCppForwardSide(o: LlamaCppSideOptions): Promise<ForwardSideResult> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const t0 = performance.now();
  const lm = await llama.loadModel({ modelPath: o.gguf }).catch((err: unknown) => {
    throw new SieveError(`llama.cpp cannot load ${o.gguf}`, { where: o.gguf, cause: err });
  });
  try {
    const size = o.prompt.length + o.decodeTokens + 8;
    const ctx = await lm.createContext({ contextSize: size, batchSize: Math.max(64, o.prompt.length), sequences: 1, threads: { ideal: o.threads, min: o.threads } });
    const loadSeconds = (performance.now() - t0) / 1000;
    try {
      const seq = ctx.getSequence();
      await seq.evaluateWithoutGeneratingNewTokens(o.prompt.slice(0, 2) as Token[]); // warm-up
      await seq.clearHistory();
      let t = performance.now();
      await seq.evaluateWithoutGeneratingNewTokens(o.prompt as Token[]);
      const prefillSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      // Each yielded token is one decode evaluation (the input token, then each sampled one).
      let decoded = 0;
      for await (const _ of seq.evaluate([o.prompt[o.prompt.length - 1] ?? 0] as Token[], { temperature: 0 })) {
        if (++decoded >= o.decodeTokens) break;
      }
      const decodeSeconds = (performance.now() - t) / 1000;
      return {
        engine: 'llama.cpp',
        loadSeconds,
        promptTokens: o.prompt.length,
        prefillSeconds,
        prefillTokensPerSecond: o.prompt.length / prefillSeconds,
        decodeTokens: decoded,
        decodeSeconds,
        decodeTokensPerSecond: decoded / decodeSeconds,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        threads: ctx.currentThreads,
      };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await lm.dispose();
  }
}
