import { z } from 'zod';
import { InputError } from '@sieve/core';

export const OPERATORS = ['+', '-', '*', '/'] as const;
export type Operator = (typeof OPERATORS)[number];
export const STYLES = ['word', 'bare'] as const;
export type Style = (typeof STYLES)[number];

const int = (lo: number, hi: number) => z.number().int().min(lo).max(hi);

/**
 * Knobs of the synthetic generator. Defaults are the `id` preset.
 * Every fresh operand has between minDigits and maxDigits digits; every intermediate
 * result is an integer in [0, maxValue] (or [-maxValue, maxValue] for bare questions
 * with allowNegative: word problems count things, so they never go negative).
 */
export const GeneratorOptionsSchema = z
  .strictObject({
    minOperations: int(1, 12).default(2),
    maxOperations: int(1, 12).default(3),
    minDigits: int(1, 6).default(1),
    maxDigits: int(1, 6).default(2),
    operators: z
      .array(z.enum(OPERATORS))
      .min(1)
      .default([...OPERATORS])
      .transform((ops) => OPERATORS.filter((o) => ops.includes(o))),
    styles: z
      .array(z.enum(STYLES))
      .min(1)
      .default([...STYLES])
      .transform((s) => STYLES.filter((x) => s.includes(x))),
    /** Share of word problems when both styles are on. */
    wordRatio: z.number().min(0).max(1).default(0.7),
    allowNegative: z.boolean().default(false),
    maxValue: int(1, 1e12).default(10_000),
  })
  .superRefine((o, ctx) => {
    if (o.minOperations > o.maxOperations)
      ctx.addIssue({ code: 'custom', path: ['minOperations'], message: `minOperations (${o.minOperations}) > maxOperations (${o.maxOperations})` });
    if (o.minDigits > o.maxDigits)
      ctx.addIssue({ code: 'custom', path: ['minDigits'], message: `minDigits (${o.minDigits}) > maxDigits (${o.maxDigits})` });
    if (o.maxValue < 10 ** o.maxDigits - 1)
      ctx.addIssue({ code: 'custom', path: ['maxValue'], message: `maxValue (${o.maxValue}) is below the largest ${o.maxDigits}-digit operand` });
  });

export type GeneratorOptionsInput = z.input<typeof GeneratorOptionsSchema>;
export type GeneratorOptions = z.output<typeof GeneratorOptionsSchema>;

export const PRESETS = {
  /** In-distribution: 2–3 operations on 1–2 digit operands. */
  id: { minOperations: 2, maxOperations: 3, minDigits: 1, maxDigits: 2, maxValue: 10_000 },
  /** Out-of-distribution: longer chains, bigger operands. */
  ood: { minOperations: 4, maxOperations: 5, minDigits: 2, maxDigits: 3, maxValue: 1_000_000 },
} as const satisfies Record<string, GeneratorOptionsInput>;
export type PresetName = keyof typeof PRESETS;

export function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

/** Validates knobs at the edge; `preset` (if any) is the base and `options` override it. */
export function resolveGeneratorOptions(options: GeneratorOptionsInput = {}, preset?: string): GeneratorOptions {
  let base: GeneratorOptionsInput = {};
  if (preset !== undefined) {
    if (!isPresetName(preset))
      throw new InputError(`unknown generator preset "${preset}"`, { hint: `use one of: ${Object.keys(PRESETS).join(', ')}` });
    base = PRESETS[preset];
  }
  const parsed = GeneratorOptionsSchema.safeParse({ ...base, ...options });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new InputError(`invalid generator options: ${issues}`, {
      where: 'generator options',
      hint: 'fix the knobs named above',
      cause: parsed.error,
    });
  }
  return parsed.data;
}
