/**
 * Which engine a stage samples with: the `engine` option of the sample and eval stages (and the
 * `--engine` flags of `sieve sample` / `sieve eval`), and opening it.
 *
 * An engine config has two halves:
 *  - its identity (kind, the server's model name, request extras): it decides the samples, so it is
 *    in the stage's fingerprint and in the sample run's params (`engineIdentity`);
 *  - how to reach it (base URLs, concurrency per URL, the API key's variable, timeout and retries): it does
 *    not change a sample — per-sample seeds make every sample the same on any replica — so it is
 *    kept out of the fingerprint: adding a replica or raising the concurrency resumes a killed
 *    stage instead of starting it over. The pipeline hands it to the stages beside the fingerprinted
 *    slice, in `EngineEnv.engines` (see libs/pipeline/src/run.ts).
 */
import { z } from 'zod';
import { InputError, SieveError, stableStringify } from '@sieve/core';
import { openLlamaCppEngine, type LlamaCppSamplingEngine } from './llamacpp';
import { openOpenAIEngine, type OpenAISamplingEngine } from './openai';
import { openTfjsEngine, type TfjsSamplingEngine } from './tfjs';

const int = (lo = 0, hi = Number.MAX_SAFE_INTEGER) => z.number().int().min(lo).max(hi);

export const EndpointSchema = z.strictObject({
  baseUrl: z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, 'must be an http(s) URL up to /v1, e.g. http://127.0.0.1:8000/v1')
    .describe('base URL of an OpenAI-compatible server, up to and including /v1'),
  concurrency: int(1, 4096).default(8).describe('requests in flight at once on this URL'),
});

const TfjsEngineSchema = z.strictObject({ kind: z.literal('tfjs') });

const OpenAIEngineSchema = z.strictObject({
  kind: z.literal('openai'),
  endpoints: z.array(EndpointSchema).min(1).describe('one base URL per replica (not fingerprinted: where to send requests does not change a sample)'),
  model: z.string().min(1).describe('the model name the server serves (its /v1/models id); "{model}" is replaced by the evaluated model id'),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
    .optional()
    .describe('name of the environment variable holding the API key (the key itself is never stored)'),
  extra: z.record(z.string(), z.unknown()).optional().describe('fields added to every request, e.g. {"min_p": 0.05} (fingerprinted)'),
  timeoutMs: int(1).optional().describe('per HTTP attempt, in ms (default 10 minutes)'),
  retry: z
    .strictObject({
      maxRetries: int(0, 100).optional().describe('attempts after the first (default 6)'),
      baseDelayMs: int(0).optional().describe('first backoff in ms, doubled per attempt, with full jitter (default 500)'),
      maxDelayMs: int(0).optional().describe('largest backoff in ms (default 30 s)'),
    })
    .optional()
    .describe('retries on 429, 5xx, timeouts and broken connections (not fingerprinted)'),
});

const LlamaCppEngineSchema = z.strictObject({
  kind: z.literal('llama.cpp'),
  dtype: z.enum(['f32', 'f16']).default('f32').describe('weights of the GGUF export: f32 (log-probs as sieve\'s forward) or f16 (half the memory); fingerprinted'),
  sampler: z
    .enum(['llama.cpp', 'sieve'])
    .default('llama.cpp')
    .describe("which code picks the tokens: llama.cpp's own seeded sampler (fast) or sieve's (the tfjs engine's exact tokens, slow with a large vocabulary); fingerprinted"),
  sequences: int(1, 1024).optional().describe('samples in flight, one llama.cpp context each (default 8; not fingerprinted)'),
  threads: int(0, 1024).optional().describe('CPU threads in all, shared by the contexts; 0 = all cores (default; not fingerprinted)'),
  contextSize: int(16).optional().describe('tokens per sequence, prompt + completion (default min(model context, 2048); not fingerprinted)'),
  cacheDir: z.string().min(1).optional().describe('folder of cached GGUF exports (default <run>/cache/gguf; not fingerprinted)'),
  gpu: z.boolean().optional().describe("use an installed CUDA/Vulkan/Metal build of llama.cpp (default false: the CPU build; not fingerprinted)"),
});

/** `engine` in the sample and eval options. Default `{ kind: 'tfjs' }`. */
export const EngineConfigSchema = z
  .discriminatedUnion('kind', [TfjsEngineSchema, OpenAIEngineSchema, LlamaCppEngineSchema])
  .default({ kind: 'tfjs' })
  .describe('the sampling engine: {"kind": "tfjs"}, {"kind": "llama.cpp"} (in process) or {"kind": "openai", "endpoints": [{"baseUrl": …}], "model": …}');
export type EngineConfig = z.output<typeof EngineConfigSchema>;
export type EngineConfigInput = z.input<typeof EngineConfigSchema>;
export type OpenAIEngineConfig = z.output<typeof OpenAIEngineSchema>;
export type LlamaCppEngineConfig = z.output<typeof LlamaCppEngineSchema>;

/** What of an engine config decides the samples: the fingerprinted part. */
export type EngineIdentity = { kind: 'tfjs' } | { kind: 'openai'; model: string; extra: Record<string, unknown> } | { kind: 'llama.cpp'; dtype: 'f32' | 'f16'; sampler: 'llama.cpp' | 'sieve' };

