/**
 * The `llama.cpp` sampling engine: the stage's checkpoint exported to GGUF once (cached by its
 * content), loaded in process through node-llama-cpp (CPU build, or the user's CUDA/Vulkan build
 * when present), N samples in flight at once, each alone in its own llama.cpp context (they decode
 * in parallel on node's thread pool; why not N sequences of one context: see llamaCppContextOptions).
 *
 * Two samplers (the `sampler` option, fingerprinted; llamacpp-decode.ts):
 *  - 'llama.cpp' (default): llama.cpp's own chain picks each token with the sample's seed
 *    (top-k → top-p → temperature → dist, min-p 0) in native code, with no vocabulary-sized
 *    copy into JS. Log-probs are exact at temperature 1 with
 *    top-k/top-p off, and greedy: log of node-llama-cpp's `confidence`, which is then the sampled
 *    token's probability under the model. With any other temperature, top-k or top-p, or with
 *    top log-probs, they come from a teacher-forced pass over the finished sample that asks for
 *    the whole distribution (exact, at the `sieve` sampler's cost).
 *  - 'sieve': at each step llama.cpp returns the whole next-token distribution at temperature 1
 *    and sieve's `Sequence` (the tfjs engine's sampler, the sample's own rng) picks the token:
 *    the tfjs engine's tokens wherever the two engines' logits agree, at 0.05× llama.cpp's speed
 *    with a 151k vocabulary (node-llama-cpp hands over 2V numbers per token).
 * Either way a sample depends only on its prompt, its seed and the model, never on its batch
 * neighbours; EOS, end-of-turn, stop strings and the budget are handled by `Sequence`.
 * Prompts are tokenized by sieve's tokenizer and fed as ids.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Llama, LlamaContextOptions, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { InputError, SieveError } from '@sieve/core';
import { cachedCheckpointGguf, defaultGgufCacheDir, readCheckpointConfig, tokenizerFromJSON, type GgmlType, type ModelConfig, type Tokenizer } from '@sieve/model';
import { Sequence, type GenerateParams } from '../sequence';
import { checkSamplingRequest, ContextLengthError, seedsOf, type EnginePrompt, type EngineSample, type SamplingEngine, type SamplingRequest } from './engine';
import { confidenceIsModelProbability, decodeWithLlamaSampler, decodeWithSieveSampler, scoreTokens, type LlamaCppSampler, type TopLogprobs } from './llamacpp-decode';
import { promptEncoding } from './prompt-encoding';

export interface LlamaCppEngineOptions {
  /** The sieve checkpoint folder to sample from (exported to GGUF on first use). */
  checkpointDir: string;
  /**
   * Which code picks the tokens (default 'llama.cpp'): llama.cpp's own seeded sampler chain, all
   * in native code (fast: nothing of vocabulary size crosses into JS), or 'sieve': sieve's sampler
   * over the whole distribution llama.cpp returns per step, giving the tfjs engine's exact tokens
   * (0.05× the speed with a 151k vocabulary). The two give different tokens for one seed.
   */
  sampler?: LlamaCppSampler;
  /** Weights of the GGUF export (default F32: log-probs equal sieve's forward within ~1e-4). */
  dtype?: GgmlType;
  /** Where GGUF exports are cached (default: `<run>/cache/gguf`, see defaultGgufCacheDir). */
  cacheDir?: string;
  /** Samples in flight at once, one llama.cpp context each (default 8). */
  sequences?: number;
  /** CPU threads in all, shared by the contexts (each gets max(1, threads / sequences); default 0 = all cores). */
  threads?: number;
  /** Tokens per sequence: prompt + completion (default min(model's context, 2048)). */
  contextSize?: number;
  /** The name the engine reports (default: the checkpoint folder's name). */
  modelName?: string;
  /** Use a GPU build of llama.cpp when one is installed (default false: the CPU build, as tested). */
  gpu?: boolean;
  /** Receives one line when the GGUF is exported (not when it comes from the cache). */
  log?: (line: string) => void;
}

