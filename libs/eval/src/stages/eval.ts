/** The eval stage: avg@N, greedy accuracy and pass@k of the base model and of every trained model, per evaluation split. */
import { z } from 'zod';
import { defineStage, InputError } from '@sieve/core';
import { EngineConfigSchema, engineIdentity, stageEngine, withModelId, type EngineEnv, type EngineIdentity } from '@sieve/sample';
import { modelPromptSpec, PLAIN_PROMPT, promptRecord, type ModelPromptConfig, type PromptSpec } from '@sieve/dataset';
import type { RunEnv } from '@sieve/store';
import { trainKey } from '@sieve/train';
import { evaluateModel } from '../evaluate';

const int = (lo = 0, hi = Number.MAX_SAFE_INTEGER) => z.number().int().min(lo).max(hi);

/** `eval` in a pipeline config. */
export const EvalOptionsSchema = z.strictObject({
  n: int(1).default(16).describe('samples per question for avg@n and pass@k'),
  temperature: z.number().min(0).default(1).describe('sampling temperature of the n samples'),
  greedy: z.boolean().default(true).describe('also decode each question greedily'),
  passAtK: z.array(int(1)).default([1]).describe('ks of pass@k (each at most n)'),
  maxNewTokens: int(1).describe('longest response, in tokens'),
  batchSize: int(1).default(64).describe('sequences per generation batch (results do not depend on it)'),
  workers: int(1, 16).default(1).describe('worker threads (results do not depend on it)'),
  seed: int().default(1234).describe('evaluation seed'),
  engine: EngineConfigSchema,
  verifier: z.string().min(1).optional().describe("grade every response with this verifier; unset: each question's set's own (recorded at import, else numeric)"),
});
export type EvalOptions = z.output<typeof EvalOptionsSchema>;

interface Cfg {
  eval: EvalOptions;
  questions: { evalSplits: string[] };
  train: { methods: readonly string[]; seeds: readonly number[] };
  model: ModelPromptConfig;
}
type Slice = Omit<EvalOptions, 'engine'> & { splits: string[]; engine?: EngineIdentity; prompt?: PromptSpec };

/**
 * Every option by name, the engine's identity only (not its URLs), and no engine key for tfjs, no
 * verifier key when unset, no prompt key for plain (fingerprints of older runs hold).
 */
function selectEval(e: EvalOptions, splits: string[], prompt: PromptSpec): Slice {
  const { n, temperature, greedy, passAtK, maxNewTokens, batchSize, workers, seed } = e;
  const engine = e.engine.kind === 'tfjs' ? {} : { engine: engineIdentity(e.engine) };
  const verifier = e.verifier ? { verifier: e.verifier } : {}; // unset: the questions' own (no key: older fingerprints hold)
  return { n, temperature, greedy, passAtK, maxNewTokens, batchSize, workers, seed, splits, ...engine, ...verifier, ...promptRecord(prompt) };
}

export const EVAL_STAGE = defineStage<RunEnv & EngineEnv, Cfg, Slice, Record<string, never>>({
  name: 'eval',
  summary: 'evaluate the base model and every trained model on the evaluation splits',
  instances: (cfg) => [
    { key: 'base', inputs: { questions: 'questions', model: 'pretrain' } },
    ...cfg.train.methods.flatMap((m) => cfg.train.seeds.map((s) => trainKey(m, s))).map((key) => ({ key, inputs: { questions: 'questions', model: `train:${key}` } })),
  ],
  select: (cfg) => selectEval(cfg.eval, cfg.questions.evalSplits, modelPromptSpec(cfg.model)),
  outputs: () => ({}),
  run: async ({ env, slice, key, input, threads, progress }) => {
    const set = input('questions', 'set');
    const modelId = input('model', 'modelId');
    const total = slice.splits.reduce((n, split) => n + env.store.questions.count({ set, split }), 0);
    const bar = progress(`eval ${key}`, total);
    try {
      const { engine, prompt, ...opts } = slice;
      const full = stageEngine(engine ?? { kind: 'tfjs' }, env, 'eval');
      if (full.kind === 'openai' && key !== 'base' && !full.model.includes('{model}')) {
        throw new InputError(`eval.engine.model "${full.model}" names one served model, but the eval stage evaluates every trained model too (${key})`, {
          where: 'eval.engine.model',
          hint: 'serve each checkpoint under its model id and write "{model}" in the name (e.g. "{model}"), or evaluate with the tfjs engine',
        });
      }
      // Results do not depend on the worker count: the runner's share of the cores caps it (unfingerprinted).
      const workers = threads === undefined ? opts.workers : Math.min(opts.workers, threads);
      const rows = await evaluateModel(env.store, { ...opts, workers, prompt: prompt ?? PLAIN_PROMPT, engine: withModelId(full, modelId), modelId, runDir: env.runDir, set, onProgress: (p) => bar.update(p.questionsDone) });
      return { modelId, results: rows };
    } finally {
      bar.stop();
    }
  },
});
