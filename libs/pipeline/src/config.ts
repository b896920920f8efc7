import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { QuestionsOptionsSchema } from '@sieve/tasks';
import { FilterOptionsSchema, promptSpec, VerifyOptionsSchema } from '@sieve/dataset';
import { SampleOptionsSchema } from '@sieve/sample';
import { BaseModelSchema, METHODS, PretrainOptionsSchema, TrainOptionsSchema } from '@sieve/train';
import { EvalOptionsSchema } from '@sieve/eval';

/**
 * The pipeline config: one section per stage, each the schema its owning lib declares (and the CLI
 * flags and library defaults come from the same schemas).
 */
export const PipelineConfigSchema = z.strictObject({
  name: z.string().min(1).describe('the run name (its folder is data/runs/<name>/)'),
  description: z.string().optional(),
  questions: QuestionsOptionsSchema,
  model: BaseModelSchema,
  pretrain: PretrainOptionsSchema.optional().describe('pretraining of the built-in model (ignored when model.hf is set)'),
  sample: SampleOptionsSchema,
  verify: VerifyOptionsSchema.default(VerifyOptionsSchema.parse({})),
  filter: FilterOptionsSchema,
  train: TrainOptionsSchema,
  eval: EvalOptionsSchema,
});

export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;

/** Validates a config object; an unknown key or a wrong type is an InputError naming the key. */
/**
 * Validates a config object: one readable line per problem, naming its key (an unknown key, a wrong
 * type, a value out of range). The zod error is not chained: its text would only repeat them as JSON.
 */
export function parsePipelineConfig(raw: unknown, where = 'config'): PipelineConfig {
  const res = PipelineConfigSchema.safeParse(raw);
  if (res.success) return checkCrossFields(res.data, where);
  const issues = res.error.issues.flatMap(expandUnion);
  const lines = issues.slice(0, 10).map((i) => {
    const path = i.path.join('.');
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.map((k) => (path ? `${path}.${k}` : k));
      return `unknown key ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `"${path || '(root)'}": ${i.message}`;
  });
  const more = issues.length > lines.length ? [`… and ${issues.length - lines.length} more`] : [];
  const unknown = issues.some((i) => i.code === 'unrecognized_keys');
  throw new InputError(lines.length === 1 ? `invalid pipeline config: ${lines[0]}` : `invalid pipeline config:\n  ${[...lines, ...more].join('\n  ')}`, {
    where,
    hint: unknown ? 'remove or rename the key (see data/presets/quick.json for every key)' : 'fix the values named above (see data/presets/quick.json)',
  });
}

/**
 * A value that fits no branch of a union (`model`: a built-in shape or an HF folder) is reported
 * with the issues of the branch it came closest to (fewest issues), so the line names the key.
 */
function expandUnion(i: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (i.code !== 'invalid_union' || i.errors.length === 0) return [i];
  const best = i.errors.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((sub) => expandUnion({ ...sub, path: [...i.path, ...sub.path] } as z.core.$ZodIssue));
}

/** Things that are allowed but probably not meant, one line each (e.g. K identical greedy samples). */
export function configWarnings(c: PipelineConfig): string[] {
  const out: string[] = [];
  if ('hf' in c.model && c.pretrain) out.push('model.hf is set: the base model is imported from that folder and the "pretrain" section is ignored');
  if (c.sample.temperature === 0 && c.sample.k > 1) {
    out.push(`sample.temperature is 0 with sample.k = ${c.sample.k}: greedy decoding gives ${c.sample.k} identical samples per question; use a temperature > 0 or k = 1`);
  }
  return out;
}

function checkCrossFields(c: PipelineConfig, where: string): PipelineConfig {
  if (!('hf' in c.model) && !c.pretrain) {
    throw new InputError('the config has no "pretrain" section, which a built-in model needs', { where: `${where}: pretrain`, hint: 'add it (see data/presets/quick.json), or set model.hf to import a Hugging Face folder' });
  }
  if ('hf' in c.model) promptSpec(c.model.prompt, c.model.systemPrompt, `${where}: model.systemPrompt`); // a system prompt needs "chat"
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
  const pairwise = c.train.methods.filter((m) => METHODS[m].dataset === 'pairs');
  if (c.sample.temperature === 0 && c.sample.k > 1 && pairwise.length > 0) {
    throw new InputError(`train.methods has ${pairwise.join(', ')}, which needs correct and incorrect samples of the same question, but sample.temperature is 0: all ${c.sample.k} samples of a question are the same`, {
      where: `${where}: sample.temperature`,
      hint: `set sample.temperature above 0 (e.g. 1.0), or remove ${pairwise.join(', ')} from train.methods`,
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
