import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { formatPrompt } from '@sieve/dataset';
import { loadCheckpoint } from '@sieve/model';
import { openEngine, type Engine } from '../engine';
import { encodePrompt } from '../prompt';
import type { GenerateParams } from '../sequence';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import { ContextLengthError, sampleSeed, type SamplingRequest } from './engine';
import { openTfjsEngine, type TfjsSamplingEngine } from './tfjs';

let dir: string;
const opened: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  await useTestBackend();
  dir = await tinyCheckpoint(7);
});
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
});

async function tfjsEngine(batchSize: number): Promise<TfjsSamplingEngine> {
  const e = await openTfjsEngine({ checkpointDir: dir, workers: 0, backend: 'wasm', batchSize });
  opened.push(e);
  return e;
}

const base = { temperature: 1, topP: 0.95, topK: 0, maxTokens: 12, stop: ['#'] } as const;
const params: GenerateParams = { temperature: 1, topP: 0.95, topK: 0, maxNewTokens: 12, stop: ['#'] };

describe('tfjs sampling engine', () => {
  it('gives exactly what the generator gives for the same seeds, whatever the batch size', async () => {
    const raw: Engine = await openEngine({ checkpointDir: dir, workers: 0, backend: 'wasm' });
    opened.push(raw);
    const questions = ['1+1', 'what is 3*4'];
    const seeds = [[11, 12, 13], [21, 22, 23]];
    const direct = await raw.run(
      questions.flatMap((q, qi) => (seeds[qi] as number[]).map((seed) => ({ prompt: encodePrompt(raw.tokenizer, q), seed }))),
      params,
    );
    const requests: SamplingRequest[] = questions.map((q, qi) => ({ ...base, prompt: { text: formatPrompt(q) }, n: 3, seed: 0, seeds: seeds[qi] as number[] }));
    for (const batchSize of [64, 2]) {
      const got = await (await tfjsEngine(batchSize)).generate(requests);
      expect(got.map((r) => r.length)).toEqual([3, 3]);
      got.flat().forEach((s, i) => {
        const d = direct[i]!;
        expect(s.text).toBe(d.text);
        expect(s.tokenIds).toEqual(d.tokens);
        expect(s.finishReason).toBe(d.finishReason);
        expect(s.logprobSum).toBeCloseTo(d.logprobSum, 4);
        s.tokenLogprobs!.forEach((lp, t) => expect(lp).toBeCloseTo(d.logprobs[t]!, 4));
        expect(s.tokens!.join('')).toContain(s.text); // the text is the tokens, cut before the stop string
      });
    }
    expect(new Set((await (await tfjsEngine(64)).generate(requests)).flat().map((s) => s.text)).size).toBeGreaterThan(3);
  });

  it('seeds sample i with sampleSeed(seed, i) when no seeds are given; a chat prompt renders as the plain prompt', async () => {
    const e = await tfjsEngine(64);
    const [a] = await e.generate([{ ...base, prompt: { text: formatPrompt('7/7') }, n: 2, seed: 5 }]);
    const [b] = await e.generate([{ ...base, prompt: { messages: [{ role: 'user', content: '7/7' }] }, n: 2, seed: 0, seeds: [sampleSeed(5, 0), sampleSeed(5, 1)] }]);
    expect(b!.map((s) => s.text)).toEqual(a!.map((s) => s.text));
  });

  it('top log-probs equal an uncached forward over prompt + sampled tokens, and leak no tensors', async () => {
    const e = await tfjsEngine(64);
    await e.generate([{ ...base, prompt: { text: 'Q: a\nA: ' }, n: 1, seed: 1, topLogprobs: 3 }]); // warm-up
    const before = tf.memory().numTensors;
    const [samples] = await e.generate([{ ...base, stop: [], prompt: { text: 'Q: 12+30\nA: ' }, n: 2, seed: 3, topLogprobs: 3 }]);
    expect(tf.memory().numTensors).toBe(before);
    const ck = await loadCheckpoint(dir);
    try {
      for (const s of samples!) {
        const prompt = e.promptIds({ text: 'Q: 12+30\nA: ' });
        const ids = [...prompt, ...s.tokenIds!];
        const logits = tf.tidy(() => tf.logSoftmax(ck.model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'))).arraySync() as number[][][]);
        expect(s.topLogprobs!.length).toBe(s.tokenIds!.length);
        s.tokenIds!.forEach((id, t) => {
          const row = logits[0]![prompt.length - 1 + t]!;
          const expected = row.map((lp, i) => ({ i, lp })).sort((x, y) => y.lp - x.lp || x.i - y.i).slice(0, 3);
          const got = s.topLogprobs![t]!;
          expect(got.map((g) => g.token)).toEqual(expected.map((x) => e.engine.tokenizer.decode([x.i])));
          got.forEach((g, j) => expect(g.logprob).toBeCloseTo(expected[j]!.lp, 3));
          expect(s.tokenLogprobs![t]).toBeCloseTo(row[id]!, 3);
        });
      }
    } finally {
      ck.model.dispose();
    }
  });

  it('refuses a prompt that does not fit the context with max_tokens, and bad settings', async () => {
    const e = await tfjsEngine(64);
    expect(e.contextLength).toBe(64);
    expect(() => e.checkContext({ prompt: { text: 'x'.repeat(60) }, maxTokens: 4 })).toThrow(ContextLengthError); // 61 + 4 > 64
    expect(() => e.checkContext({ prompt: { text: 'x'.repeat(59) }, maxTokens: 4 })).not.toThrow();
    await expect(e.generate([{ ...base, prompt: { text: 'a' }, n: 0, seed: 1 }])).rejects.toThrow(/n must be an integer ≥ 1/);
    await expect(e.generate([{ ...base, prompt: { text: 'a' }, n: 2, seed: 1, seeds: [1] }])).rejects.toThrow(/seeds/);
  });
});
