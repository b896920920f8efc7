/**
 * `sieve bench sample --engine tfjs,llama.cpp,openai`: the real sample stage (store writes) and
 * verification, per engine, on a temp run with a fixed question set, in tokens/s. For llama.cpp
 * also the raw node-llama-cpp rate on the same GGUF outside the stage (target: in-stage ≥ 0.8×
 * raw); for openai, 1 then 2 `serve-model` replicas in their own processes (target ≥ 1.6×).
 * An engine that cannot run is reported with its message and the others go on. A benchmark, never a timed test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, mixSeed } from '@sieve/core';
import { verifySamples } from '@sieve/dataset';
import { CharTokenizer, createModel, cachedCheckpointGguf, defaultGgufCacheDir, exportCheckpointGguf, initBackend, parseModelConfig, readCheckpointConfig, saveCheckpoint, saveHfAsCheckpoint, tokenizerFromJSON } from '@sieve/model';
import { Store } from '@sieve/store';
import { generateQuestions } from '@sieve/tasks';
import type { EngineConfig } from '../engines/config';
import { loadLlamaBinding } from '../engines/llamacpp';
import { encodePrompt } from '../prompt';
import { sampleStage } from '../sample-stage';
import { rawLlamaCppRate, type RawLlamaCppFigure, type RawLlamaCppOptions } from './llamacpp-raw';
import { startReplicas } from './replicas';

export const BENCH_ENGINES = ['tfjs', 'llama.cpp', 'openai'] as const;
export type BenchEngine = (typeof BENCH_ENGINES)[number];

export interface BenchEnginesOptions {
  engines: readonly BenchEngine[];
  /** A sieve checkpoint folder, or `hf:PATH` / an HF folder; default a random char model of the quick preset's shape. */
  model?: string;
  questions: number;
  k: number;
  maxNewTokens: number;
  temperature?: number;
  /** Sequences per generation batch (tfjs, serve-model) and per store transaction. */
  batchSize: number;
  /** tfjs worker threads (0 = main thread). */
  workers: number;
  /** openai: replica counts to time, e.g. [1, 2]. */
  replicas: readonly number[];
  /** openai: requests in flight per replica. */
  concurrency: number;
  /** openai: serve-model's --batch-wait-ms (default: serve-model's). */
  batchWaitMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface EngineFigure {
  engine: BenchEngine;
  /** e.g. "tfjs (wasm)", "openai, 2 replicas". */
  label: string;
  samples: number;
  tokens: number;
  /** Sampling + verification wall time. */
  seconds: number;
  tokensPerSecond: number;
  /** Seconds of the verify pass alone (included in `seconds`). */
  verifySeconds: number;
  /** This process's CPU time ÷ `seconds`: cores the stage and verification used (for openai: the client side). */
  clientCores: number;
  /** openai through serve-model replicas: per replica, CPU time ÷ serving wall time, and sequences per generation batch. */
  replicas?: { cores: number; meanBatch: number }[];
  /** Seconds the stage took to open its engine (included in `seconds`; llama.cpp: GGUF export or cache check, tokenizer, model load, contexts). */
  engineSeconds: number;
}

export interface EngineSkipped {
  engine: BenchEngine;
  label: string;
  error: string;
}

