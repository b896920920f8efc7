/** Training hyper-parameters: defaults and validation at the edge (errors name the CLI flag). */
import { InputError } from '@sieve/core';

export interface TrainHyper {
  seed: number;
  steps: number;
  /** Examples (pairs for dpo) per micro-batch. */
  batchSize: number;
  /** Micro-batches accumulated per update. */
  gradAccum: number;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  /** Final learning rate as a fraction of lr. */
  minLrRatio: number;
  weightDecay: number;
  /** Max global gradient norm; 0 = no clipping. */
  clip: number;
  dftMinProb: number;
  iwMaxWeight: number;
  dpoBeta: number;
  asftKl: number;
  /** Held-out evaluation every N steps and at the end; 0 = never (and nothing is held out). */
  evalEvery: number;
  /** Resumable state every N steps; 0 = only the final checkpoint. */
  checkpointEvery: number;
  /** Share of the dataset's prompts held out for evaluation (at least one prompt). */
  evalFraction: number;
  /** At most this many held-out examples are evaluated. */
  evalMax: number;
}

/** Defaults sized for the tiny offline models: a run takes seconds to minutes on 2 cores. */
export const TRAIN_DEFAULTS: TrainHyper = {
  seed: 1,
  steps: 100,
  batchSize: 8,
  gradAccum: 1,
  lr: 3e-4,
  warmupSteps: 10,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  clip: 1,
  dftMinProb: 0,
  iwMaxWeight: 16,
  dpoBeta: 0.1,
  asftKl: 0.1,
  evalEvery: 25,
  checkpointEvery: 25,
  evalFraction: 0.05,
  evalMax: 256,
};

const FLAGS: Record<keyof TrainHyper, string> = {
  seed: '--seed',
  steps: '--steps',
  batchSize: '--batch-size',
  gradAccum: '--grad-accum',
  lr: '--lr',
  warmupSteps: '--warmup',
  minLrRatio: '--min-lr-ratio',
  weightDecay: '--weight-decay',
  clip: '--clip',
  dftMinProb: '--dft-min-prob',
  iwMaxWeight: '--iw-max-weight',
  dpoBeta: '--dpo-beta',
  asftKl: '--asft-kl',
  evalEvery: '--eval-every',
  checkpointEvery: '--checkpoint-every',
  evalFraction: '--eval-fraction',
  evalMax: '--eval-max',
};

/** Fills defaults and checks every value; throws InputError naming the flag. */
export function resolveHyper(input: Partial<TrainHyper>): TrainHyper {
  const h: TrainHyper = { ...TRAIN_DEFAULTS };
  for (const [k, v] of Object.entries(input)) if (v !== undefined && k in FLAGS) (h as unknown as Record<string, number>)[k] = v as number;
  // The default warmup never exceeds a short run.
  if (input.warmupSteps === undefined && Number.isInteger(h.steps) && h.steps >= 1) h.warmupSteps = Math.min(TRAIN_DEFAULTS.warmupSteps, h.steps);
  const check = (k: keyof TrainHyper, ok: (v: number) => boolean, expected: string): void => {
    const v = h[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new InputError(`${k} = ${String(v)} is invalid: expected ${expected}`, { where: FLAGS[k], hint: `set ${FLAGS[k]} to ${expected}` });
    }
  };
  const int = (lo: number) => (v: number) => Number.isInteger(v) && v >= lo;
  check('seed', Number.isInteger, 'an integer');
  check('steps', int(1), 'an integer ≥ 1');
  check('batchSize', int(1), 'an integer ≥ 1');
  check('gradAccum', int(1), 'an integer ≥ 1');
  check('lr', (v) => v > 0, 'a positive number');
  check('warmupSteps', (v) => Number.isInteger(v) && v >= 0 && v <= h.steps, `an integer in [0, steps = ${h.steps}]`);
  check('minLrRatio', (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  check('weightDecay', (v) => v >= 0, 'a number ≥ 0');
  check('clip', (v) => v >= 0, 'a number ≥ 0 (0 = no clipping)');
  check('dftMinProb', (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  check('iwMaxWeight', (v) => v > 0, 'a positive number');
  check('dpoBeta', (v) => v > 0, 'a positive number');
  check('asftKl', (v) => v >= 0, 'a number ≥ 0');
  check('evalEvery', int(0), 'an integer ≥ 0 (0 = never)');
  check('checkpointEvery', int(0), 'an integer ≥ 0 (0 = only at the end)');
  check('evalFraction', (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  check('evalMax', int(1), 'an integer ≥ 1');
  return h;
}
