import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { formatPrompt } from '@sieve/dataset';
import { tinyCheckpoint, useTestBackend } from '../test-helpers';
import { startModelServer, type ModelServer } from './server';

let server: ModelServer;
let client: OpenAI;
beforeAll(async () => {
  await useTestBackend();
  const dir = await tinyCheckpoint(5);
  server = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', backend: 'wasm' });
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: string): Promise<Response> =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('sieve serve-model, through the official openai client', () => {
  it('listens on loopback and lists the model', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny']);
  });

  it('completions: a list of prompts, n > 1, seeded, with vLLM-format logprobs', async () => {
    const req = { model: 'tiny', prompt: [formatPrompt('1+1'), formatPrompt('what is 3*4')], n: 3, max_tokens: 10, seed: 5, temperature: 1, logprobs: 2 };
    const res = await client.completions.create(req);
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(res.model).toBe('tiny');
    for (const c of res.choices) {
      const lp = c.logprobs!;
      expect(lp.tokens!.length).toBe(lp.token_logprobs!.length);
      expect(lp.tokens!.join('').startsWith(c.text)).toBe(true);
      expect(lp.tokens!.length).toBeLessThanOrEqual(10);
      // offsets: where each token starts in the completion
      expect(lp.text_offset).toEqual(lp.tokens!.map((_, i) => lp.tokens!.slice(0, i).join('').length));
      lp.top_logprobs!.forEach((top, i) => {
        const entries = Object.entries(top);
        expect(entries.length).toBeGreaterThanOrEqual(2); // the 2 alternatives, plus the sampled token when it is not one of them
        expect(entries.length).toBeLessThanOrEqual(3);
        expect(top[lp.tokens![i]!]).toBeCloseTo(lp.token_logprobs![i]!, 6);
        for (const [, v] of entries) expect(v).toBeLessThanOrEqual(0);
      });
    }
    expect(res.usage!.completion_tokens).toBe(res.choices.reduce((a, c) => a + c.logprobs!.tokens!.length, 0));
    expect(new Set(res.choices.map((c) => c.text)).size).toBeGreaterThan(1);
    const again = await client.completions.create(req);
    expect(again.choices.map((c) => c.text)).toEqual(res.choices.map((c) => c.text));
  });

  it('stop: the same seed with a stop string gives the text cut before it', async () => {
    const req = { model: 'tiny', prompt: formatPrompt('add 12 and 30'), n: 4, max_tokens: 12, seed: 9, temperature: 1 };
    const free = await client.completions.create(req);
    const text = free.choices.find((c) => c.text.length >= 3)!.text;
    const stop = text[2]!; // a character the unstopped sample produced
    const cut = await client.completions.create({ ...req, stop: [stop] });
    cut.choices.forEach((c, i) => {
      const full = free.choices[i]!.text;
      const at = full.indexOf(stop);
      if (at >= 0) {
        expect(c.text).toBe(full.slice(0, at));
        expect(c.finish_reason).toBe('stop');
      } else expect(c.text).toBe(full);
    });
  });

  it('chat completions: one user message samples as its plain prompt does, with chat-format logprobs', async () => {
    const chat = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: '1+1' }], n: 2, seed: 4, max_tokens: 8, logprobs: true, top_logprobs: 2 });
    const plain = await client.completions.create({ model: 'tiny', prompt: formatPrompt('1+1'), n: 2, seed: 4, max_tokens: 8 });
    expect(chat.object).toBe('chat.completion');
    expect(chat.choices.map((c) => c.message.content)).toEqual(plain.choices.map((c) => c.text));
    for (const c of chat.choices) {
      expect(c.message.role).toBe('assistant');
      const content = c.logprobs!.content!;
      expect(content.map((t) => t.token).join('').startsWith(c.message.content!)).toBe(true);
      for (const t of content) {
        expect(t.top_logprobs.length).toBe(2);
        expect(t.bytes).toEqual([...Buffer.from(t.token)]);
        expect(t.logprob).toBeLessThanOrEqual(t.top_logprobs[0]!.logprob + 1e-6);
      }
    }
  });

  it('malformed requests get a 400 with an OpenAI-style error body', async () => {
    const bad = await post('/completions', '{"model": "tiny", "prompt": ');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error['type']).toBe('invalid_request_error');

    const noPrompt = await post('/completions', JSON.stringify({ model: 'tiny' }));
    expect(noPrompt.status).toBe(400);
    expect(((await noPrompt.json()) as { error: { param: string } }).error.param).toBe('prompt');

    const err = await client.completions.create({ model: 'tiny', prompt: 'x', temperature: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');

    const unknown = await client.completions.create({ model: 'gpt-4', prompt: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('a prompt larger than the context gets a clear 400, and the server keeps serving', async () => {
    const err = await client.completions.create({ model: 'tiny', prompt: 'x'.repeat(200), max_tokens: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.code).toBe('context_length_exceeded');
    expect(e.message).toMatch(/maximum context length is 64 tokens.*201 in the prompt/);
    const chatErr = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'y'.repeat(100) }] }).catch((x: unknown) => x);
    expect(chatErr).toBeInstanceOf(OpenAI.BadRequestError);
    expect((await client.completions.create({ model: 'tiny', prompt: 'Q: 1\nA: ', max_tokens: 2 })).choices).toHaveLength(1);
  });
});
