/**
 * The training methods, one row each: what they train on, whether they need the frozen start model,
 * what their loss averages over, and which loss computes it. The train stage, the objective and the
 * CLI read this table; nothing else names a method.
 */
import type { TokenBatch } from './batch';
import type { MethodOptions } from './hyper';

export interface MethodRow {
  summary: string;
  /** The dataset kind the method trains on: kept RFT examples, or (chosen, rejected) pairs. */
  dataset: 'rft' | 'pairs';
  /** Needs the frozen start model as a reference. */
  reference(opts: MethodOptions): boolean;
  /** Accumulation weight of a micro-batch: the units its loss averages over. */
  units(b: TokenBatch): number;
  /** The method's options (keys of MethodOptions) it reads; the others stay out of its fingerprint. */
  options: readonly (keyof MethodOptions)[];
}

const tokens = (b: TokenBatch): number => b.tokens;

export const METHODS = {
  sft: { summary: 'plain SFT loss; on the RFT dataset it is the RFT baseline', dataset: 'rft', reference: () => false, units: tokens, options: [] },
  dft: { summary: 'Dynamic Fine-Tuning: each token loss weighted by sg(p(y_t)) (Wu et al. 2025, eq. 9)', dataset: 'rft', reference: () => false, units: tokens, options: ['dftMinProb'] },
  'iw-sft': { summary: 'importance-weighted SFT (sequence weights from the start model)', dataset: 'rft', reference: () => true, units: (b) => b.sequences, options: ['iwMaxWeight'] },
  dpo: { summary: 'DPO on (correct, incorrect) pairs of the same question', dataset: 'pairs', reference: () => true, units: (b) => b.rows / 2, options: ['dpoBeta'] },
  asft: { summary: 'DFT plus a token KL to the start model (anchored SFT)', dataset: 'rft', reference: (o) => o.asftKl > 0, units: tokens, options: ['asftKl'] },
} as const satisfies Record<string, MethodRow>;

export type TrainMethod = keyof typeof METHODS;
export const TRAIN_METHODS = Object.keys(METHODS) as TrainMethod[];

export function isTrainMethod(s: string): s is TrainMethod {
  return Object.hasOwn(METHODS, s);
}

export const methodRow = (m: TrainMethod): MethodRow => METHODS[m];
