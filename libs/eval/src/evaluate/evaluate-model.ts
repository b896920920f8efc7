/**
 * The evaluation stage: per split, N samples per question at a temperature plus one greedy
 * sample, each verified against the gold answer; avg@N, greedy accuracy and unbiased pass@k go
 * into one `evaluations` row per split. Evaluation samples are not stored as samples (they would
 * mix with the training data's sample runs); the row's detail keeps per-question counts.
 */
import { InputError, mixSeed, SieveError } from '@sieve/core';
import { PLAIN_PROMPT, PROMPT_FORMAT_VERSION, promptRecord, questionPrompt, type PromptSpec } from '@sieve/dataset';
import { chatTokenizer } from '@sieve/model';
import { checkGenerateParams, engineIdentity, isTfjsEngine, openSamplingEngine, resolveModelDir, splitIntoBatches, type EngineConfig, type OpenedEngine, type SamplingRequest } from '@sieve/sample';
import { questionVerifier, type QuestionRow, type Store } from '@sieve/store';
import { getVerifier, verify } from '@sieve/verify';
import { summarizeEvaluation, type EvaluationSummary } from '../summary';
import { evaluationSettings, replaceEvaluation, type EvaluationSettings } from './settings';

export interface EvaluateOptions {
  modelId: string;
  /** The run folder (model paths in the store are relative to it). */
  runDir: string;
  set: string;
  splits: string[];
  /** Samples per question at `temperature` (0 = greedy only). Default 16. */
  n?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Also decode each question greedily (default true). */
  greedy?: boolean;
  /** ks for pass@k, each ≤ n. Default [1]. */
  passAtK?: number[];
  /** Grade every response with this verifier; default: each question's set's own (`meta.verifier`, else numeric). */
  verifier?: string;
  maxNewTokens: number;
  stop?: string[];
  batchSize: number;
  /** Worker threads of the tfjs engine (0 = the main thread). */
  workers: number;
  seed: number;
  backend?: string;
  /** The engine to sample with (default tfjs; an openai engine samples the model its server serves). */
  engine?: EngineConfig;
  /** The prompt format (default plain); recorded in the settings, so plain and chat evaluations stay apart. */
  prompt?: PromptSpec;
  /** Where the prompt format was set, for errors (default `model.prompt`; the CLI: `--prompt`). */
  promptWhere?: string;
  onProgress?: (p: EvaluateProgress) => void;
}

export interface EvaluateProgress {
  /** Questions with every generation finished, over all splits so far, and in all splits. */
  questionsDone: number;
  questionsTotal: number;
  split: string;
  /** Generations finished / planned for this split (N per question + 1 greedy). */
  done: number;
  total: number;
  tokensPerSecond: number;
  etaSeconds: number | null;
}

export interface SplitEvaluation extends EvaluationSummary {
  split: string;
  evaluationId: number;
  settings: EvaluationSettings;
  seconds: number;
}

/** Salt so evaluation seeds never coincide with a sample run's seeds for the same seed number. */
const EVAL_SALT = 0x65766131;

/** Seed of evaluation sample `index` of a question. */
export function evaluationSeed(seed: number, questionId: number, index: number): number {
  return mixSeed(seed, EVAL_SALT, questionId, index);
}

interface Outcome {
  c: number;
  n: number;
  greedy: boolean | null;
}

