/**
 * The pretrain stage: the base model of a run. The offline default is a small transformer trained
 * on a synthetic corpus; with `"model": { "hf": … }` it imports a Hugging Face folder instead (hf-base.ts).
 */
import { z } from 'zod';
import { defineStage, InputError, outName } from '@sieve/core';
import { verifyCheckpoint } from '@sieve/model';
import { modelFolder, type RunEnv } from '@sieve/store';
import { NEUTRAL_LOOP_VALUES, PretrainHyperSchema, withoutNeutral, workersWithin, type WithoutNeutral } from '../hyper';
import { pretrain } from '../pretrain';
import { HfBaseModelSchema, runHfBase, selectHfBase, type HfBaseModel, type HfBaseSlice } from './hf-base';

const int = (lo = 0) => z.number().int().min(lo).max(Number.MAX_SAFE_INTEGER);

/** `model` in a pipeline config: the shape of the base model the pretrain stage creates. */
export const BaseModelShapeSchema = z.strictObject({
  dim: int(4).describe('width'),
  layers: int(1).describe('transformer blocks'),
  heads: int(1).describe('attention heads'),
  kvHeads: int(1).describe('key/value heads (GQA when fewer than heads)'),
  mlpDim: int(4).describe('SwiGLU hidden width'),
  contextLength: int(16).describe('longest sequence, prompt + response, in tokens'),
  ropeTheta: z.number().positive().default(10000).describe('RoPE base'),
  prompt: z
    .literal('plain', { error: 'the built-in model reads plain prompts only: "chat" needs a chat template, which a Hugging Face model brings (model.hf)' })
    .optional()
    .describe('prompt format: the built-in model has a character tokenizer and no chat template, so plain ("Q: …\\nA: ") only'),
});

/** `pretrain` in a pipeline config: the loop's options (pretraining defaults) and the corpus. */
export const PretrainOptionsSchema = PretrainHyperSchema.extend({
  corpus: z
    .strictObject({
      count: int(1).describe('generated problems with worked solutions'),
      seed: int().default(7).describe('corpus generator seed'),
      options: z.record(z.string(), z.unknown()).default({}).describe('generator knobs of the corpus'),
    })
    .describe('the synthetic pretraining corpus (never a question of the run’s set)'),
});

/** `model` in a pipeline config: the built-in shape to pretrain, or a Hugging Face folder to import. */
export const BaseModelSchema = z.union([BaseModelShapeSchema, HfBaseModelSchema]);

export type BaseModelShape = z.output<typeof BaseModelShapeSchema>;
export type PretrainOptions = z.output<typeof PretrainOptionsSchema>;

interface Cfg {
  model: BaseModelShape | HfBaseModel;
  /** Required with a built-in shape (the config's cross-field check says so), ignored with `hf`. */
  pretrain?: PretrainOptions | undefined;
}
type Slice = { model: Omit<BaseModelShape, 'prompt'>; pretrain: WithoutNeutral<PretrainOptions> } | HfBaseSlice;

const isHf = (m: Cfg['model']): m is HfBaseModel => 'hf' in m;

export const PRETRAIN_STAGE = defineStage<RunEnv, Cfg, Slice, { modelId: string }>({
  name: 'pretrain',
  summary: 'pretrain the base model on a synthetic corpus that excludes the run’s questions, or import a Hugging Face folder',
  instances: (cfg) => [{ key: '', inputs: isHf(cfg.model) ? ({} as Record<string, string>) : { questions: 'questions' } }],
  select: (cfg) => {
    if (isHf(cfg.model)) return selectHfBase(cfg.model);
    if (!cfg.pretrain) throw new InputError('the config has no "pretrain" section, which a built-in model needs', { where: 'config: pretrain', hint: 'add it (see data/presets/quick.json), or set model.hf to import a Hugging Face folder' });
    const { prompt: _plain, ...shape } = cfg.model; // plain, always: not part of the shape
    return { model: shape, pretrain: withoutNeutral(cfg.pretrain) };
  },
  outputs: (_s, tag) => ({ modelId: outName('base', tag) }),
  check: async ({ env, out }) => {
    const res = await verifyCheckpoint(modelFolder(env, out.modelId));
    return res.ok ? null : `${res.why}; rebuilding it`;
  },
  run: async ({ env, slice, out, input, resume, threads, log, progress }) => {
    if (!('pretrain' in slice)) return runHfBase(env.store, slice, { modelId: out.modelId, outDir: modelFolder(env, out.modelId), log });
    const { corpus, ...hyper } = { ...NEUTRAL_LOOP_VALUES, ...slice.pretrain };
    const bar = progress('pretrain', hyper.steps);
    try {
      const res = await pretrain(env.store, {
        ...hyper,
        workers: workersWithin(hyper.workers, threads),
        modelId: out.modelId,
        outDir: modelFolder(env, out.modelId),
        config: slice.model,
        corpus,
        excludeSets: [input('questions', 'set')],
        resume,
        onProgress: (s) => bar.update(s.step, { loss: s.loss.toFixed(3) }),
      });
      log(`base model ${out.modelId}: final loss ${res.finalLoss.toFixed(3)}`);
      return { modelId: out.modelId, finalLoss: res.finalLoss };
    } finally {
      bar.stop();
    }
  },
});