export interface LlamaCppSamplingEngine extends SamplingEngine {
  readonly kind: 'llama.cpp';
  /** The GGUF file llama.cpp loaded. */
  readonly ggufPath: string;
  /** Whether opening exported the GGUF (false: it came from the cache). */
  readonly exported: boolean;
  readonly tokenizer: Tokenizer;
  /** Sequences in flight at once. */
  slots(): number;
  promptIds(prompt: EnginePrompt): number[];
  checkContext(r: Pick<SamplingRequest, 'prompt' | 'maxTokens'>): void;
}

const llamas = new Map<boolean, Promise<Llama>>();
/**
 * The llama.cpp binding, loaded once per process and GPU choice (loading it twice wastes memory
 * and time); never built from source here. The first call costs 1–2 s on Linux whatever the model:
 * importing node-llama-cpp, and getLlama testing the prebuilt binary in a child process before
 * loading it (getShouldTestBinaryBeforeLoading, node-llama-cpp 3.21.1; no option skips it).
 */
export async function loadLlamaBinding(gpu = false): Promise<Llama> {
  let p = llamas.get(gpu);
  if (!p) {
    p = import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: gpu ? 'auto' : false, build: 'never', logLevel: LlamaLogLevel.error }));
    p.catch(() => llamas.delete(gpu)); // a failed load is retried on the next call, not cached
    llamas.set(gpu, p);
  }
  return p;
}

function readTokenizer(dir: string): Tokenizer {
  const file = path.join(path.resolve(dir), 'tokenizer.json');
  try {
    return tokenizerFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')), file);
  } catch (err) {
    throw new SieveError(`checkpoint ${path.resolve(dir)}: cannot read tokenizer.json`, { where: file, cause: err, hint: 're-run the stage that wrote the checkpoint' });
  }
}

/** Waits for a free sequence of the context; hands them out in FIFO order. */
class SequencePool {
  private readonly waiting: ((s: LlamaContextSequence) => void)[] = [];
  constructor(private readonly free: LlamaContextSequence[]) {}
  acquire(): Promise<LlamaContextSequence> {
    const s = this.free.pop();
    return s ? Promise.resolve(s) : new Promise((resolve) => this.waiting.push(resolve));
  }
  release(s: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(s);
    else this.free.push(s);
  }
}

/**
 * The options of each of the engine's llama.cpp contexts: one sequence of `contextSize` tokens,
 * max(1, floor(threads / sequences)) threads (threads 0 = all cores), float32 KV cache. Shared
 * with the raw rate of `sieve bench sample` so both decode with the same layout.
 *
 * One context per sequence, not one context of N sequences: llama.cpp reorders the outputs of a
 * multi-sequence batch lazily, on the first logits read, and node-llama-cpp reads them from
 * several threads at once, so a sample could take a neighbour's logits (measured: 23 of 256 char-model
 * samples had a log-prob off sieve's forward). Alone in its context, a sample's logits never depend on
 * its neighbours; the contexts decode in parallel on node's thread pool.
 */
export function llamaCppContextOptions(o: { contextSize: number; sequences: number; threads: number }): LlamaContextOptions {
  const totalThreads = o.threads > 0 ? o.threads : os.availableParallelism();
  return {
    sequences: 1,
    contextSize: o.contextSize,
    batchSize: Math.max(512, Math.min(o.contextSize, 2048)),
    threads: Math.max(1, Math.floor(totalThreads / o.sequences)),
    flashAttention: false,
    // float32 KV cache: llama.cpp's default F16 cache moves log-probs by up to ~1e-2 nats on small models
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  };
}

/**
 * Opens the engine: exports (or finds in the cache) the GGUF, loads it, creates `sequences`
 * contexts of one sequence each.
 * @throws SieveError naming the file when the checkpoint is missing or corrupt, or when llama.cpp cannot load the GGUF.
 */