function checkOptions(store: Store, o: EvaluateOptions, s: EvaluationSettings): Map<string, QuestionRow[]> {
  if (o.splits.length === 0) throw new InputError('no split to evaluate', { where: '--split', hint: 'name at least one split of the set' });
  if (!Number.isInteger(s.n) || s.n < 0) throw new InputError(`n must be an integer ≥ 0, got ${s.n}`, { where: '--n' });
  if (s.n === 0 && !s.greedy) throw new InputError('nothing to evaluate: n is 0 and greedy is off', { where: '--n/--no-greedy', hint: 'use --n 16, or keep the greedy sample' });
  for (const k of s.passAtK) {
    if (!Number.isInteger(k) || k < 1 || k > s.n) {
      throw new InputError(`pass@${k} needs an integer k in 1..n (n = ${s.n})`, { where: '--pass-at', hint: `use ks ≤ ${s.n}, or raise --n` });
    }
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new InputError(`batch size must be an integer ≥ 1, got ${o.batchSize}`, { where: '--batch-size' });
  checkGenerateParams({ temperature: s.temperature, topK: s.topK, topP: s.topP, maxNewTokens: s.maxNewTokens }, 'evaluation settings');
  const bySplit = new Map<string, QuestionRow[]>();
  for (const split of new Set(o.splits)) {
    const qs = store.questions.list({ set: o.set, split });
    if (qs.length === 0) {
      const have = store.questions.summary().filter((x) => x.set === o.set).map((x) => x.split);
      throw new InputError(`no questions in set "${o.set}" split "${split}"`, {
        where: store.path,
        hint: have.length ? `splits of ${o.set}: ${have.join(', ')}` : 'add questions first with `sieve questions generate` or `sieve questions import`',
      });
    }
    bySplit.set(split, qs);
  }
  // An unknown verifier (given, or recorded by an import) fails here, before any generation.
  for (const v of new Set([...bySplit.values()].flat().map((q) => o.verifier ?? questionVerifier(q.meta)))) getVerifier(v);
  return bySplit;
}

/** Generates and verifies every request of one split; returns per-question outcomes in question order. */
async function runSplit(
  engine: OpenedEngine,
  split: string,
  questions: QuestionRow[],
  s: EvaluationSettings,
  o: EvaluateOptions,
  counts: { questionsDone: number; questionsTotal: number },
): Promise<Outcome[]> {
  const outcomes = questions.map((): Outcome => ({ c: 0, n: 0, greedy: null }));
  interface Item { q: number; greedy: boolean; request: SamplingRequest }
  const items: Item[] = [];
  const request = (prompt: SamplingRequest['prompt'], seed: number, temperature: number): SamplingRequest => ({
    prompt,
    n: 1,
    seed,
    seeds: [seed],
    temperature,
    topP: s.topP,
    topK: s.topK,
    maxTokens: s.maxNewTokens,
    stop: s.stop,
  });
  questions.forEach((q, qi) => {
    const prompt = questionPrompt(o.prompt ?? PLAIN_PROMPT, q.text);
    for (let i = 0; i < s.n; i++) items.push({ q: qi, greedy: false, request: request(prompt, evaluationSeed(s.seed, q.id, i), s.temperature) });
    if (s.greedy) items.push({ q: qi, greedy: true, request: request(prompt, 0, 0) });
  });
  // Sampled and greedy items go in separate batches (different settings).
  const batches: Item[][] = [];
  for (const kind of [false, true]) {
    const list = items.filter((x) => x.greedy === kind);
    batches.push(...splitIntoBatches(list, o.batchSize));
  }
  const start = performance.now();
  let done = 0;
  let tokens = 0;
  const report = (): void => {
    const secs = (performance.now() - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    o.onProgress?.({ ...counts, split, done, total: items.length, tokensPerSecond: secs > 0 ? tokens / secs : 0, etaSeconds: done > 0 && rate > 0 ? (items.length - done) / rate : null });
  };
  report();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] as Item[];
      const results = await engine.generate(batch.map((x) => x.request));
      batch.forEach((x, i) => {
        const r = results[i]?.[0];
        if (!r) throw new SieveError(`the ${engine.kind} engine returned ${results.length} results for ${batch.length} requests`);
        const q = questions[x.q] as QuestionRow;
        const ok = verify(r.text, q.goldAnswer, { verifier: o.verifier ?? questionVerifier(q.meta) }).status === 'correct';
        const out = outcomes[x.q] as Outcome;
        if (x.greedy) out.greedy = ok;
        else {
          out.n++;
          if (ok) out.c++;
        }
        tokens += r.tokenIds?.length ?? r.tokenLogprobs?.length ?? 0;
        if (out.n === s.n && (out.greedy !== null || !s.greedy)) counts.questionsDone++;
      });
      done += batch.length;
      report();
    }
  };
  const lanes = isTfjsEngine(engine) ? Math.max(1, engine.engine.workers) : Math.ceil(engine.slots() / o.batchSize) + 1;
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}

export async function evaluateModel(store: Store, o: EvaluateOptions): Promise<SplitEvaluation[]> {
  const engineConfig = o.engine ?? { kind: 'tfjs' };
  const spec = o.prompt ?? PLAIN_PROMPT;
  const settings: EvaluationSettings = { ...evaluationSettings(o, PROMPT_FORMAT_VERSION), ...(engineConfig.kind === 'tfjs' ? {} : { engine: engineIdentity(engineConfig) }), ...promptRecord(spec) };
  const bySplit = checkOptions(store, o, settings);
  const modelDir = resolveModelDir(store, o.modelId, o.runDir);
  const engine = await openSamplingEngine(engineConfig, { checkpointDir: modelDir, workers: o.workers, batchSize: o.batchSize, ...(o.backend ? { backend: o.backend } : {}) });
  const out: SplitEvaluation[] = [];
  const counts = { questionsDone: 0, questionsTotal: [...bySplit.values()].reduce((n, qs) => n + qs.length, 0) };
  try {
    // The server renders chat prompts for openai; tfjs needs the checkpoint's template.
    if (spec.format === 'chat' && isTfjsEngine(engine)) chatTokenizer(engine.engine.tokenizer, o.promptWhere ?? 'model.prompt');
    for (const [split, questions] of bySplit) {
      const t0 = performance.now();
      const outcomes = await runSplit(engine, split, questions, settings, o, counts);
      const summary = summarizeEvaluation(
        settings.n > 0 ? outcomes.map(({ n, c }) => ({ n, c })) : [],
        settings.greedy ? outcomes.map((x) => x.greedy === true) : null,
        settings.passAtK,
      );
      const seconds = (performance.now() - t0) / 1000;
      const detail = {
        perQuestion: questions.map((q, i) => ({ questionId: q.id, ...(outcomes[i] as Outcome) })),
        backend: isTfjsEngine(engine) ? engine.engine.backend : engine.kind,
        ...(isTfjsEngine(engine) ? {} : { engine: { kind: engine.kind, model: engine.model } }),
        seconds,
      };
      const evaluationId = replaceEvaluation(store, { modelId: o.modelId, set: o.set, split, settings: { ...settings }, ...summary, detail });
      out.push({ split, evaluationId, settings, seconds, ...summary });
    }
  } finally {
    await engine.close();
  }
  return out;
}
