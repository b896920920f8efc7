/** The train stage: one instance per (method, seed), each from the base model on its method's dataset. */
import { z } from 'zod';
import { defineStage, outName } from '@sieve/core';
import { verifyCheckpoint } from '@sieve/model';
import { modelPromptSpec, PLAIN_PROMPT, promptRecord, type ModelPromptConfig, type PromptSpec } from '@sieve/dataset';
import { modelFolder, type RunEnv } from '@sieve/store';
import { LoopHyperSchema, TrainHyperSchema, withoutNeutral, workersWithin, type LoopHyper, type MethodOptions, type WithoutNeutral } from '../hyper';
import { METHODS, TRAIN_METHODS, type TrainMethod } from '../methods';
import { trainModel } from '../train-model';

const int = (lo = 0) => z.number().int().min(lo).max(Number.MAX_SAFE_INTEGER);

/** `train` in a pipeline config: the methods and seeds to train, with one set of hyper-parameters for all. */
export const TrainOptionsSchema = TrainHyperSchema.omit({ seed: true }).extend({
  methods: z.array(z.enum(TRAIN_METHODS as [TrainMethod, ...TrainMethod[]])).min(1).describe(`methods to train: ${TRAIN_METHODS.join(', ')}`),
  seeds: z.array(int()).min(1).describe('one training run per method and seed'),
});
export type TrainOptions = z.output<typeof TrainOptionsSchema>;

/** What one (method, seed) run reads: the loop's options, the seed, only its own method's options, and the prompt format unless plain. */
export type TrainSlice = WithoutNeutral<LoopHyper> & { method: TrainMethod } & Partial<MethodOptions> & { prompt?: PromptSpec };

/** The loop's options a run reads from `train` (its seed comes from `train.seeds`). */
const LOOP_KEYS = (Object.keys(LoopHyperSchema.shape) as (keyof LoopHyper)[]).filter((k): k is Exclude<keyof LoopHyper, 'seed'> => k !== 'seed');

export const trainKey = (method: string, seed: number): string => `${method}/s${seed}`;

function parseKey(key: string): { method: TrainMethod; seed: number } {
  const [method, s] = key.split('/s');
  return { method: method as TrainMethod, seed: Number(s) };
}

/** What the train stage reads beside its slice (operational, never fingerprinted). */
export interface TrainEnv {
  /** Train even when the memory estimate exceeds the free memory (`sieve run --ignore-memory`). */
  ignoreMemory?: boolean;
}

export const TRAIN_STAGE = defineStage<RunEnv & TrainEnv, { train: TrainOptions; model: ModelPromptConfig }, TrainSlice, { modelId: string }>({
  name: 'train',
  summary: 'train each method and seed from the base model (RFT = sft on the RFT dataset)',
  instances: (cfg) =>
    cfg.train.methods.flatMap((method) =>
      cfg.train.seeds.map((seed) => ({
        key: trainKey(method, seed),
        inputs: { dataset: METHODS[method].dataset === 'pairs' ? 'pairs' : 'filter', base: 'pretrain' },
      })),
    ),
  select: (cfg, key) => {
    const { method, seed } = parseKey(key);
    const t = cfg.train;
    const loop = Object.fromEntries(LOOP_KEYS.map((k) => [k, t[k]])) as Omit<LoopHyper, 'seed'>;
    const own = Object.fromEntries(METHODS[method].options.map((k) => [k, t[k]])) as Partial<MethodOptions>;
    return { ...withoutNeutral(loop), seed, method, ...own, ...promptRecord(modelPromptSpec(cfg.model)) };
  },
  outputs: (s, tag) => ({ modelId: outName(`${s.method}-s${s.seed}`, tag) }),
  check: async ({ env, out }) => {
    const res = await verifyCheckpoint(modelFolder(env, out.modelId));
    return res.ok ? null : `${res.why}; rebuilding it`;
  },
  run: async ({ env, slice, key, out, input, resume, threads, log, progress }) => {
    const bar = progress(`train ${key}`, slice.steps);
    try {
      const res = await trainModel(env.store, {
        ...slice,
        workers: workersWithin(slice.workers ?? 0, threads),
        prompt: slice.prompt ?? PLAIN_PROMPT,
        runName: out.modelId,
        dataset: { name: input('dataset', 'dataset') },
        from: modelFolder(env, input('base', 'modelId')),
        outDir: modelFolder(env, out.modelId),
        resume,
        ignoreMemory: env.ignoreMemory ?? false,
        log,
        onProgress: (s) => bar.update(s.step, { loss: s.loss.toFixed(3) }),
      });
      log(`${out.modelId}: final loss ${res.finalLoss.toFixed(4)}`);
      return { modelId: out.modelId, finalLoss: res.finalLoss };
    } finally {
      bar.stop();
    }
  },
});
