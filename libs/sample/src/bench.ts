/**
 * Generation throughput (for `sieve bench sample`): batched decoding with the KV cache against the
 * uncached baseline (whole sequence recomputed every step) on the same model and prompts, and the
 * cached engine with 1, 2, … worker threads. Every sequence runs exactly `newTokens` (EOS ignored).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng, InputError } from '@sieve/core';
import { CharTokenizer, createModel, initBackend, loadCheckpoint, parseModelConfig, saveCheckpoint, type ModelConfig, type Tokenizer, type Transformer } from '@sieve/model';
import { openEngine } from './engine';
import { generate } from './generate';
import { generateUncached } from './generate-uncached';
import type { GenerateParams, GenRequest, GenResult } from './sequence';

export interface BenchSampleOptions {
  /** A checkpoint folder, or else a random model of this shape. */
  checkpointDir?: string;
  shape?: { layers: number; dim: number; heads: number; kvHeads?: number; mlpDim: number; vocabSize: number };
  batch: number;
  newTokens: number;
  promptLen: number;
  /** Worker counts to time the cached engine with, e.g. [1, 2]. */
  workers: number[];
  /** Batch of the uncached baseline (default: `batch`); smaller keeps it affordable. */
  baselineBatch?: number;
  /** Skip the uncached baseline. */
  skipBaseline?: boolean;
  seed?: number;
  log?: (line: string) => void;
}

export interface ThroughputFigure {
  sequences: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
}

export interface BenchSampleResult {
  backend: string;
  model: ModelConfig;
  batch: number;
  promptLen: number;
  newTokens: number;
  cached: ThroughputFigure;
  uncached: (ThroughputFigure & { sameTokens: boolean }) | null;
  /** cached / uncached tokens per second. */
  cacheSpeedup: number | null;
  /** Per worker count: `workers` jobs of `batch` sequences in all, spread over the workers. */
  workers: (ThroughputFigure & { workers: number })[];
  /** tokens/s with the most workers / with the fewest. */
  workerSpeedup: number | null;
  loadAverage: { before: number[]; after: number[] };
}

