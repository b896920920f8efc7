/** The sample stage: K responses per question of the RFT split from the base model. */
import { z } from 'zod';
import { defineStage, outName } from '@sieve/core';
import { modelPromptSpec, PLAIN_PROMPT, promptRecord, type ModelPromptConfig, type PromptSpec } from '@sieve/dataset';
import type { RunEnv } from '@sieve/store';
import { EngineConfigSchema, engineIdentity, stageEngine, type EngineEnv, type EngineIdentity } from '../engines/config';
import { sampleStage as sampleQuestions } from '../sample-stage';

const int = (lo = 0, hi = Number.MAX_SAFE_INTEGER) => z.number().int().min(lo).max(hi);

/** `sample` in a pipeline config. */
export const SampleOptionsSchema = z.strictObject({
  k: int(1).default(4).describe('samples per question'),
  temperature: z.number().min(0).default(1).describe('sampling temperature (0 = greedy)'),
  topP: z.number().min(0).max(1).default(1).describe('nucleus sampling: smallest set of tokens with this much probability (1 = off)'),
  topK: int().default(0).describe('sample among the k most probable tokens (0 = off)'),
  maxNewTokens: int(1).describe('longest response, in tokens'),
  batchSize: int(1).default(64).describe('sequences per generation batch (results do not depend on it)'),
  workers: int(1, 16).default(1).describe('worker threads (results do not depend on it)'),
  seed: int().default(1).describe('run seed; each sample’s seed mixes it with the question and sample index'),
  engine: EngineConfigSchema,
});
export type SampleOptions = z.output<typeof SampleOptionsSchema>;

type Slice = Omit<SampleOptions, 'engine'> & { split: string; engine?: EngineIdentity; prompt?: PromptSpec };

/**
 * What the stage fingerprints: every option by name (never by spreading: that would read the
 * engine's URLs too), the engine's identity only (kind, model, extras — not where it runs), and
 * no engine key at all for tfjs so the fingerprints of runs made before engines existed hold; the
 * prompt format (`model.prompt`, `model.systemPrompt`) only when it is not plain, for the same reason.
 */
function selectSample(s: SampleOptions, split: string, prompt: PromptSpec): Slice {
  const { k, temperature, topP, topK, maxNewTokens, batchSize, workers, seed } = s;
  const engine = s.engine.kind === 'tfjs' ? {} : { engine: engineIdentity(s.engine) };
  return { k, temperature, topP, topK, maxNewTokens, batchSize, workers, seed, split, ...engine, ...promptRecord(prompt) };
}

export const SAMPLE_STAGE = defineStage<RunEnv & EngineEnv, { sample: SampleOptions; questions: { rftSplit: string }; model: ModelPromptConfig }, Slice, { runName: string }>({
  name: 'sample',
  summary: 'sample K responses per RFT question from the base model',
  instances: () => [{ key: '', inputs: { questions: 'questions', base: 'pretrain' } }],
  select: (cfg) => selectSample(cfg.sample, cfg.questions.rftSplit, modelPromptSpec(cfg.model)),
  outputs: (_s, tag) => ({ runName: outName('rft-samples', tag) }),
  run: async ({ env, slice, out, input, resume, threads, progress }) => {
    const { store } = env;
    const set = input('questions', 'set');
    if (!resume) {
      // A rerun from scratch supersedes the old run (datasets and models built from it keep their samples).
      const old = store.samples.getRun(out.runName);
      if (old) store.samples.supersedeRun(old.id);
    }
    const bar = progress('sample', store.questions.count({ set, split: slice.split }));
    try {
      const { split, engine, prompt, ...s } = slice;
      const res = await sampleQuestions(store, {
        ...s,
        // Results do not depend on the worker count: the runner's share of the cores caps it (unfingerprinted).
        workers: threads === undefined ? s.workers : Math.min(s.workers, threads),
        engine: stageEngine(engine ?? { kind: 'tfjs' }, env, 'sample'),
        prompt: prompt ?? PLAIN_PROMPT,
        runName: out.runName,
        modelId: input('base', 'modelId'),
        runDir: env.runDir,
        set,
        split,
        onProgress: (p) => bar.update(p.questionsDone),
      });
      return { runName: out.runName, samples: res.total, generated: res.generated };
    } finally {
      bar.stop();
    }
  },
});
