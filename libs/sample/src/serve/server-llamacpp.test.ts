/**
 * `sieve serve-model --engine llama.cpp` through the official openai client: the llama.cpp engine
 * behind the same API, requests in flight decoded together, seeded samples that do not depend on
 * what else is in flight, log-probs, chat, and the context check.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPrompt } from '@sieve/dataset';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import { startModelServer, type ModelServer } from './server';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-serve-llama-'));
let server: ModelServer;
let client: OpenAI;
beforeAll(async () => {
  await useTestBackend();
  const dir = await tinyCheckpoint(5);
  server = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', engine: 'llama.cpp', llama: { threads: 1, sequences: 4, cacheDir } });
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe('sieve serve-model --engine llama.cpp, through the official openai client', () => {
  it('serves the model through llama.cpp', async () => {
    expect(server.description).toMatch(/^llama\.cpp, .*\.gguf, sampler llama\.cpp, 4 sequences$/);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['tiny']);
  });

  it('completions: n > 1, seeded, the same samples alone or with other requests in flight, with log-probs', async () => {
    const req = { model: 'tiny', prompt: [formatPrompt('1+1'), formatPrompt('what is 3*4')], n: 3, max_tokens: 10, seed: 5, temperature: 1, logprobs: 0 };
    const alone = await client.completions.create(req);
    expect(alone.choices).toHaveLength(6);
    expect(new Set(alone.choices.map((c) => c.text)).size).toBeGreaterThan(1);
    for (const c of alone.choices) {
      const lp = c.logprobs!;
      expect(lp.tokens!.join('').startsWith(c.text)).toBe(true);
      expect(lp.token_logprobs!.length).toBe(lp.tokens!.length);
      for (const v of lp.token_logprobs!) expect(v).toBeLessThan(0);
    }
    // three copies at once: 18 samples through 4 sequences, interleaved differently
    const crowded = await Promise.all([req, req, { ...req, seed: 6 }].map((r) => client.completions.create(r)));
    expect(crowded[0]!.choices.map((c) => c.text)).toEqual(alone.choices.map((c) => c.text));
    expect(crowded[1]!.choices.map((c) => c.text)).toEqual(alone.choices.map((c) => c.text));
    // each sample alone in its llama.cpp context: the very same logits, whatever else is in flight
    expect(crowded[1]!.choices.map((c) => c.logprobs!.token_logprobs)).toEqual(alone.choices.map((c) => c.logprobs!.token_logprobs));
    expect(crowded[2]!.choices.map((c) => c.text)).not.toEqual(alone.choices.map((c) => c.text));
  }, 60_000);

  it('top log-probs at temperature 0.7: the sampled token scored at temperature 1, alternatives most likely first', async () => {
    const res = await client.completions.create({ model: 'tiny', prompt: formatPrompt('7+8'), n: 2, max_tokens: 6, seed: 1, temperature: 0.7, logprobs: 2 });
    for (const c of res.choices) {
      const lp = c.logprobs!;
      lp.top_logprobs!.forEach((top, i) => {
        const values = Object.values(top);
        expect(values.length).toBeGreaterThanOrEqual(2);
        expect(Math.max(...values)).toBeGreaterThanOrEqual(lp.token_logprobs![i]! - 1e-6);
      });
    }
  }, 60_000);

  it('chat completions and greedy decoding', async () => {
    const chat = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: '1+1' }], n: 2, temperature: 0, max_tokens: 8, logprobs: true });
    expect(chat.choices).toHaveLength(2);
    expect(chat.choices[0]!.message.content).toBe(chat.choices[1]!.message.content); // greedy: one answer
    const plain = await client.completions.create({ model: 'tiny', prompt: formatPrompt('1+1'), temperature: 0, max_tokens: 8 });
    expect(chat.choices[0]!.message.content).toBe(plain.choices[0]!.text); // the char model reads chat as its plain prompt
    expect(chat.choices[0]!.logprobs!.content!.length).toBeGreaterThan(0);
  }, 60_000);

  it('a prompt larger than the context gets a clear 400, and the server keeps serving', async () => {
    const err = await client.completions.create({ model: 'tiny', prompt: 'x'.repeat(200), max_tokens: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
    expect((await client.completions.create({ model: 'tiny', prompt: 'Q: 1\nA: ', max_tokens: 2 })).choices).toHaveLength(1);
  }, 60_000);
});
