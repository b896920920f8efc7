/**
 * Response bodies in the OpenAI formats, log-probs as vLLM writes them: completions
 * `{tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}`; chat
 * `{content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}`.
 */
import type { EngineSample } from '../engines/engine';

const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** The completions `logprobs` object of one sample; offsets count characters from the completion's start. */
export function completionLogprobs(s: EngineSample): Record<string, unknown> {
  const tokens = s.tokens ?? [];
  const offsets: number[] = [];
  let at = 0;
  for (const t of tokens) {
    offsets.push(at);
    at += t.length;
  }
  return {
    tokens,
    token_logprobs: s.tokenLogprobs ?? [],
    // vLLM puts the sampled token in each dict too
    top_logprobs: tokens.map((t, i) => {
      const d: Record<string, number> = Object.fromEntries((s.topLogprobs?.[i] ?? []).map((e) => [e.token, e.logprob]));
      d[t] ??= s.tokenLogprobs?.[i] ?? 0;
      return d;
    }),
    text_offset: offsets,
  };
}

/** The chat `logprobs` object of one sample. */
export function chatLogprobs(s: EngineSample): Record<string, unknown> {
  return {
    content: (s.tokens ?? []).map((t, i) => ({
      token: t,
      logprob: s.tokenLogprobs?.[i] ?? 0,
      bytes: bytes(t),
      top_logprobs: (s.topLogprobs?.[i] ?? []).map((e) => ({ token: e.token, logprob: e.logprob, bytes: bytes(e.token) })),
    })),
  };
}

export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export const apiError = (message: string, o: { type?: string; param?: string | null; code?: string | null } = {}): ApiErrorBody => ({
  error: { message, type: o.type ?? 'invalid_request_error', param: o.param ?? null, code: o.code ?? null },
});
