/** The engine flags of `sieve sample` and `sieve eval`: --engine, --endpoint, --concurrency, --api-model, --api-key-env, --gguf-dtype, --llama-sampler, --llama-threads, --llama-sequences. */
import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { parseEngineConfig, type EngineConfig } from '@sieve/sample';
import { intOption } from './parse';

export interface EngineFlags {
  engine: string;
  endpoint?: string;
  concurrency: number;
  apiModel?: string;
  apiKeyEnv?: string;
  ggufDtype?: string;
  llamaSampler?: string;
  llamaThreads?: number;
  llamaSequences?: number;
}

export function engineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <kind>', 'sampling engine: tfjs (in process), llama.cpp (in process, the checkpoint exported to GGUF once) or openai (any OpenAI-compatible server: vLLM, SGLang, llama.cpp server, sieve serve-model)', 'tfjs')
    .option('--endpoint <urls>', 'openai: base URL(s) up to /v1, comma-separated (one per replica), e.g. http://127.0.0.1:8000/v1')
    .option('--concurrency <n>', 'openai: requests in flight at once per base URL', intOption('--concurrency', 1, 4096), 8)
    .option('--api-model <name>', 'openai: the model name the server serves (its /v1/models id)')
    .option('--api-key-env <VAR>', 'openai: environment variable holding the API key (the key itself is never stored or logged)')
    .option('--gguf-dtype <dtype>', 'llama.cpp: weights of the GGUF export, f32 (default) or f16')
    .option('--llama-sampler <which>', "llama.cpp: which code picks the tokens, llama.cpp (default: its own seeded sampler, fast) or sieve (the tfjs engine's exact tokens, slow with a large vocabulary)")
    .option('--llama-threads <n>', 'llama.cpp: CPU threads (default all cores)', intOption('--llama-threads', 1, 1024))
    .option('--llama-sequences <n>', 'llama.cpp: samples in flight, one llama.cpp context each (default 8)', intOption('--llama-sequences', 1, 1024));
}

/** The engine config the flags describe (zod-checked); openai flags without --engine openai are an error. */
export function engineFromFlags(o: EngineFlags): EngineConfig {
  if (!['tfjs', 'openai', 'llama.cpp'].includes(o.engine)) throw new InputError(`--engine must be tfjs, llama.cpp or openai, got "${o.engine}"`, { where: '--engine' });
  if (o.engine !== 'llama.cpp') {
    const stray = (['ggufDtype', 'llamaSampler', 'llamaThreads', 'llamaSequences'] as const).find((k) => o[k] !== undefined);
    if (stray) throw new InputError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for --engine llama.cpp`, { where: '--engine', hint: 'add --engine llama.cpp, or drop the flag' });
  }
  if (o.engine !== 'openai') {
    const stray = (['endpoint', 'apiModel', 'apiKeyEnv'] as const).find((k) => o[k] !== undefined);
    if (stray) throw new InputError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for --engine openai`, { where: '--engine', hint: 'add --engine openai, or drop the flag' });
    if (o.engine === 'tfjs') return parseEngineConfig({ kind: 'tfjs' }, '--engine');
    const llama = { dtype: o.ggufDtype, sampler: o.llamaSampler, threads: o.llamaThreads, sequences: o.llamaSequences };
    return parseEngineConfig({ kind: 'llama.cpp', ...Object.fromEntries(Object.entries(llama).filter(([, v]) => v !== undefined)) }, '--engine llama.cpp');
  }
  if (!o.endpoint) throw new InputError('--engine openai needs --endpoint', { where: '--endpoint', hint: 'e.g. --endpoint http://127.0.0.1:8000/v1 (a vLLM server or `sieve serve-model`)' });
  if (!o.apiModel) throw new InputError('--engine openai needs --api-model', { where: '--api-model', hint: 'the model name the server lists at GET /v1/models' });
  const endpoints = o.endpoint
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((baseUrl) => ({ baseUrl, concurrency: o.concurrency }));
  return parseEngineConfig({ kind: 'openai', endpoints, model: o.apiModel, ...(o.apiKeyEnv !== undefined ? { apiKeyEnv: o.apiKeyEnv } : {}) }, '--engine openai');
}