export interface BenchEnginesResult {
  model: string;
  backend: string;
  questions: number;
  k: number;
  maxNewTokens: number;
  figures: (EngineFigure | EngineSkipped)[];
  /** The raw llama.cpp rate outside the stage (decoding only; loading and context creation apart), or why it was not measured; null when llama.cpp was not asked for. */
  llamaCppRaw: RawLlamaCppFigure | { error: string } | null;
  /**
   * Seconds to load the llama.cpp binding, once per process, before either llama.cpp figure is
   * timed (importing node-llama-cpp and its child-process test of the binary: 1–2 s whatever the
   * model, paid by the first llama.cpp stage of a process only); null when llama.cpp was not asked
   * for. A short decode then warms llama.cpp up (in neither figure: the first decode of a process
   * ran at about 0.7× the next ones, whichever side went first).
   */
  llamaCppBindingSeconds: number | null;
  /**
   * llama.cpp in-stage tokens/s end to end (opening the engine included) ÷ the raw decoding rate
   * (its load + contexts not included), when both ran: on a short benchmark mostly the engine's setup.
   */
  llamaCppInStageOverRaw: number | null;
  /**
   * Like for like (target ≥ 0.8): the stage's tokens/s once its engine is open (sampling,
   * verification and store writes) ÷ the raw decoding rate; neither includes loading the model and
   * creating the contexts.
   */
  llamaCppInStageOverRawAfterSetup: number | null;
  /** openai tokens/s with the most replicas ÷ with the fewest (target ≥ 1.6 for 2 vs 1). */
  openaiReplicaSpeedup: number | null;
  loadAverage: { before: number[]; after: number[] };
}

/** New tokens per context of the llama.cpp warm-up decode. */
const WARM_UP_TOKENS = 4;

const isFigure = (f: EngineFigure | EngineSkipped): f is EngineFigure => !('error' in f);
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The model as checkpoint `<run>/models/base`, registered as `base`; returns a description. */
async function prepareModel(store: Store, runDir: string, model: string | undefined): Promise<string> {
  const out = path.join(runDir, 'models', 'base');
  const hf = model?.startsWith('hf:') ? model.slice(3) : model && fs.existsSync(path.join(model, 'config.json')) && !fs.existsSync(path.join(model, 'manifest.json')) ? model : null;
  let config: Record<string, unknown>;
  let what: string;
  if (hf) {
    const saved = await saveHfAsCheckpoint(hf, out);
    config = { ...saved.config };
    what = `${saved.arch} from ${path.resolve(hf)}`;
  } else if (model) {
    if (!fs.existsSync(path.join(model, 'manifest.json'))) throw new InputError(`${model} is neither a sieve checkpoint (manifest.json) nor a Hugging Face folder (config.json)`, { where: '--model' });
    fs.cpSync(model, out, { recursive: true });
    config = {};
    what = path.resolve(model);
  } else {
    // No pretrained char model is at hand in a fresh checkout: a random one of the quick preset's shape (throughput does not depend on the weights).
    const tokenizer = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?$%<>()\nQA' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ']);
    const c = parseModelConfig({ vocabSize: tokenizer.vocabSize, dim: 32, layers: 2, heads: 2, kvHeads: 2, mlpDim: 64, contextLength: 512 }, 'bench model');
    const m = createModel(c, { seed: 1 });
    await saveCheckpoint(out, { config: c, tokenizer, params: m.params });
    m.dispose();
    config = { ...c };
    what = 'a random char model of the quick preset’s shape (2×32, context 512)';
  }
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config, parentId: null, meta: {} });
  return what;
}

/**
 * The samples the stage draws for `base` (its questions, prompt ids, seeds mixSeed(seed, question,
 * index), sampling settings and context size as the llama.cpp engine sets it), for the raw rate.
 */
