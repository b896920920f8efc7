import { z } from 'zod';
import { InputError } from '@sieve/core';

/**
 * Why a sample was dropped, in the order the rules are applied: a sample gets the reason of
 * the first rule that drops it. Per-sample checks come first, then the question-level pass
 * rate, then de-duplication (the first sample in input order is the one kept), then the cap.
 * `no-rejected` is only used by `pairs` datasets (an accepted sample with no incorrect
 * sample of its question to pair it with).
 */
export const DROP_REASONS = [
  'unverified',
  'unparseable',
  'incorrect',
  'truncated',
  'too-short',
  'too-long',
  'wrong-step',
  'pass-rate',
  'duplicate-exact',
  'duplicate-normalised',
  'duplicate-equations',
  'over-cap',
  'no-rejected',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

const rate = z.number().min(0).max(1);

/** Filter rules of an RFT / pairs dataset. Keeping correct samples only is always on. */
export const FilterRules = z
  .object({
    /** Drop a sample if any calculator step `<<a*b=c>>` is wrong. */
    requireSteps: z.boolean().default(false),
    /** Bounds on the response length in characters (inclusive). */
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).optional(),
    /** 'stop' drops samples cut at the token limit; 'any' keeps them. */
    finish: z.enum(['stop', 'any']).default('stop'),
    /** 'equations': one response per distinct list of equations (RFT, Yuan et al. 2023). */
    dedup: z.enum(['none', 'equations']).default('none'),
    /** At most this many kept samples per question. */
    maxPerQuestion: z.number().int().min(1).optional(),
    /** Keep only questions whose pass rate (correct / samples in the run) is in [min, max]. */
    passRate: z.tuple([rate, rate]).optional(),
    /**
     * Also keep each sampled question's gold solution as an item (no sample behind it), as RFT does
     * (Yuan et al. 2023 train on the original SFT data plus the sampled correct paths). rft datasets only;
     * optional without a default so that existing runs keep their fingerprints.
     */
    includeGold: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.minLength === undefined || r.maxLength === undefined || r.minLength <= r.maxLength, {
    message: 'minLength must not exceed maxLength',
    path: ['minLength'],
  })
  .refine((r) => r.passRate === undefined || r.passRate[0] <= r.passRate[1], {
    message: 'passRate is [min, max] with min ≤ max',
    path: ['passRate'],
  });

export type FilterRules = z.output<typeof FilterRules>;
export type FilterRulesInput = z.input<typeof FilterRules>;

/** Validated rules with their defaults filled in; InputError naming the bad field otherwise. */
export function parseFilterRules(input: unknown = {}): FilterRules {
  const r = FilterRules.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length ? `rules.${issue.path.join('.')}` : 'rules';
  throw new InputError(`invalid filter rules: ${field}: ${issue?.message ?? 'invalid'}`, {
    where: field,
    hint: 'rules: requireSteps, minLength, maxLength, finish (stop|any), dedup (none|equations), maxPerQuestion, passRate [min, max]',
  });
}

export function emptyDropCounts(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}
