/**
 * The OpenAI-compatible API of `sieve serve-model` as a hono app over one sampling engine:
 * GET /v1/models, POST /v1/completions, POST /v1/chat/completions. Every error is an OpenAI-style
 * body `{error: {message, type, param, code}}`: 400 for a malformed request or one that does not
 * fit the context, 404 for an unknown model or path, 500 for a failure of the engine.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { InputError, mixSeed } from '@sieve/core';
import { ContextLengthError, type EnginePrompt, type EngineSample, type LocalSamplingEngine, type SamplingRequest } from '../engines/engine';
import { apiError, chatLogprobs, completionLogprobs } from './responses';
import { ChatRequest, CompletionRequest } from './schemas';

/** An error the app answers with its status and OpenAI-style body. */
class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 500,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

async function parseBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch (e) {
    throw new ApiError(400, `the body is not valid JSON: ${(e as Error).message}`, null, 'invalid_json');
  }
  const res = schema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0];
    const param = issue?.path.map(String).join('.') || null;
    throw new ApiError(400, `${param ?? 'body'}: ${issue?.message ?? 'invalid request'}`, param, 'invalid_request');
  }
  return res.data;
}

const created = (): number => Math.floor(Date.now() / 1000);
const id = (prefix: string): string => `${prefix}-${randomBytes(12).toString('hex')}`;
const stops = (s: string | string[] | null | undefined): string[] => (s === null || s === undefined ? [] : typeof s === 'string' ? [s] : s);

export interface ModelAppOptions {
  /** Default max_tokens when a request gives none (OpenAI's completions default: 16). */
  defaultMaxTokens?: number;
}

export function createModelApp(engine: LocalSamplingEngine, o: ModelAppOptions = {}): Hono {
  const app = new Hono();
  const model = engine.model;
  const contextLength = engine.contextLength ?? Infinity;

  const checkModel = (name: string): void => {
    if (name !== model) throw new ApiError(404, `The model \`${name}\` does not exist; this server serves \`${model}\`.`, 'model', 'model_not_found');
  };

  /** Builds one engine request per prompt; prompt p's samples are seeded from mixSeed(seed, p). */
  const requestsOf = (prompts: EnginePrompt[], b: z.infer<typeof CompletionRequest> | z.infer<typeof ChatRequest>, maxTokens: number, topLogprobs: number | undefined, param: string): SamplingRequest[] => {
    const seed = b.seed ?? randomInt(2 ** 31);
    return prompts.map((prompt, p) => {
      try {
        engine.checkContext({ prompt, maxTokens });
      } catch (e) {
        if (e instanceof ContextLengthError) throw new ApiError(400, `This model's maximum context length is ${e.contextLength} tokens. However, you requested ${e.promptTokens + maxTokens} tokens (${e.promptTokens} in the prompt, ${maxTokens} for the completion). Please reduce the length of the prompt or max_tokens.`, param, 'context_length_exceeded');
        throw e;
      }
      return {
        prompt,
        n: b.n ?? 1,
        temperature: b.temperature ?? 1,
        topP: b.top_p ?? 1,
        topK: Math.max(0, b.top_k ?? 0),
        maxTokens,
        stop: stops(b.stop),
        seed: prompts.length === 1 ? seed : mixSeed(seed, p),
        ...(topLogprobs !== undefined ? { topLogprobs } : {}),
      };
    });
  };

  const usage = (requests: SamplingRequest[], results: EngineSample[][]): Record<string, number> => {
    const prompt = requests.reduce((a, r) => a + engine.promptIds(r.prompt).length, 0);
    const completion = results.flat().reduce((a, s) => a + (s.tokenIds?.length ?? 0), 0);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  };

  app.get('/v1/models', (c) =>
    c.json({ object: 'list', data: [{ id: model, object: 'model', created: created(), owned_by: 'sieve', root: model, max_model_len: engine.contextLength }] }),
  );

  app.post('/v1/completions', async (c) => {
    const b = await parseBody(c, CompletionRequest);
    checkModel(b.model);
    if (b.best_of !== null && b.best_of !== undefined && b.best_of !== (b.n ?? 1)) throw new ApiError(400, 'best_of is not supported (leave it unset or equal to n)', 'best_of');
    const prompts = (typeof b.prompt === 'string' ? [b.prompt] : b.prompt).map((text) => ({ text }));
    const maxTokens = b.max_tokens ?? Math.min(o.defaultMaxTokens ?? 16, contextLength);
    const requests = requestsOf(prompts, b, maxTokens, b.logprobs ?? undefined, 'prompt');
    const results = await engine.generate(requests);
    const withLogprobs = b.logprobs !== null && b.logprobs !== undefined;
    return c.json({
      id: id('cmpl'),
      object: 'text_completion',
      created: created(),
      model,
      choices: results.flatMap((samples, p) =>
        samples.map((s, i) => ({ index: p * samples.length + i, text: s.text, logprobs: withLogprobs ? completionLogprobs(s) : null, finish_reason: s.finishReason })),
      ),
      usage: usage(requests, results),
    });
  });

  app.post('/v1/chat/completions', async (c) => {
    const b = await parseBody(c, ChatRequest);
    checkModel(b.model);
    if (!b.messages.some((m) => m.role === 'user')) throw new ApiError(400, 'messages need at least one user message', 'messages');
    const maxTokens = b.max_completion_tokens ?? b.max_tokens ?? contextLength - engine.promptIds({ messages: b.messages }).length;
    if (maxTokens < 1) throw new ApiError(400, `the messages fill the model's context of ${contextLength} tokens`, 'messages', 'context_length_exceeded');
    const top = b.logprobs ? (b.top_logprobs ?? 0) : undefined;
    const requests = requestsOf([{ messages: b.messages }], b, maxTokens, top, 'messages');
    const results = await engine.generate(requests);
    const samples = results[0] ?? [];
    return c.json({
      id: id('chatcmpl'),
      object: 'chat.completion',
      created: created(),
      model,
      choices: samples.map((s, i) => ({ index: i, message: { role: 'assistant', content: s.text }, logprobs: b.logprobs ? chatLogprobs(s) : null, finish_reason: s.finishReason })),
      usage: usage(requests, results),
    });
  });

  app.notFound((c) => c.json(apiError(`no route ${c.req.method} ${c.req.path}`, { code: 'not_found' }), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(apiError(err.message, { param: err.param, code: err.code, type: err.status === 404 ? 'not_found_error' : 'invalid_request_error' }), err.status);
    if (err instanceof InputError) return c.json(apiError(err.message, { param: err.where ?? null }), 400);
    return c.json(apiError(`the engine failed: ${err.message}`, { type: 'server_error' }), 500);
  });
  return app;
}
