/**
 * The OpenAI wire format for the `openai` engine: request bodies for /v1/completions and
 * /v1/chat/completions, and the choices of a response turned into EngineSamples (zod-checked:
 * a response of the wrong shape is an error the engine retries, never a half-read sample).
 */
import { z } from 'zod';
import type { EngineSample, SamplingRequest } from './engine';

/** One HTTP request: a prompt, how many samples and with which seed. */
export function requestBody(model: string, r: SamplingRequest, n: number, seed: number, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const chat = 'messages' in r.prompt;
  const logprobs = r.topLogprobs === undefined ? {} : chat ? { logprobs: true, top_logprobs: r.topLogprobs } : { logprobs: r.topLogprobs };
  return {
    model,
    ...(chat ? { messages: (r.prompt as { messages: unknown }).messages } : { prompt: (r.prompt as { text: string }).text }),
    n,
    temperature: r.temperature,
    top_p: r.topP,
    max_tokens: r.maxTokens,
    seed,
    ...(r.stop && r.stop.length ? { stop: [...r.stop] } : {}),
    ...(r.topK > 0 ? { top_k: r.topK } : {}),
    ...logprobs,
    ...extra,
    ...r.extra,
  };
}

const finish = z.string().nullish();
const Usage = z.object({ completion_tokens: z.number().int().min(0) }).nullish();
const CompletionResponse = z.object({
  model: z.string().optional(),
  usage: Usage,
  choices: z.array(
    z.object({
      index: z.number().int(),
      text: z.string(),
      finish_reason: finish,
      logprobs: z
        .object({
          tokens: z.array(z.string()),
          token_logprobs: z.array(z.number().nullable()),
          top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
        })
        .nullish(),
    }),
  ),
});

const ChatResponse = z.object({
  model: z.string().optional(),
  usage: Usage,
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ content: z.string().nullable() }),
      finish_reason: finish,
      logprobs: z
        .object({
          content: z.array(z.object({ token: z.string(), logprob: z.number(), top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish() })).nullable(),
        })
        .nullish(),
    }),
  ),
});

const finishReason = (f: string | null | undefined): EngineSample['finishReason'] => (f === 'length' ? 'length' : 'stop');
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The n samples of a response in choice order, and the model it names; throws on a wrong shape or count. */
export function parseResponse(json: unknown, chat: boolean, n: number): { samples: EngineSample[]; model: string | null } {
  const out: EngineSample[] = new Array<EngineSample>(n);
  let model: string | null;
  let usageTokens: number | null = null;
  if (chat) {
    const r = ChatResponse.parse(json);
    model = r.model ?? null;
    usageTokens = r.usage?.completion_tokens ?? null;
    for (const c of r.choices) {
      const lp = c.logprobs?.content ?? null;
      const tokenLogprobs = lp ? lp.map((t) => t.logprob) : null;
      out[c.index] = {
        text: c.message.content ?? '',
        tokenIds: null,
        tokens: lp ? lp.map((t) => t.token) : null,
        tokenLogprobs,
        logprobSum: tokenLogprobs ? sum(tokenLogprobs) : null,
        topLogprobs: lp && lp.some((t) => t.top_logprobs?.length) ? lp.map((t) => (t.top_logprobs ?? []).map((e) => ({ token: e.token, logprob: e.logprob }))) : null,
        finishReason: finishReason(c.finish_reason),
      };
    }
  } else {
    const r = CompletionResponse.parse(json);
    model = r.model ?? null;
    usageTokens = r.usage?.completion_tokens ?? null;
    for (const c of r.choices) {
      const lp = c.logprobs ?? null;
      // vLLM gives null for a token it has no log-prob for (e.g. an echoed first prompt token)
      const tokenLogprobs = lp && lp.token_logprobs.every((x) => x !== null) ? (lp.token_logprobs as number[]) : null;
      out[c.index] = {
        text: c.text,
        tokenIds: null,
        tokens: lp ? lp.tokens : null,
        tokenLogprobs,
        logprobSum: tokenLogprobs ? sum(tokenLogprobs) : null,
        topLogprobs: lp?.top_logprobs ? lp.top_logprobs.map((d) => Object.entries(d ?? {}).map(([token, logprob]) => ({ token, logprob })).sort((a, b) => b.logprob - a.logprob)) : null,
        finishReason: finishReason(c.finish_reason),
      };
    }
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => out[i] === undefined);
  if (missing.length || out.length !== n) throw new Error(`the response has choices for ${n - missing.length} of ${n} samples (missing index ${missing.slice(0, 5).join(', ')})`);
  // usage counts the whole response: it is one sample's count only when there is one sample
  const only = out[0];
  if (n === 1 && only && usageTokens !== null) only.tokenCount = usageTokens;
  return { samples: out, model };
}
