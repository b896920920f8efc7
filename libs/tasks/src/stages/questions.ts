/** The questions stage: generates the run's question set (every split) from the config. */
import { z } from 'zod';
import { defineStage, outName } from '@sieve/core';
import type { RunEnv } from '@sieve/store';
import { generateSplits } from '../generator/generate';

const int = (lo = 0) => z.number().int().min(lo).max(Number.MAX_SAFE_INTEGER);

const SplitSchema = z.strictObject({
  preset: z.enum(['id', 'ood']).describe('generator preset: id (2–3 operations, 1–2 digits) or ood (4–5 operations, 2–3 digits)'),
  count: int(1).describe('questions in this split'),
  /** Generator knobs overriding the preset (validated by the generator). */
  options: z.record(z.string(), z.unknown()).optional().describe('generator knobs overriding the preset'),
});

/** `questions` in a pipeline config. */
export const QuestionsOptionsSchema = z.strictObject({
  set: z.string().min(1).default('synth').describe('name of the question set (the stage adds its fingerprint)'),
  seed: int().default(1).describe('generator seed'),
  splits: z.record(z.string(), SplitSchema).describe('split name → how to generate it'),
  rftSplit: z.string().default('train').describe('the split sampled into the RFT dataset'),
  evalSplits: z.array(z.string()).min(1).describe('splits evaluated after training'),
});
export type QuestionsOptions = z.output<typeof QuestionsOptionsSchema>;

type Slice = Pick<QuestionsOptions, 'set' | 'seed' | 'splits'>;

export const QUESTIONS_STAGE = defineStage<RunEnv, { questions: QuestionsOptions }, Slice, { set: string }>({
  name: 'questions',
  summary: 'generate the question set (every split)',
  instances: () => [{ key: '', inputs: {} }],
  select: (cfg) => ({ set: cfg.questions.set, seed: cfg.questions.seed, splits: cfg.questions.splits }),
  outputs: (s, tag) => ({ set: outName(s.set, tag) }),
  run: async ({ env, slice, out }) => {
    const { set } = out;
    const specs = Object.entries(slice.splits).map(([name, s]) => ({ name, preset: s.preset, count: s.count, options: s.options ?? {} }));
    const generated = generateSplits({ seed: slice.seed, splits: specs });
    const counts: Record<string, number> = {};
    env.store.transaction(() => {
      for (const s of specs) counts[s.name] = env.store.questions.insertMany(set, s.name, `synthetic:${s.preset}`, generated[s.name] ?? []).inserted;
    });
    return { set, counts };
  },
});