/**
 * The fingerprinted half of an engine config (no URL, concurrency, key variable or timeout; for
 * llama.cpp the GGUF dtype and the sampler: sequences, threads, context size and the cache folder do not
 * change a sample, whose tokens depend only on its prompt, seed and the model's logits).
 */
export function engineIdentity(c: EngineConfig): EngineIdentity {
  if (c.kind === 'openai') return { kind: 'openai', model: c.model, extra: c.extra ?? {} };
  if (c.kind === 'llama.cpp') return { kind: 'llama.cpp', dtype: c.dtype, sampler: c.sampler };
  return { kind: 'tfjs' };
}

/**
 * What a pipeline stage receives beside its fingerprinted slice: the whole engine config of each
 * stage that samples, by stage name ('sample', 'eval'). Set by the pipeline from its config.
 */
export interface EngineEnv {
  engines?: Readonly<Record<string, EngineConfig>>;
}

/**
 * The full engine config of a stage: the slice's identity joined with how to reach it from `env`.
 * Throws a SieveError when the two disagree or the openai endpoints were not passed.
 */
export function stageEngine(identity: EngineIdentity, env: EngineEnv, stage: string): EngineConfig {
  if (identity.kind === 'tfjs') return { kind: 'tfjs' };
  const full = env.engines?.[stage];
  // llama.cpp needs nothing beyond its identity: without the full config it runs with the defaults
  if (identity.kind === 'llama.cpp') {
    return full?.kind === 'llama.cpp' && full.dtype === identity.dtype && full.sampler === identity.sampler ? full : { kind: 'llama.cpp', dtype: identity.dtype, sampler: identity.sampler };
  }
  if (!full || stableStringify(engineIdentity(full)) !== stableStringify(identity)) {
    throw new SieveError(`the ${stage} stage samples with the openai engine but was given no matching endpoints`, {
      where: `${stage}.engine`,
      hint: 'run it through `sieve run` (runPipeline), which passes the engine config beside the fingerprinted slice',
    });
  }
  return full;
}

/** Replaces `{model}` in an openai model name by the evaluated model's id (one served model per checkpoint). */
export function withModelId(c: EngineConfig, modelId: string): EngineConfig {
  return c.kind === 'openai' ? { ...c, model: c.model.replaceAll('{model}', modelId) } : c;
}

export interface OpenSamplingEngineOptions {
  /** The checkpoint the tfjs and llama.cpp engines load (ignored by openai: the server has its model). */
  checkpointDir: string;
  /** tfjs: worker threads (0 = this thread). */
  workers: number;
  /** tfjs: sequences per generation batch. */
  batchSize: number;
  backend?: string;
  /** Progress lines (llama.cpp: when the GGUF is exported). */
  log?: (line: string) => void;
}

export type OpenedEngine = TfjsSamplingEngine | OpenAISamplingEngine | LlamaCppSamplingEngine;

/** The tfjs engine (its generator's backend and workers are there to read). */
export const isTfjsEngine = (e: OpenedEngine): e is TfjsSamplingEngine => e.kind === 'tfjs';

/** Opens the engine a config names. */
export async function openSamplingEngine(c: EngineConfig, o: OpenSamplingEngineOptions): Promise<OpenedEngine> {
  switch (c.kind) {
    case 'tfjs':
      return openTfjsEngine({ checkpointDir: o.checkpointDir, workers: o.workers, batchSize: o.batchSize, ...(o.backend ? { backend: o.backend } : {}) });
    case 'openai':
      return openOpenAIEngine({
        endpoints: c.endpoints,
        model: c.model,
        ...(c.apiKeyEnv !== undefined ? { apiKeyEnv: c.apiKeyEnv } : {}),
        ...(c.extra !== undefined ? { extra: c.extra } : {}),
        ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
        ...(c.retry !== undefined ? { retry: Object.fromEntries(Object.entries(c.retry).filter(([, v]) => v !== undefined)) } : {}),
      });
    case 'llama.cpp':
      return openLlamaCppEngine({
        checkpointDir: o.checkpointDir,
        dtype: c.dtype === 'f16' ? 'F16' : 'F32',
        sampler: c.sampler,
        ...(c.sequences !== undefined ? { sequences: c.sequences } : {}),
        ...(c.threads !== undefined ? { threads: c.threads } : {}),
        ...(c.contextSize !== undefined ? { contextSize: c.contextSize } : {}),
        ...(c.cacheDir !== undefined ? { cacheDir: c.cacheDir } : {}),
        ...(c.gpu !== undefined ? { gpu: c.gpu } : {}),
        ...(o.log ? { log: o.log } : {}),
      });
  }
}

/** Parses an engine config at an edge (a CLI's flags); every problem is named in the message. */
export function parseEngineConfig(raw: unknown, where: string): EngineConfig {
  const res = EngineConfigSchema.safeParse(raw);
  if (res.success) return res.data;
  const problems = res.error.issues.map((i) => `${['engine', ...i.path.map(String)].join('.')}: ${i.message}`);
  throw new InputError(problems.join('; '), { where, hint: 'engines: {"kind": "tfjs"}, {"kind": "llama.cpp"} or {"kind": "openai", "endpoints": [{"baseUrl": "http://HOST:8000/v1"}], "model": NAME}' });
}
