import { createRng, InputError, mixSeed, sha256, type Rng } from '@sieve/core';
import type { NewQuestion } from '../types';
import type { Draft } from './arith';
import { bareDraft } from './bare';
import { resolveGeneratorOptions, type GeneratorOptions, type GeneratorOptionsInput, type Style } from './options';
import { wordDraft } from './word';

export const GENERATOR_NAME = 'sieve-synthetic-v1';

export type GenerateOptions = GeneratorOptionsInput & {
  count: number;
  seed: number;
  /** Question texts that must not be produced (e.g. other splits). */
  exclude?: ReadonlySet<string>;
  /** Recorded in meta. */
  split?: string;
};

/** Draws whose text was new, in a row, before we decide the knob space is exhausted. */
const missLimit = (count: number) => Math.max(2_000, 20 * count);

function draw(rng: Rng, o: GeneratorOptions): { style: Style; draft: Draft | null } {
  const style: Style =
    o.styles.length === 1 ? (o.styles[0] as Style) : rng.next() < o.wordRatio ? 'word' : 'bare';
  const operations = rng.int(o.minOperations, o.maxOperations);
  return { style, draft: style === 'word' ? wordDraft(rng, o, operations) : bareDraft(rng, o, operations) };
}

function toQuestion(d: Draft, style: Style, o: GeneratorOptions, seed: number, index: number, split: string | undefined): NewQuestion {
  return {
    text: d.text,
    goldAnswer: String(d.answer),
    goldSolution: [...d.lines, `#### ${d.answer}`].join('\n'),
    difficulty: d.operations,
    meta: {
      generator: GENERATOR_NAME,
      style,
      operations: d.operations,
      operands: d.operands,
      kinds: d.kinds,
      knobs: o,
      split: split ?? null,
      seed,
      index,
    },
  };
}

/**
 * `count` distinct questions (by text), none in `exclude`; the same seed and knobs give
 * the same list. Throws InputError when the knobs cannot yield that many distinct ones.
 */
export function generateQuestions(opts: GenerateOptions): NewQuestion[] {
  const { count, seed, exclude, split, ...knobs } = opts;
  if (!Number.isInteger(count) || count < 0)
    throw new InputError(`count must be a non-negative integer, got ${count}`, { where: 'generator options' });
  if (!Number.isInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`, { where: 'generator options' });
  const o = resolveGeneratorOptions(knobs);
  const rng = createRng(seed);
  const seen = new Set<string>();
  const out: NewQuestion[] = [];
  let misses = 0;
  let attempts = 0;
  while (out.length < count) {
    attempts++;
    const { style, draft } = draw(rng, o);
    if (draft === null || seen.has(draft.text) || exclude?.has(draft.text)) {
      if (++misses > missLimit(count)) {
        throw new InputError(
          `the generator knobs allow too few distinct questions: got ${out.length} of the ${count} requested ` +
            `(${misses} draws in a row gave nothing new, ${attempts} in all)`,
          {
            where: split === undefined ? 'generator options' : `split "${split}"`,
            hint: 'widen the knob space (more operations, more digits per operand, more operators, both styles) or ask for fewer questions',
          },
        );
      }
      continue;
    }
    misses = 0;
    seen.add(draft.text);
    out.push(toQuestion(draft, style, o, seed, out.length, split));
  }
  return out;
}

export interface SplitSpec {
  name: string;
  /** Base knobs: a preset name ("id", "ood"); `options` override it. */
  preset?: string;
  options?: GeneratorOptionsInput;
  count: number;
}

/**
 * Several named splits with no question text shared between any two of them. Each split's
 * seed comes from (seed, name), so a split does not change when another is added after it;
 * later splits skip the texts of earlier ones.
 */
export function generateSplits(opts: { seed: number; splits: SplitSpec[]; exclude?: ReadonlySet<string> }): Record<string, NewQuestion[]> {
  const taken = new Set<string>(opts.exclude ?? []);
  const out: Record<string, NewQuestion[]> = {};
  for (const spec of opts.splits) {
    if (Object.prototype.hasOwnProperty.call(out, spec.name))
      throw new InputError(`split "${spec.name}" is listed twice`, { hint: 'give each split a distinct name' });
    const knobs = resolveGeneratorOptions(spec.options ?? {}, spec.preset);
    const seed = mixSeed(opts.seed, parseInt(sha256(spec.name).slice(0, 8), 16));
    const qs = generateQuestions({ ...knobs, count: spec.count, seed, exclude: taken, split: spec.name });
    for (const q of qs) taken.add(q.text);
    out[spec.name] = qs;
  }
  return out;
}
