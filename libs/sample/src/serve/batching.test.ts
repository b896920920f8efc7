import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { formatPrompt } from '@sieve/dataset';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import type { BatchedTfjsEngine } from './batched-tfjs';
import { startModelServer, type ModelServer } from './server';

let server: ModelServer;
let client: OpenAI;
let stats: BatchedTfjsEngine['stats'];
let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await tinyCheckpoint(11);
  server = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', backend: 'wasm', batchSize: 64, batchWaitMs: 200 }); // a window long enough for the concurrent requests to meet
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  stats = (server.engine as BatchedTfjsEngine).stats;
});
afterAll(async () => {
  await server?.close();
});

type Call = () => Promise<unknown>;
/** What a response says about its samples (ids and timestamps left out). */
const samplesOf = (r: unknown): unknown => (r as { choices: unknown }).choices;

const cmpl =
  (prompt: string | string[], o: Partial<OpenAI.CompletionCreateParamsNonStreaming> = {}): Call =>
  () =>
    client.completions.create({ model: 'tiny', prompt, n: 2, max_tokens: 12, seed: 3, temperature: 1, logprobs: 2, ...o });

// Requests with different prompts (of equal and of different token lengths) and settings.
const calls: Call[] = [
  cmpl(formatPrompt('1+1')),
  cmpl(formatPrompt('2+2'), { seed: 8 }), // same settings and length as 1+1: shares its batch
  cmpl(formatPrompt('what is 3*4 times 5')), // same settings, longer: its own batch (1+1 padded to its length would move in the last bits)
  cmpl(formatPrompt('add 12 and 30'), { n: 1, seed: 2 }),
  cmpl(formatPrompt('what is 3*4'), { n: 3, logprobs: 0 }),
  cmpl([formatPrompt('9-1'), formatPrompt('add 12 and 30')], { top_p: 0.9, stop: ['#'] }),
  cmpl(formatPrompt('1+1'), { temperature: 0, n: 1, logprobs: null }),
  cmpl(formatPrompt('5+5'), { max_tokens: 5, seed: 1 }),
  () => client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: '7*6' }], n: 2, seed: 4, max_tokens: 8, logprobs: true, top_logprobs: 3 }),
];

describe('sieve serve-model batches concurrent requests', () => {
  it('a request gives byte-identical samples alone and batched with other prompts and settings', async () => {
    const alone: unknown[] = [];
    for (const call of calls) alone.push(samplesOf(await call())); // one at a time: every batch holds one request
    const merged0 = stats.merged;
    const together = (await Promise.all([...calls].reverse().map((c) => c()))).reverse().map(samplesOf);
    expect(stats.merged).toBeGreaterThan(merged0); // some batches held several requests
    expect(JSON.stringify(together)).toBe(JSON.stringify(alone));
    expect(new Set(JSON.stringify(alone).match(/"text":"[^"]*"/g)).size).toBeGreaterThan(5);
  });

  it('a burst of concurrent requests is answered in one shared batch, each sample as it is alone', async () => {
    // A server whose batch of 24 waits (up to a minute) until it is full: the burst must make exactly one batch.
    const burstServer = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', backend: 'wasm', batchSize: 24, batchWaitMs: 60_000 });
    try {
      const burstClient = new OpenAI({ baseURL: burstServer.url, apiKey: 'unused', maxRetries: 0 });
      const burst = Array.from({ length: 24 }, (_, i) => ({ model: 'tiny', prompt: formatPrompt(`${i % 10}+${i % 3}`), max_tokens: 12, seed: 100 + i, logprobs: 1 }));
      const got = (await Promise.all(burst.map((b) => burstClient.completions.create(b)))).map(samplesOf);
      expect((burstServer.engine as BatchedTfjsEngine).stats).toEqual({ batches: 1, items: 24, largest: 24, merged: 1 });
      for (const i of [0, 7, 16, 23]) expect(JSON.stringify(samplesOf(await client.completions.create(burst[i]!)))).toBe(JSON.stringify(got[i])); // alone
      expect(new Set(got.map((g) => JSON.stringify(g))).size).toBe(24);
    } finally {
      await burstServer.close();
    }
  });

  it('a request too long for the context gets its 400; the requests beside it are answered as alone', async () => {
    const good = [calls[0]!, calls[4]!];
    const alone: unknown[] = [];
    for (const call of good) alone.push(samplesOf(await call()));
    const [a, bad, b] = await Promise.allSettled([good[0]!(), cmpl('x'.repeat(200), { max_tokens: 4 })(), good[1]!()]);
    expect(bad.status).toBe('rejected');
    const err = (bad as PromiseRejectedResult).reason as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('context_length_exceeded');
    expect([a, b].map((r) => (r.status === 'fulfilled' ? samplesOf(r.value) : r.reason))).toEqual(alone);
  });
});
