import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { QuestionsOptionsSchema } from '@sieve/tasks';
import { FilterOptionsSchema, VerifyOptionsSchema } from '@sieve/dataset';
import { SampleOptionsSchema } from '@sieve/sample';
import { BaseModelShapeSchema, PretrainOptionsSchema, TrainOptionsSchema } from '@sieve/train';
import { EvalOptionsSchema } from '@sieve/eval';

/**
 * The pipeline config: one section per stage, each the schema its owning lib declares (and the CLI
 * flags and library defaults come from the same schemas).
 */
export const PipelineConfigSchema = z.strictObject({
  name: z.string().min(1).describe('the run name (its folder is data/runs/<name>/)'),
  description: z.string().optional(),
  questions: QuestionsOptionsSchema,
  model: BaseModelShapeSchema,
  pretrain: PretrainOptionsSchema,
  sample: SampleOptionsSchema,
  verify: VerifyOptionsSchema.default(VerifyOptionsSchema.parse({})),
  filter: FilterOptionsSchema,
  train: TrainOptionsSchema,
  eval: EvalOptionsSchema,
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
