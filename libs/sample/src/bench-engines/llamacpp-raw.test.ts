/**
 * The raw llama.cpp rate decodes what the llama.cpp engine decodes (same layout, sampler settings
 * and seeds: the same token count) and finishes; a step that never comes fails with a SieveError
 * instead of hanging. Speeds are never asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { formatPrompt } from '@sieve/dataset';
import { exportCheckpointGguf } from '@sieve/model';
import { openLlamaCppEngine } from '../engines/llamacpp';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import { rawLlamaCppRate, withStallTimeout } from './llamacpp-raw';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-llamacpp-raw-'));
let ckpt: string;
let gguf: string;

beforeAll(async () => {
  await useTestBackend();
  ckpt = await tinyCheckpoint(3);
  gguf = path.join(tmp, 'tiny.gguf');
  await exportCheckpointGguf(ckpt, gguf, { dtype: 'F32' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('withStallTimeout', () => {
  it('passes items through and closes the source when the consumer stops', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        for (let i = 1; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const got: number[] = [];
    for await (const x of withStallTimeout(source(), 1000, () => new SieveError('stalled'))) {
      got.push(x);
      if (x === 3) break;
    }
    expect(got).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });

  it('fails with the given SieveError when the next item never comes', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      await new Promise(() => undefined); // a step that never ends
    }
    const got: number[] = [];
    const run = async (): Promise<void> => {
      for await (const x of withStallTimeout(source(), 20, () => new SieveError('no progress after 2 tokens'))) got.push(x);
    };
    await expect(run()).rejects.toThrow(/no progress after 2 tokens/);
    expect(got).toEqual([1, 2]);
  });
});

describe('rawLlamaCppRate', () => {
  it('decodes the llama.cpp engine’s samples for the same prompts and seeds (same token count) with one context per sample in flight', async () => {
    const questions = ['1+1', 'what is 3*4', '12-5'];
    const seeds = [11, 12, 13, 14, 15, 4_000_000_123];
    const maxNewTokens = 40;
    const engine = await openLlamaCppEngine({ checkpointDir: ckpt, cacheDir: path.join(tmp, 'cache'), sequences: 2, threads: 1 });
    let engineTokens: number;
    let prompts: number[][];
    try {
      prompts = questions.map((q) => engine.promptIds({ text: formatPrompt(q) }));
      const out = await engine.generate(questions.map((q) => ({ prompt: { text: formatPrompt(q) }, n: seeds.length, seed: 0, seeds, temperature: 1, topP: 1, topK: 0, maxTokens: maxNewTokens, stop: [] })));
      engineTokens = out.flat().reduce((n, s) => n + (s.tokenIds?.length ?? 0), 0);
    } finally {
      await engine.close();
    }
    const jobs = prompts.flatMap((prompt) => seeds.map((seed) => ({ prompt, seed })));
    const r = await rawLlamaCppRate({ gguf, jobs, maxNewTokens, temperature: 1, topK: 0, topP: 1, vocabSize: engine.tokenizer.vocabSize, sequences: 2, threads: 1, contextSize: engine.contextLength ?? 0 });
    expect(r.sequences).toBe(18);
    expect(r.tokens).toBeGreaterThanOrEqual(18);
    // below the budget: samples end at their end-of-generation token, where the seeds matter
    expect(r.tokens).toBeLessThan(18 * maxNewTokens);
    expect(r.tokens).toBe(engineTokens);
    expect(r.tokensPerSecond).toBeCloseTo(r.tokens / r.seconds, 6);
    expect(r.setupSeconds).toBeGreaterThan(0);
    // Other settings draw other samples: the equality above is not a coincidence of the budget.
    const greedy = await rawLlamaCppRate({ gguf, jobs, maxNewTokens, temperature: 0, topK: 0, topP: 1, vocabSize: engine.tokenizer.vocabSize, sequences: 3, threads: 1, contextSize: engine.contextLength ?? 0 });
    expect(greedy.tokens).not.toBe(engineTokens);
  }, 60_000);

  it('names the file llama.cpp cannot load', async () => {
    const bad = path.join(tmp, 'bad.gguf');
    fs.writeFileSync(bad, 'not a gguf');
    await expect(rawLlamaCppRate({ gguf: bad, jobs: [{ prompt: [1], seed: 1 }], maxNewTokens: 1, temperature: 1, topK: 0, topP: 1, vocabSize: 10, sequences: 1, threads: 1, contextSize: 16 })).rejects.toThrow(/cannot load .*bad\.gguf/);
  });
});
