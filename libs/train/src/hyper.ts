/**
 * Training hyper-parameters: one zod schema each for the loop and the methods, with their defaults
 * and descriptions. The pipeline config (`train`, `pretrain`), the CLI flags of `sieve train`,
 * `sieve pretrain` and `sieve bench train`, and the library defaults all come from here.
 */
import { z } from 'zod';
import { InputError } from '@sieve/core';

const int = (lo = 0) => z.number().int().min(lo).max(Number.MAX_SAFE_INTEGER);
const unit = z.number().min(0).max(1);

/** The training loop's options (shared by pretraining and every method). */
export const LoopHyperSchema = z.strictObject({
  seed: int().default(1).describe('seed of the data order (and of the initialisation for pretrain)'),
  steps: int(1).default(100).describe('optimizer updates'),
  batchSize: int(1).default(8).describe('examples per micro-batch (pairs for dpo)'),
  gradAccum: int(1).default(1).describe('micro-batches accumulated per update, weighted by their loss units'),
  lr: z.number().positive().default(3e-4).describe('peak learning rate'),
  warmupSteps: int().default(10).describe('linear warmup steps, then cosine decay (at most steps)'),
  minLrRatio: unit.default(0.1).describe('final learning rate as a fraction of lr'),
  weightDecay: z.number().min(0).default(0.01).describe('AdamW decoupled weight decay'),
  clip: z.number().min(0).default(1).describe('max global gradient norm, 0 = no clipping'),
  evalEvery: int().default(25).describe('held-out loss every N steps and at the end, 0 = never (nothing held out)'),
  checkpointEvery: int().default(25).describe('save resumable state every N steps, 0 = only at the end'),
  evalFraction: z.number().min(0).lt(1).default(0.05).describe('share of prompts held out for evaluation (at least one)'),
  evalMax: int(1).default(256).describe('at most this many held-out examples are evaluated'),
  maxSkippedSteps: int().default(3).describe('steps with a non-finite loss or gradient norm skipped (no update) before the run fails'),
  shards: int(1)
    .default(1)
    .describe('gradient shards per micro-batch: its examples, ordered by length, split into this many parts (each padded to its own longest row) whose gradients are summed in a fixed order (the unit of parallel work; changes results by float rounding only)'),
  workers: int().default(0).describe('threads computing gradient shards in parallel (at most gradAccum × shards are used), 0 = all cores; results do not depend on it'),
});

/** Options of the losses (each read only by its method; see the methods table). */
export const MethodHyperSchema = z.strictObject({
  dftMinProb: unit.default(0).describe('DFT: floor on the stop-gradient weight p(y_t)'),
  iwMaxWeight: z.number().positive().default(16).describe('iw-SFT: cap on the sequence importance weight'),
  dpoBeta: z.number().positive().default(0.1).describe('DPO: β, the strength of the implicit KL penalty'),
  asftKl: z.number().min(0).default(0.1).describe('ASFT: weight of the token KL to the start model'),
});

export const TrainHyperSchema = LoopHyperSchema.extend(MethodHyperSchema.shape);

const loop = LoopHyperSchema.shape;
/** A loop option with another default, keeping its description. */
const withDefault = (field: z.ZodDefault<z.ZodNumber>, value: number): z.ZodDefault<z.ZodNumber> => field.unwrap().default(value).describe(field.description ?? '');

/** The loop's options with pretraining's defaults (a tiny model from scratch: more steps, a larger lr). */
export const PretrainHyperSchema = LoopHyperSchema.extend({
  steps: withDefault(loop.steps, 150),
  batchSize: withDefault(loop.batchSize, 16),
  lr: withDefault(loop.lr, 3e-3),
  warmupSteps: withDefault(loop.warmupSteps, 20),
  evalEvery: withDefault(loop.evalEvery, 100),
  checkpointEvery: withDefault(loop.checkpointEvery, 100),
});

export type LoopHyper = z.output<typeof LoopHyperSchema>;
export type MethodOptions = z.output<typeof MethodHyperSchema>;
export type TrainHyper = z.output<typeof TrainHyperSchema>;

/**
 * Loop keys added after runs existed, with the value that behaves as before they did: at that value a
 * stage leaves them out of its slice, so the fingerprints of older runs still hold.
 */
export const NEUTRAL_LOOP_VALUES = { shards: 1, workers: 0 } as const;

type NeutralKey = keyof typeof NEUTRAL_LOOP_VALUES;
/** H with the neutral keys optional: what a stage's slice holds. */
export type WithoutNeutral<H> = Omit<H, NeutralKey> & Partial<Pick<H, NeutralKey & keyof H>>;

/** `h` without the keys that sit at their neutral value (see NEUTRAL_LOOP_VALUES). */
export function withoutNeutral<H extends object>(h: H): WithoutNeutral<H> {
  return Object.fromEntries(Object.entries(h).filter(([k, v]) => !(k in NEUTRAL_LOOP_VALUES && NEUTRAL_LOOP_VALUES[k as NeutralKey] === v))) as WithoutNeutral<H>;
}

/**
 * The hyper-parameters that determine a run's result, as its run record fingerprints them: all but
 * `workers`, and `shards` only when not 1 (so a resumed run may use another worker count, and runs
 * recorded before shards existed still match).
 */
export function resultHyper<H extends { workers: number; shards: number }>(h: H): Omit<WithoutNeutral<H>, 'workers'> {
  const { workers: _workers, ...rest } = withoutNeutral(h);
  return rest;
}

/** Every default, from the schema. */
export const TRAIN_DEFAULTS: TrainHyper = TrainHyperSchema.parse({});

/** `--batch-size` for `batchSize`: the CLI flag of a hyper-parameter. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Fills defaults (of `schema`: TrainHyperSchema or PretrainHyperSchema) and checks every value
 * (warmup at most steps; its default never exceeds a short run).
 * @throws InputError naming the CLI flag of the first bad value.
 */
export function resolveHyper(input: Partial<Record<keyof TrainHyper, number | undefined>>, schema: z.ZodObject = TrainHyperSchema): TrainHyper {
  const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k in schema.shape));
  const res = TrainHyperSchema.safeParse({ ...(schema.parse({}) as object), ...given });
  if (!res.success) {
    const issue = res.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    throw new InputError(`${key} = ${String(given[key])} is invalid: ${issue?.message ?? 'bad value'}`, { where: flagOf(key), hint: `fix ${flagOf(key)} (see --help)` });
  }
  const h = res.data;
  if (input.warmupSteps === undefined) h.warmupSteps = Math.min(h.warmupSteps, h.steps);
  if (h.warmupSteps > h.steps) {
    throw new InputError(`warmupSteps = ${h.warmupSteps} is more than steps = ${h.steps}`, { where: flagOf('warmupSteps'), hint: `set ${flagOf('warmupSteps')} to at most ${h.steps}` });
  }
  if (h.shards > h.batchSize) {
    throw new InputError(`shards = ${h.shards} is more than batchSize = ${h.batchSize}: a shard would be empty`, { where: flagOf('shards'), hint: `set ${flagOf('shards')} to at most ${h.batchSize}` });
  }
  return h;
}

/**
 * The gradient workers a stage instance uses when the runner gives it `threads` CPU threads
 * (`StageRunContext.threads`, set when instances run side by side): `workers` (0 = all cores)
 * capped to them. Results do not depend on it.
 */
export function workersWithin(workers: number, threads: number | undefined): number {
  if (threads === undefined) return workers;
  return workers === 0 ? threads : Math.min(workers, threads);
}
