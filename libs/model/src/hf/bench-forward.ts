/**
 * `sieve bench forward`: prefill and decode tokens/s of sieve's forward against llama.cpp on the
 * GGUF export of the same weights, with loading time and peak RSS. Each side runs in a child
 * process (bench-forward-child.ts) so the two peak RSS figures are separate; the sieve side also
 * writes the GGUF export (after its figures are taken). A benchmark, never a timed test.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, rebuildError, SieveError, type SerializedError } from '@sieve/core';
import type { ForwardSideResult, LlamaCppSideOptions, SieveSideOptions } from './bench-forward-sides';

export type { ForwardSideResult };

export interface BenchForwardOptions {
  /** HF folder (`hf:` prefix allowed) or sieve checkpoint folder. */
  model: string;
  /** Prompt tokens prefilled at batch 1 (default 64). */
  promptTokens?: number;
  /** Tokens decoded greedily at batch 1 after the prompt (default 32). */
  decodeTokens?: number;
  /** llama.cpp threads (default: the machine's cores). tfjs in Node computes on one thread. */
  threads?: number;
  /** GGUF type of the export llama.cpp runs (default F32: the same float32 weights sieve computes with). */
  ggufDtype?: 'F32' | 'F16';
  log?: (line: string) => void;
}

export interface BenchForwardResult {
  model: string;
  sieve: ForwardSideResult;
  llamaCpp: ForwardSideResult;
  ggufDtype: 'F32' | 'F16';
  /** sieve tokens/s ÷ llama.cpp tokens/s. */
  ratio: { prefill: number; decode: number };
  loadAverage: { before: number[]; after: number[] };
}

type ChildReply<T> = { ok: true; result: T } | { ok: false; error: SerializedError };

/** Runs one side in a fresh Node process (tsx loader, the repo's path aliases); stderr is passed to `log`. */
function runSide<T>(job: Record<string, unknown>, log: (line: string) => void): Promise<T> {
  const entry = fileURLToPath(new URL('./bench-forward-child.ts', import.meta.url));
  const tsconfig = process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(job)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const l of d.toString().split('\n')) if (l.trim()) log(`  [${String(job['side'])}] ${l}`);
  });
  return new Promise<T>((resolve, reject) => {
    child.once('error', (e) => reject(new SieveError(`cannot start the ${String(job['side'])} benchmark process`, { cause: e })));
    child.once('exit', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      let reply: ChildReply<T> | null = null;
      try {
        reply = JSON.parse(line) as ChildReply<T>;
      } catch {
        reply = null;
      }
      if (reply?.ok) resolve(reply.result);
      else if (reply && !reply.ok) reject(rebuildError(reply.error, `bench forward (${String(job['side'])})`));
      else {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new SieveError(`the ${String(job['side'])} benchmark process ${why}`, { hint: signal === 'SIGKILL' ? 'out of memory? try a smaller model' : undefined, cause: err.trim() || undefined }));
      }
    });
  });
}

/**
 * Measures both engines on the model, each in its own process, one after the other.
 * @throws InputError for bad sizes or a folder that is no model; SieveError when a side fails.
 */
export async function benchForward(o: BenchForwardOptions): Promise<BenchForwardResult> {
  const log = o.log ?? (() => undefined);
  const promptTokens = o.promptTokens ?? 64;
  const decodeTokens = o.decodeTokens ?? 32;
  const threads = o.threads ?? os.cpus().length;
  const ggufDtype = o.ggufDtype ?? 'F32';
  for (const [flag, v] of [['--prompt-tokens', promptTokens], ['--decode-tokens', decodeTokens], ['--threads', threads]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${flag} must be an integer ≥ 1, got ${v}`, { where: flag });
  }
  if (promptTokens < 3) throw new InputError(`--prompt-tokens must be ≥ 3 (the warm-up uses 3), got ${promptTokens}`, { where: '--prompt-tokens' });
  const modelDir = path.resolve(o.model.replace(/^hf:/, ''));
  if (!fs.existsSync(modelDir)) throw new InputError(`model folder not found: ${modelDir}`, { where: '--model' });
  const before = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-bench-forward-'));
  try {
    const gguf = path.join(tmp, 'model.gguf');
    log(`sieve: loading ${modelDir}, prefill ${promptTokens}, decode ${decodeTokens}, then GGUF ${ggufDtype} export…`);
    const sieveJob: SieveSideOptions = { modelDir, promptTokens, decodeTokens, ggufOut: gguf, ggufDtype };
    const { prompt, ...sieve } = await runSide<ForwardSideResult & { prompt: number[] }>({ side: 'sieve', ...sieveJob }, log);
    log(`sieve: prefill ${sieve.prefillTokensPerSecond.toFixed(1)} tokens/s, decode ${sieve.decodeTokensPerSecond.toFixed(1)} tokens/s`);
    log(`llama.cpp: loading the export (${threads} threads)…`);
    const llamaJob: LlamaCppSideOptions = { gguf, prompt, decodeTokens, threads };
    const llamaCpp = await runSide<ForwardSideResult>({ side: 'llama.cpp', ...llamaJob }, log);
    log(`llama.cpp: prefill ${llamaCpp.prefillTokensPerSecond.toFixed(1)} tokens/s, decode ${llamaCpp.decodeTokensPerSecond.toFixed(1)} tokens/s`);
    return {
      model: modelDir,
      sieve,
      llamaCpp,
      ggufDtype,
      ratio: { prefill: sieve.prefillTokensPerSecond / llamaCpp.prefillTokensPerSecond, decode: sieve.decodeTokensPerSecond / llamaCpp.decodeTokensPerSecond },
      loadAverage: { before, after: os.loadavg() },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