function rawJobsLikeTheStage(
  store: Store,
  modelDir: string,
  base: { set: string; split: string; k: number; seed: number; temperature: number; topK: number; topP: number; maxNewTokens: number },
): Pick<RawLlamaCppOptions, 'jobs' | 'maxNewTokens' | 'temperature' | 'topK' | 'topP' | 'vocabSize' | 'contextSize'> {
  const config = readCheckpointConfig(modelDir);
  const tokenizerFile = path.join(modelDir, 'tokenizer.json');
  const tokenizer = tokenizerFromJSON(JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')), tokenizerFile);
  const jobs = store.questions.list({ set: base.set, split: base.split }).flatMap((q) => {
    const prompt = encodePrompt(tokenizer, q.text);
    return Array.from({ length: base.k }, (_, i) => ({ prompt, seed: mixSeed(base.seed, q.id, i) }));
  });
  return { jobs, maxNewTokens: base.maxNewTokens, temperature: base.temperature, topK: base.topK, topP: base.topP, vocabSize: config.vocabSize, contextSize: Math.min(config.contextLength, 2048) };
}

/**
 * Runs the benchmark in a temp run folder (removed afterwards).
 * @throws InputError for bad sizes or a model path that is no model.
 */
export async function benchSampleEngines(o: BenchEnginesOptions): Promise<BenchEnginesResult> {
  const log = o.log ?? (() => undefined);
  for (const [flag, v, min] of [['--questions', o.questions, 1], ['--k', o.k, 1], ['--max-new-tokens', o.maxNewTokens, 1], ['--batch-size', o.batchSize, 1], ['--workers', o.workers, 0], ['--concurrency', o.concurrency, 1], ...o.replicas.map((r) => ['--replicas', r, 1] as const)] as const) {
    if (!Number.isInteger(v) || v < min) throw new InputError(`${flag} must be an integer ≥ ${min}, got ${v}`, { where: flag });
  }
  const before = os.loadavg();
  const backend = await initBackend();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-bench-engines-'));
  const store = Store.open(path.join(runDir, 'sieve.sqlite'));
  try {
    const modelWhat = await prepareModel(store, runDir, o.model);
    const questions = generateQuestions({ count: o.questions, seed: o.seed ?? 1, split: 'train' });
    store.questions.insertMany('bench', 'train', 'generator', questions);
    const base = { modelId: 'base', runDir, set: 'bench', split: 'train', k: o.k, temperature: o.temperature ?? 1, topP: 1, topK: 0, maxNewTokens: o.maxNewTokens, batchSize: o.batchSize, workers: o.workers, seed: o.seed ?? 1 };

    const figures: BenchEnginesResult['figures'] = [];
    const timeStage = async (engine: BenchEngine, label: string, config: EngineConfig): Promise<EngineFigure | null> => {
      log(`${label}: ${o.questions} questions × ${o.k}, ≤ ${o.maxNewTokens} tokens…`);
      const runName = `bench-${figures.length}`;
      try {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const stage = await sampleStage(store, { ...base, runName, engine: config });
        const v0 = performance.now();
        verifySamples(store, { runName });
        const t1 = performance.now();
        const run = store.samples.getRun(runName);
        const rows = run ? store.samples.list(run.id) : [];
        const tokens = rows.reduce((n, r) => n + r.tokenCount, 0);
        const cpu = process.cpuUsage(cpu0);
        const seconds = (t1 - t0) / 1000;
        const f: EngineFigure = { engine, label, samples: rows.length, tokens, seconds, tokensPerSecond: tokens / seconds, verifySeconds: (t1 - v0) / 1000, engineSeconds: stage.engineSeconds, clientCores: (cpu.user + cpu.system) / 1e6 / seconds };
        figures.push(f);
        log(`${label}: ${f.tokensPerSecond.toFixed(0)} tokens/s`);
        return f;
      } catch (err) {
        figures.push({ engine, label, error: message(err) });
        log(`${label}: cannot run: ${message(err)}`);
        return null;
      }
    };

    let llamaCppRaw: BenchEnginesResult['llamaCppRaw'] = null;
    let llamaCppBindingSeconds: number | null = null;
    for (const engine of o.engines) {
      if (engine === 'tfjs') await timeStage('tfjs', `tfjs (${backend.name}, ${o.workers} worker(s))`, { kind: 'tfjs' });
      else if (engine === 'llama.cpp') {
        const sequences = Math.min(o.batchSize, o.questions * o.k, 1024); // no more contexts than samples, in the stage and raw alike
        const modelDir = path.join(runDir, 'models', 'base');
        const jobs = rawJobsLikeTheStage(store, modelDir, base);
        try {
          // Once per process, before either figure: the binding, and a few tokens per context on a GGUF
          // of its own (the stage still exports its own), so neither side pays the first decode's warm-up.
          const b0 = performance.now();
          await loadLlamaBinding(false);
          llamaCppBindingSeconds = (performance.now() - b0) / 1000;
          const warm = path.join(runDir, 'warm-up.gguf');
          await exportCheckpointGguf(modelDir, warm, { dtype: 'F32' });
          await rawLlamaCppRate({ gguf: warm, ...jobs, jobs: jobs.jobs.slice(0, sequences), maxNewTokens: WARM_UP_TOKENS, sequences, threads: 0, stallSeconds: 120 });
          log(`llama.cpp binding loaded in ${llamaCppBindingSeconds.toFixed(2)} s and warmed up (once per process; in neither rate)`);
        } catch (err) {
          log(`llama.cpp warm-up: ${message(err)}`); // the stage reports it as its own error below
        }
        await timeStage('llama.cpp', `llama.cpp (in the stage, ${sequences} sequences)`, { kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp', sequences });
        try {
          const gguf = (await cachedCheckpointGguf(modelDir, defaultGgufCacheDir(modelDir), 'F32')).path; // the stage's export: the same file
          log('llama.cpp raw (node-llama-cpp directly, outside the stage)…');
          llamaCppRaw = await rawLlamaCppRate({ gguf, ...jobs, sequences, threads: 0, stallSeconds: 120 });
          log(`llama.cpp raw: ${llamaCppRaw.tokensPerSecond.toFixed(0)} tokens/s (load + ${sequences} contexts apart: ${llamaCppRaw.setupSeconds.toFixed(2)} s)`);
        } catch (err) {
          llamaCppRaw = { error: message(err) };
        }
      } else {
        for (const n of [...new Set(o.replicas)].sort((a, b) => a - b)) {
          const label = `openai, ${n} serve-model replica(s), each one thread in its own session (stand-ins for separate machines), ${o.concurrency} requests in flight each`;
          let replicas;
          try {
            replicas = await startReplicas(n, path.join(runDir, 'models', 'base'), 'base', o.batchSize, o.batchWaitMs);
          } catch (err) {
            figures.push({ engine: 'openai', label, error: message(err) });
            continue;
          }
          let f: EngineFigure | null = null;
          try {
            f = await timeStage('openai', label, { kind: 'openai', model: 'base', endpoints: replicas.urls.map((baseUrl) => ({ baseUrl, concurrency: o.concurrency })) });
          } finally {
            const usage = await replicas.close();
            if (f) f.replicas = usage.map((u) => (u ? { cores: u.cpuSeconds / u.wallSeconds, meanBatch: u.sequences / Math.max(1, u.batches) } : { cores: NaN, meanBatch: NaN }));
          }
        }
      }
    }
    const ok = figures.filter(isFigure);
    const inStage = ok.find((f) => f.engine === 'llama.cpp');
    const openai = ok.filter((f) => f.engine === 'openai');
    const [fewest, most] = [openai[0], openai[openai.length - 1]];
    const rawRate = llamaCppRaw && 'tokensPerSecond' in llamaCppRaw ? llamaCppRaw.tokensPerSecond : null;
    return {
      model: modelWhat,
      backend: backend.name,
      questions: o.questions,
      k: o.k,
      maxNewTokens: o.maxNewTokens,
      figures,
      llamaCppRaw,
      llamaCppBindingSeconds,
      llamaCppInStageOverRaw: inStage && rawRate ? inStage.tokensPerSecond / rawRate : null,
      llamaCppInStageOverRawAfterSetup: inStage && rawRate ? inStage.tokens / (inStage.seconds - inStage.engineSeconds) / rawRate : null,
      openaiReplicaSpeedup: fewest && most && openai.length > 1 ? most.tokensPerSecond / fewest.tokensPerSecond : null,
      loadAverage: { before, after: os.loadavg() },
    };
  } finally {
    store.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
