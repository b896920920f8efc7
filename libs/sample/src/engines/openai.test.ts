import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { formatPrompt } from '@sieve/dataset';
import { startModelServer, type ModelServer } from '../serve/server';
import { startFaultProxy, tinyCheckpoint, useTestBackend, type Fault, type FaultProxy } from '../test-helpers';
import type { EngineSample, SamplingRequest } from './engine';
import { openOpenAIEngine, type OpenAIEngineOptions } from './openai';

let server: ModelServer;
let second: ModelServer;
const proxies: FaultProxy[] = [];
beforeAll(async () => {
  await useTestBackend();
  const dir = await tinyCheckpoint(6);
  server = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', backend: 'wasm' });
  second = await startModelServer({ checkpointDir: dir, port: 0, modelName: 'tiny', backend: 'wasm' });
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await server?.close();
  await second?.close();
});

async function proxy(target: string, plan: (i: number) => Fault, o: { retryAfter?: string; slowMs?: number } = {}): Promise<FaultProxy> {
  const p = await startFaultProxy(target, plan, o);
  proxies.push(p);
  return p;
}

const fast = { retry: { maxRetries: 12, baseDelayMs: 1, maxDelayMs: 4 } } satisfies Partial<OpenAIEngineOptions>;
const base = { temperature: 1, topP: 1, topK: 0, maxTokens: 10 } as const;
/** 3 questions × 4 samples, each sample with its own seed (as the sample stage asks). */
const stageLike: SamplingRequest[] = ['1+1', 'what is 3*4', 'add 12 and 30'].map((q, qi) => ({
  ...base,
  prompt: { text: formatPrompt(q) },
  n: 4,
  seed: 0,
  seeds: [0, 1, 2, 3].map((i) => 1000 * qi + i),
  topLogprobs: 0,
}));
const texts = (rs: EngineSample[][]): string[][] => rs.map((r) => r.map((s) => s.text));