export async function openLlamaCppEngine(o: LlamaCppEngineOptions): Promise<LlamaCppSamplingEngine> {
  const dir = path.resolve(o.checkpointDir);
  const dtype = o.dtype ?? 'F32';
  const config: ModelConfig = readCheckpointConfig(dir);
  const tokenizer = readTokenizer(dir);
  const gguf = await cachedCheckpointGguf(dir, o.cacheDir ?? defaultGgufCacheDir(dir), dtype);
  if (gguf.exported) o.log?.(`exported ${dir} to ${gguf.path} (${dtype}) for llama.cpp`);
  const llama = await loadLlamaBinding(o.gpu ?? false);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: gguf.path });
  } catch (err) {
    throw new SieveError(`llama.cpp could not load ${gguf.path}`, {
      where: gguf.path,
      cause: err,
      hint: 'the cached export may be damaged: delete it and it is written again on the next run',
    });
  }
  const sequences = o.sequences ?? 8;
  const contextSize = Math.min(config.contextLength, o.contextSize ?? 2048);
  const threads = o.threads ?? 0;
  const contextOptions = llamaCppContextOptions({ contextSize, sequences, threads });
  // Created concurrently (their setup runs on node's thread pool): about half the time of one by one with many sequences.
  const created = await Promise.allSettled(Array.from({ length: sequences }, () => model.createContext(contextOptions)));
  const contexts = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failed = created.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) {
    await Promise.all(contexts.map((c) => c.dispose()));
    await model.dispose();
    throw new SieveError(`llama.cpp could not create ${sequences} contexts of ${contextSize} tokens for ${gguf.path}`, { cause: failed.reason, hint: 'lower the engine\'s "sequences" or "contextSize"' });
  }
  const pool = new SequencePool(contexts.map((c) => c.getSequence()));
  const vocab = config.vocabSize;
  const name = o.modelName ?? path.basename(dir);
  const sampler = o.sampler ?? 'llama.cpp';
  const { promptIds, paramsOf } = promptEncoding(tokenizer);
  const checkContext = (r: Pick<SamplingRequest, 'prompt' | 'maxTokens'>): void => {
    const n = promptIds(r.prompt).length;
    if (n + r.maxTokens > contextSize) throw new ContextLengthError(n, contextSize, r.maxTokens);
  };

  /** One sample on one free sequence of the context: prefill the prompt, then decode until `s` is done. */
  const runOne = async (prompt: number[], seed: number, params: GenerateParams, topK: number): Promise<EngineSample> => {
    if (prompt.length === 0) throw new InputError('an empty prompt: the tokenizer adds no BOS and the text is empty', { where: 'prompt' });
    if (prompt.length >= contextSize) throw new ContextLengthError(prompt.length, contextSize, params.maxNewTokens);
    const s = new Sequence(prompt, seed, params, tokenizer, contextSize);
    let top: TopLogprobs | null = null;
    let logprobs: number[];
    const seq = await pool.acquire();
    try {
      await seq.clearHistory();
      if (sampler === 'sieve') {
        top = await decodeWithSieveSampler(seq, prompt, s, vocab, topK, tokenizer);
        logprobs = Array.from(s.result().logprobs);
      } else {
        const exact = confidenceIsModelProbability(params, vocab) && topK === 0;
        await decodeWithLlamaSampler(seq, prompt, s, seed, params, vocab, exact);
        if (exact) logprobs = Array.from(s.result().logprobs);
        else ({ logprobs, top } = await scoreTokens(seq, prompt, s.tokens, vocab, topK, tokenizer));
      }
    } finally {
      pool.release(seq);
    }
    const r = s.result();
    return {
      text: r.text,
      tokenIds: r.tokens,
      tokens: r.tokens.map((id) => tokenizer.decode([id])),
      tokenLogprobs: Array.from(Float32Array.from(logprobs)),
      logprobSum: logprobs.reduce((a, b) => a + b, 0),
      topLogprobs: top,
      finishReason: r.finishReason,
    };
  };

  let closed = false;
  return {
    kind: 'llama.cpp',
    model: name,
    contextLength: contextSize,
    ggufPath: gguf.path,
    exported: gguf.exported,
    tokenizer,
    slots: () => sequences,
    promptIds,
    checkContext,
    fingerprint: () => ({ engine: 'llama.cpp', model: name, dtype, sampler }),
    async generate(requests) {
      if (closed) throw new SieveError('the llama.cpp engine is closed');
      requests.forEach((r, i) => checkSamplingRequest(r, `request ${i}`));
      return Promise.all(
        requests.map((r) => {
          const params = paramsOf(r);
          const prompt = promptIds(r.prompt);
          return Promise.all(seedsOf(r).map((seed) => runOne(prompt, seed, params, r.topLogprobs ?? 0)));
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(contexts.map((c) => c.dispose()));
      await model.dispose();
    },
  };
}