/** A tokenizer of exactly `vocabSize` ids (specials + placeholder characters). */
function placeholderTokenizer(vocabSize: number): Tokenizer {
  return CharTokenizer.fromCorpus([Array.from({ length: vocabSize - 4 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('')]);
}

function figure(results: GenResult[], seconds: number): ThroughputFigure {
  const tokens = results.reduce((n, r) => n + r.tokens.length, 0);
  return { sequences: results.length, tokens, seconds, tokensPerSecond: tokens / seconds };
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, (performance.now() - t0) / 1000];
}

async function modelFor(o: BenchSampleOptions, dir: string): Promise<{ model: Transformer; tokenizer: Tokenizer; checkpointDir: string }> {
  if (o.checkpointDir) {
    const ck = await loadCheckpoint(o.checkpointDir);
    return { model: ck.model, tokenizer: ck.tokenizer, checkpointDir: o.checkpointDir };
  }
  const s = o.shape;
  if (!s) throw new InputError('bench sample needs a checkpoint or a model shape', { hint: 'pass --model DIR or --layers/--dim/--heads/--mlp/--vocab' });
  const config = parseModelConfig({ ...s, kvHeads: s.kvHeads ?? s.heads, contextLength: o.promptLen + o.newTokens }, 'bench sample shape');
  const model = createModel(config, { seed: o.seed ?? 1 });
  const tokenizer = placeholderTokenizer(config.vocabSize);
  const checkpointDir = path.join(dir, 'model');
  await saveCheckpoint(checkpointDir, { config, tokenizer, params: model.params }); // for the workers
  return { model, tokenizer, checkpointDir };
}

export async function benchSample(o: BenchSampleOptions): Promise<BenchSampleResult> {
  const log = o.log ?? (() => undefined);
  for (const [flag, v, min] of [['--batch', o.batch, 1], ['--new-tokens', o.newTokens, 1], ['--prompt-len', o.promptLen, 1], ...o.workers.map((w) => ['--workers', w, 1] as const)] as const) {
    if (!Number.isInteger(v) || v < min) throw new InputError(`${flag} must be an integer ≥ ${min}, got ${v}`, { where: flag });
  }
  const before = os.loadavg();
  const info = await initBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-bench-sample-'));
  try {
    const { model, tokenizer, checkpointDir } = await modelFor(o, tmp);
    const c = model.config;
    if (o.promptLen + o.newTokens > c.contextLength) {
      throw new InputError(`prompt length ${o.promptLen} + new tokens ${o.newTokens} exceed the model's context length ${c.contextLength}`, { where: '--prompt-len/--new-tokens' });
    }
    const rng = createRng(o.seed ?? 1);
    const prompt = (): number[] => [tokenizer.bosId, ...Array.from({ length: o.promptLen - 1 }, () => rng.int(4, c.vocabSize - 1))];
    const requests: GenRequest[] = Array.from({ length: o.batch }, (_, i) => ({ prompt: prompt(), seed: i + 1 }));
    const params: GenerateParams = { temperature: 1, topK: 0, topP: 1, maxNewTokens: o.newTokens, ignoreEos: true };

    generate(model, tokenizer, requests.slice(0, 2), { ...params, maxNewTokens: 2 }); // warm-up
    log(`cached: batch ${o.batch}, ${o.newTokens} new tokens…`);
    const [cachedOut, cachedSecs] = time(() => generate(model, tokenizer, requests, params));
    const cached = figure(cachedOut, cachedSecs);
    log(`cached: ${cached.tokensPerSecond.toFixed(0)} tokens/s`);

    let uncached: BenchSampleResult['uncached'] = null;
    if (!o.skipBaseline) {
      const sub = requests.slice(0, o.baselineBatch ?? o.batch);
      log(`uncached: batch ${sub.length}…`);
      const [out, secs] = time(() => generateUncached(model, tokenizer, sub, params));
      uncached = { ...figure(out, secs), sameTokens: out.every((r, i) => r.tokens.join() === cachedOut[i]?.tokens.join()) };
      log(`uncached: ${uncached.tokensPerSecond.toFixed(0)} tokens/s`);
    }
    model.dispose();

    const counts = [...new Set(o.workers)].sort((a, b) => a - b);
    const jobs = Math.max(1, ...counts); // the same work for every worker count
    const workers: BenchSampleResult['workers'] = [];
    for (const w of counts) {
      const engine = await openEngine({ checkpointDir, workers: w, backend: info.name });
      try {
        await Promise.all(Array.from({ length: w }, () => engine.run(requests.slice(0, 2), { ...params, maxNewTokens: 2 }))); // warm every worker
        log(`${w} worker(s): ${jobs} jobs of ${o.batch}…`);
        const t0 = performance.now();
        const out = await Promise.all(Array.from({ length: jobs }, (_, j) => engine.run(requests.map((r) => ({ ...r, seed: r.seed + j * o.batch })), params)));
        const f = figure(out.flat(), (performance.now() - t0) / 1000);
        workers.push({ workers: w, ...f });
        log(`${w} worker(s): ${f.tokensPerSecond.toFixed(0)} tokens/s`);
      } finally {
        await engine.close();
      }
    }
    const fewest = workers[0];
    const most = workers[workers.length - 1];
    return {
      backend: info.name,
      model: c,
      batch: o.batch,
      promptLen: o.promptLen,
      newTokens: o.newTokens,
      cached,
      uncached,
      cacheSpeedup: uncached ? cached.tokensPerSecond / uncached.tokensPerSecond : null,
      workers,
      workerSpeedup: fewest && most && workers.length > 1 ? most.tokensPerSecond / fewest.tokensPerSecond : null,
      loadAverage: { before, after: os.loadavg() },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
