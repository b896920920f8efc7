import { InputError } from '@sieve/core';

export interface LrSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Final learning rate as a fraction of peak, in [0, 1]. */
  minRatio: number;
}

export function checkSchedule(s: LrSchedule): void {
  const bad = (field: string, value: number, expected: string): never => {
    throw new InputError(`learning-rate schedule ${field} = ${value} is invalid: expected ${expected}`, {
      where: `train.${field}`,
      hint: `set ${field} to ${expected}`,
    });
  };
  if (!(Number.isFinite(s.peak) && s.peak >= 0)) bad('peak', s.peak, 'a finite number ≥ 0');
  if (!(Number.isInteger(s.totalSteps) && s.totalSteps >= 1)) bad('totalSteps', s.totalSteps, 'an integer ≥ 1');
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0 && s.warmupSteps <= s.totalSteps)) {
    bad('warmupSteps', s.warmupSteps, `an integer in [0, totalSteps = ${s.totalSteps}]`);
  }
  if (!(s.minRatio >= 0 && s.minRatio <= 1)) bad('minRatio', s.minRatio, 'a number in [0, 1]');
}

/**
 * Learning rate for update number `step`: linear warmup from 0 (step 0) to peak
 * (step = warmupSteps), then half a cosine from peak down to peak·minRatio at
 * step = totalSteps, and flat after. Pass the 1-based number of the update being taken
 * (1 … totalSteps) so the first update already moves (peak/warmupSteps) and the last one
 * uses the floor. Without warmup, step 0 is at peak; with warmupSteps = totalSteps the rate
 * stays at peak after warmup.
 */
export function lrAt(step: number, s: LrSchedule): number {
  checkSchedule(s);
  const { peak, warmupSteps, totalSteps, minRatio } = s;
  if (step <= 0 && warmupSteps > 0) return 0;
  if (step < warmupSteps) return (peak * step) / warmupSteps;
  const span = totalSteps - warmupSteps;
  if (span === 0) return peak; // all warmup: no decay phase
  const progress = Math.min(1, Math.max(0, (step - warmupSteps) / span));
  const floor = peak * minRatio;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