describe('openai engine', () => {
  it('against sieve serve-model: the samples the tfjs engine gives for the same seeds, log-probs stored, model name reported', async () => {
    const engine = await openOpenAIEngine({ endpoints: [{ baseUrl: server.url, concurrency: 4 }], model: 'tiny', ...fast });
    expect(engine.model).toBe('tiny');
    expect(engine.contextLength).toBe(64);
    const got = await engine.generate(stageLike);
    const want = await server.engine.generate(stageLike);
    expect(texts(got)).toEqual(texts(want));
    got.flat().forEach((s, i) => {
      const w = want.flat()[i]!;
      expect(s.tokens).toEqual(w.tokens);
      s.tokenLogprobs!.forEach((lp, t) => expect(lp).toBeCloseTo(w.tokenLogprobs![t]!, 5));
      expect(s.finishReason).toBe(w.finishReason);
    });
    expect(new Set(got.flat().map((s) => s.text)).size).toBeGreaterThan(4);

    // without per-sample seeds: one HTTP request with n; chat prompts go to /chat/completions
    const [plain] = await engine.generate([{ ...base, prompt: { text: formatPrompt('7/7') }, n: 3, seed: 42 }]);
    const [chat] = await engine.generate([{ ...base, prompt: { messages: [{ role: 'user', content: '7/7' }] }, n: 3, seed: 42, topLogprobs: 2 }]);
    expect(chat!.map((s) => s.text)).toEqual(plain!.map((s) => s.text));
    expect(chat![0]!.topLogprobs![0]).toHaveLength(2);
    expect(engine.attempts()).toEqual({ [server.url]: 12 + 1 + 1 + 1 }); // 12 single samples, /models, two n=3 requests
  });

  it('through a fault-injecting proxy: every sample comes back once, equal to the fault-free run', async () => {
    const cycle: Fault[] = ['drop', 'pass', 'error500', 'rate429', 'truncate', 'pass'];
    // one answer slower than the 3 s timeout; a normal one takes well under a second, even on a busy machine
    const plan = (i: number): Fault => (i === 5 ? 'slow' : i < 40 ? (cycle[i % cycle.length] as Fault) : 'pass');
    const p = await proxy(server.url, plan, { slowMs: 3500 });
    const engine = await openOpenAIEngine({ endpoints: [{ baseUrl: p.url, concurrency: 3 }], model: 'tiny', timeoutMs: 3000, ...fast });
    const requests = [...stageLike, { ...base, prompt: { text: formatPrompt('q') }, n: 5, seed: 7 }];
    const got = await engine.generate(requests);
    const want = await server.engine.generate(requests);
    expect(got.map((r) => r.length)).toEqual([4, 4, 4, 5]);
    expect(texts(got)).toEqual(texts(want)); // none lost, none duplicated, none in another's place
    for (const f of ['drop', 'error500', 'rate429', 'truncate', 'slow'] as const) expect(p.counts[f]).toBeGreaterThan(0);
    expect(p.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('honours Retry-After on a 429', async () => {
    const p = await proxy(server.url, (i) => (i === 1 ? 'rate429' : 'pass'), { retryAfter: '0.25' });
    const engine = await openOpenAIEngine({ endpoints: [{ baseUrl: p.url }], model: 'tiny', ...fast });
    const t0 = performance.now();
    await engine.generate([{ ...base, prompt: { text: 'Q: 1\nA: ' }, n: 1, seed: 1 }]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240); // backoff alone would be ≤ 4 ms
    expect(p.counts.rate429).toBe(1);
  });

  it('spreads requests over several base URLs within each concurrency limit', async () => {
    const a = await proxy(server.url, () => 'pass');
    const b = await proxy(second.url, () => 'pass');
    const engine = await openOpenAIEngine({ endpoints: [{ baseUrl: a.url, concurrency: 2 }, { baseUrl: b.url, concurrency: 1 }], model: 'tiny', ...fast });
    const got = await engine.generate(stageLike);
    expect(texts(got)).toEqual(texts(await server.engine.generate(stageLike)));
    expect(a.counts.pass).toBeGreaterThan(1);
    expect(b.counts.pass).toBeGreaterThan(1);
    expect(a.maxInFlight).toBeLessThanOrEqual(2);
    expect(b.maxInFlight).toBe(1);
  });

  it('a request that keeps failing throws a clear error; a refused one is not retried', async () => {
    const down = await proxy(server.url, (i) => (i === 0 ? 'pass' : 'error500'));
    const engine = await openOpenAIEngine({ endpoints: [{ baseUrl: down.url }], model: 'tiny', retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await expect(engine.generate([{ ...base, prompt: { text: 'x' }, n: 1, seed: 1 }])).rejects.toThrow(/failed after 4 attempts: POST .*\/completions: HTTP 500: injected failure/);
    expect(down.counts.error500).toBe(4);

    const ok = await openOpenAIEngine({ endpoints: [{ baseUrl: server.url }], model: 'tiny', ...fast });
    const before = ok.attempts()[server.url]!;
    await expect(ok.generate([{ ...base, prompt: { text: 'x'.repeat(100) }, n: 1, seed: 1 }])).rejects.toThrow(/HTTP 400: This model's maximum context length is 64/);
    expect(ok.attempts()[server.url]! - before).toBe(1);

    await expect(openOpenAIEngine({ endpoints: [{ baseUrl: server.url }], model: 'gpt-x', ...fast })).rejects.toThrow(/does not serve a model named "gpt-x".*|it serves: tiny/);
  });

  it('reads the API key from the named variable and never shows it', async () => {
    const p = await proxy(server.url, () => 'pass');
    const secret = 'sk-test-4f9c2d1e';
    process.env['SIEVE_TEST_KEY'] = secret;
    try {
      const opts = { endpoints: [{ baseUrl: p.url }], model: 'tiny', apiKeyEnv: 'SIEVE_TEST_KEY', ...fast };
      const engine = await openOpenAIEngine(opts);
      await engine.generate([{ ...base, prompt: { text: 'Q: 2\nA: ' }, n: 1, seed: 1 }]);
      expect(p.authorizations).toEqual([`Bearer ${secret}`, `Bearer ${secret}`]);
      expect(JSON.stringify(engine.fingerprint())).not.toContain(secret);
      expect(JSON.stringify(opts)).not.toContain(secret);
      const err = (await engine.generate([{ ...base, prompt: { text: 'y'.repeat(100) }, n: 1, seed: 1 }]).catch((e: unknown) => e)) as Error;
      expect(`${err.message} ${String(err.stack)}`).not.toContain(secret);
    } finally {
      delete process.env['SIEVE_TEST_KEY'];
    }
    const missing = await openOpenAIEngine({ endpoints: [{ baseUrl: p.url }], model: 'tiny', apiKeyEnv: 'SIEVE_TEST_KEY' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toContain('SIEVE_TEST_KEY');
  });
});
