/**
 * The request bodies `sieve serve-model` accepts: OpenAI's /v1/completions and /v1/chat/completions
 * with vLLM's extras (top_k, min_p accepted only at their "off" values since the tfjs engine has no
 * min-p). Unknown fields are ignored, as OpenAI-compatible servers do; fields that would change the
 * output and are not implemented are refused by name.
 */
import { z } from 'zod';

const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullish();
const common = {
  model: z.string().min(1),
  n: z.number().int().min(1).max(256).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  // vLLM: -1 (or 0) = off
  top_k: z.number().int().min(-1).nullish(),
  min_p: z.literal(0).nullish(),
  seed: z.number().int().nullish(),
  stop,
  stream: z.literal(false, { message: 'streaming is not supported by sieve serve-model' }).nullish(),
  frequency_penalty: z.literal(0, { message: 'penalties are not supported' }).nullish(),
  presence_penalty: z.literal(0, { message: 'penalties are not supported' }).nullish(),
  logit_bias: z.record(z.string(), z.number()).refine((b) => Object.keys(b).length === 0, 'logit_bias is not supported').nullish(),
};

export const CompletionRequest = z.object({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
  max_tokens: z.number().int().min(1).nullish(),
  /** How many alternatives per position (vLLM allows up to 20). */
  logprobs: z.number().int().min(0).max(20).nullish(),
  echo: z.literal(false, { message: 'echo is not supported' }).nullish(),
  suffix: z.null({ message: 'suffix is not supported' }).nullish(),
  best_of: z.number().int().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const ChatRequest = z.object({
  ...common,
  messages: z.array(Message).min(1),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;
