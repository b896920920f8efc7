import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '@sieve/core';

const int = (lo = 0, hi = Number.MAX_SAFE_INTEGER) => z.number().int().min(lo).max(hi);
const prob = z.number().min(0).max(1);

const GeneratorKnobs = z.record(z.string(), z.unknown());

const SplitSchema = z.strictObject({
  preset: z.enum(['id', 'ood']),
  count: int(1),
  /** Generator knobs overriding the preset (validated by @sieve/tasks). */
  options: GeneratorKnobs.optional(),
});

export const PipelineConfigSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  questions: z.strictObject({
    set: z.string().min(1).default('synth'),
    seed: int().default(1),
    splits: z.record(z.string(), SplitSchema),
    /** The split whose questions are sampled into the RFT dataset. */
    rftSplit: z.string().default('train'),
    /** Splits evaluated after training. */
    evalSplits: z.array(z.string()).min(1),
  }),
  model: z.strictObject({
    dim: int(4),
    layers: int(1),
    heads: int(1),
    kvHeads: int(1),
    mlpDim: int(4),
    contextLength: int(16),
    ropeTheta: z.number().positive().default(10000),
  }),
  pretrain: z.strictObject({
    /** Use this checkpoint folder as the base model instead of pretraining one. */
    from: z.string().optional(),
    seed: int().default(1),
    corpus: z.strictObject({ count: int(1), seed: int().default(7), options: GeneratorKnobs.default({}) }),
    steps: int(1),
    batchSize: int(1),
    lr: z.number().positive(),
    warmupSteps: int().default(20),
    weightDecay: z.number().min(0).default(0.01),
    evalEvery: int(1).default(100),
    checkpointEvery: int(1).default(100),
  }),
  sample: z.strictObject({
    k: int(1).default(4),
    temperature: z.number().min(0).default(1),
    topP: prob.default(1),
    topK: int().default(0),
    maxNewTokens: int(1),
    batchSize: int(1).default(64),
    workers: int(1, 16).default(1),
    seed: int().default(1),
  }),
  verify: z.strictObject({ verifier: z.string().default('numeric') }).default({ verifier: 'numeric' }),
  filter: z
    .strictObject({
      requireSteps: z.boolean().default(false),
      dedup: z.enum(['none', 'equations']).default('none'),
      maxPerQuestion: int(1).optional(),
      minLength: int().optional(),
      maxLength: int().optional(),
      passRate: z.tuple([prob, prob]).optional(),
    })
    .default({ requireSteps: false, dedup: 'none' }),
  train: z.strictObject({
    methods: z.array(z.enum(['sft', 'dft', 'iw-sft', 'dpo', 'asft'])).min(1),
    seeds: z.array(int()).min(1),
    steps: int(1),
    batchSize: int(1),
    gradAccum: int(1).default(1),
    lr: z.number().positive(),
    warmupSteps: int().default(10),
    minLrRatio: prob.default(0.1),
    weightDecay: z.number().min(0).default(0.01),
    clip: z.number().positive().default(1),
    dftMinProb: prob.default(0),
    iwMaxWeight: z.number().positive().default(16),
    dpoBeta: z.number().positive().default(0.1),
    asftKl: z.number().min(0).default(0.1),
    evalEvery: int(1).default(50),
    checkpointEvery: int(1).default(50),
  }),
  eval: z.strictObject({
    n: int(1).default(16),
    temperature: z.number().min(0).default(1),
    greedy: z.boolean().default(true),
    passAtK: z.array(int(1)).default([1]),
    maxNewTokens: int(1),
    batchSize: int(1).default(64),
    seed: int().default(1234),
  }),
});

export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;

/** Validates a config object; an unknown key or a wrong type is an InputError naming the key. */
export function parsePipelineConfig(raw: unknown, where = 'config'): PipelineConfig {
  const res = PipelineConfigSchema.safeParse(raw);
  if (res.success) return checkCrossFields(res.data, where);
  const issue = res.error.issues[0];
  const lines = res.error.issues.slice(0, 5).map((i) => {
    const path = i.path.join('.');
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.map((k) => (path ? `${path}.${k}` : k));
      return `unknown key ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `"${path || '(root)'}": ${i.message}`;
  });
  throw new InputError(`invalid pipeline config: ${lines.join('; ')}`, {
    where,
    hint: issue?.code === 'unrecognized_keys' ? 'remove or rename the key (see data/presets/quick.json)' : 'fix the value named above',
    cause: res.error,
  });
}

function checkCrossFields(c: PipelineConfig, where: string): PipelineConfig {
  const splits = Object.keys(c.questions.splits);
  for (const s of [c.questions.rftSplit, ...c.questions.evalSplits]) {
    if (!splits.includes(s)) {
      throw new InputError(`questions split "${s}" is used but not defined (defined: ${splits.join(', ')})`, {
        where: `${where}: questions`,
        hint: 'add it under questions.splits or change questions.rftSplit / questions.evalSplits',
      });
    }
  }
  if (c.questions.evalSplits.includes(c.questions.rftSplit)) {
    throw new InputError(`questions.evalSplits contains the RFT split "${c.questions.rftSplit}"`, {
      where: `${where}: questions.evalSplits`,
      hint: 'evaluate on held-out splits only',
    });
  }
  for (const k of c.eval.passAtK) {
    if (k > c.eval.n) throw new InputError(`eval.passAtK has k=${k} > eval.n=${c.eval.n}`, { where: `${where}: eval.passAtK` });
  }
  return c;
}

export function loadPipelineConfig(path: string): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read config ${path}`, { where: path, cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`config ${path} is not valid JSON: ${(err as Error).message}`, { where: path, cause: err });
  }
  return parsePipelineConfig(raw, path);
}
