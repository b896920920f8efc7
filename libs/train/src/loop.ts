/**
 * The training loop shared by `trainModel` and `pretrain`: gradient accumulation weighted by
 * each micro-batch's loss units, global-norm clipping, AdamW with warmup + cosine decay,
 * held-out evaluation, resumable state every N steps, and per-step metrics in the store.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import type { Store } from '@sieve/store';
import type { Tokenizer } from '@sieve/model';
import { AdamW } from './adamw';
import type { TokenBatch } from './batch';
import { clipByGlobalNorm, disposeGrads, type Grads } from './clip';
import { DataOrder } from './data-order';
import { microEval, microGrads, unitsOf, type MicroOutput, type ObjectiveContext } from './objective';
import { ReplicaPool } from './parallel/replica-pool';
import { replicaCount, shardBatches } from './parallel/shards';
import { lrAt, type LrSchedule } from './schedule';
import { addToHistogram, emptyHistogram, probStatsOf } from './stats';
import { saveTrainState, type SavedTrainState } from './train-state';

export const PHIST_BINS = 20;

export interface LoopOptions {
  steps: number;
  /** Examples (pairs for dpo) per micro-batch. */
  batchSize: number;
  /** Micro-batches per update. */
  gradAccum: number;
  /** Gradient shards per micro-batch (see parallel/shards.ts). */
  shards: number;
  /** Threads computing the shards (0 = every core); the result does not depend on it. */
  workers: number;
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  weightDecay: number;
  /** Max global gradient norm; 0 = no clipping (the norm is still logged). */
  clip: number;
  /** Held-out evaluation every N steps and at the end; 0 = never. */
  evalEvery: number;
  /** Resumable state every N steps; 0 = never (only the final checkpoint). */
  checkpointEvery: number;
  dataSeed: number;
  /** Steps with a non-finite loss or gradient norm skipped before the run fails (default 3). */
  maxSkippedSteps?: number;
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  ce: number;
  meanP: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  evalLoss?: number;
}

/** A training set that turns example indices into a padded batch. */
export interface BatchSource {
  size: number;
  batch(indices: number[]): TokenBatch;
  /** Positions example i's row takes in a batch (ids − 1; a pair: its longer side). */
  length(i: number): number;
}

export interface LoopInput {
  ctx: ObjectiveContext;
  tokenizer: Tokenizer;
  train: BatchSource;
  evalBatches: TokenBatch[];
  opts: LoopOptions;
  store: Store;
  runId: number;
  stateDir: string;
  fingerprint: string;
  /** Loaded resume state (parameters already restored into ctx.model). */
  resume?: SavedTrainState | null;
  /** Called after every step (its metrics are in the store); throwing aborts the run. */
  onProgress?: (p: TrainProgress) => void;
}

export interface LoopResult {
  steps: number;
  startStep: number;
  finalLoss: number;
  finalEval: Record<string, number> | null;
  skippedSteps: number;
}

type Values = Record<string, number | number[]>;

function pooled(outs: readonly MicroOutput[], withHist: boolean): Values {
  const total = outs.reduce((a, o) => a + o.units, 0);
  const loss = outs.reduce((a, o) => a + (o.units / Math.max(total, 1e-12)) * o.loss, 0);
  const lp = Float64Array.from(outs.flatMap((o) => Array.from(o.logProbs)));
  const s = probStatsOf(lp);
  const v: Values = { loss, ce: s.ce, meanP: s.meanP, q10: s.q10, q25: s.q25, q50: s.q50, q75: s.q75, q90: s.q90, tokens: s.tokens };
  const dpo = outs.map((o) => o.dpo).filter((d) => d !== undefined);
  if (dpo.length) {
    const pairs = dpo.reduce((a, d) => a + d.pairs, 0);
    const mean = (k: 'rewardMargin' | 'accuracy' | 'chosenReward' | 'rejectedReward'): number => dpo.reduce((a, d) => a + d[k] * d.pairs, 0) / Math.max(pairs, 1);
    Object.assign(v, { rewardMargin: mean('rewardMargin'), accuracy: mean('accuracy'), chosenReward: mean('chosenReward'), rejectedReward: mean('rejectedReward') });
  }
  if (withHist) v['pHist'] = addToHistogram(emptyHistogram(PHIST_BINS, 0, 1), lp.map(Math.exp)).counts;
  return v;
}

/** Loss and statistics over the held-out batches (no gradients). */
export function evaluateBatches(ctx: ObjectiveContext, batches: readonly TokenBatch[]): Values {
  return pooled(
    batches.map((b) => microEval(ctx, b)),
    true,
  );
}

/**
 * Sum over micro-batches of (units_i / Σ units) · ∇loss_i, so A micro-batches give the
 * gradient of one batch of all their examples (the losses are means over units: tokens,
 * sequences or pairs). The caller owns the returned gradients (undefined: no loss unit at all).
 */
export function accumulateGrads(ctx: ObjectiveContext, batches: readonly TokenBatch[]): { grads: Grads | undefined; outs: MicroOutput[] } {
  const total = batches.reduce((a, b) => a + unitsOf(ctx.method, b), 0);
  const outs: MicroOutput[] = [];
  let acc: Grads | undefined;
  try {
    for (const b of batches) {
      const units = unitsOf(ctx.method, b);
      if (units === 0) continue;
      const { grads, out } = microGrads(ctx, b, units / total);
      outs.push(out);
      if (acc === undefined) acc = grads;
      else {
        const sum: Grads = {};
        for (const [name, g] of Object.entries(grads)) sum[name] = tf.add(acc[name] as tf.Tensor, g);
        disposeGrads(acc);
        disposeGrads(grads);
        acc = sum;
      }
    }
  } catch (err) {
    disposeGrads(acc);
    throw err;
  }
  return { grads: acc, outs };
}

/** One update: accumulate the shards' gradients (on the replicas, if any), clip, step. Returns its metrics. */
async function trainStep(input: LoopInput, pool: ReplicaPool | null, order: DataOrder, opt: AdamW, step: number, lr: number, withHist: boolean): Promise<{ values: Values; inputTokens: number; skipped: boolean; nonFinite: boolean }> {
  const { ctx, opts } = input;
  const batches = shardBatches(input.train, order, step, opts);
  const { grads: acc, outs } = pool ? await pool.accumulate(batches) : accumulateGrads(ctx, batches);
  try {
    const values = pooled(outs, withHist);
    let skipped = true;
    let nonFinite = outs.length > 0 && !Number.isFinite(values['loss'] as number);
    if (acc) {
      const { grads, norm } = clipByGlobalNorm(acc, opts.clip > 0 ? opts.clip : Infinity);
      nonFinite ||= !Number.isFinite(norm);
      try {
        if (!nonFinite) {
          opt.step(grads, lr);
          skipped = false;
        }
      } finally {
        disposeGrads(grads);
      }
      values['gradNorm'] = norm;
    }
    if (skipped) values['skipped'] = 1;
    return { values, inputTokens: batches.reduce((a, b) => a + b.inputTokens, 0), skipped, nonFinite };
  } finally {
    disposeGrads(acc);
  }
}

/** Thrown when a run has more non-finite steps than it may skip; the session marks the run failed. */
export class TrainingDivergedError extends SieveError {
  constructor(message: string, opts: { where: string; hint: string }) {
    super(message, opts);
    this.name = 'TrainingDivergedError';
  }
}

function divergedError(d: { run: string; step: number; steps: number; loss: number; gradNorm: number | undefined; count: number; peakLr: number; lastSaved: number; stateDir: string }): TrainingDivergedError {
  const kept = d.lastSaved > 0 ? `the last good state (step ${d.lastSaved}) is kept in ${d.stateDir}` : 'no state had been saved before it diverged (see --checkpoint-every)';
  return new TrainingDivergedError(
    `training diverged at step ${d.step} of ${d.steps}: loss ${d.loss}, gradient norm ${d.gradNorm ?? 'n/a'} ` +
      `(${d.count} steps with a non-finite loss or gradient norm; at most ${d.count - 1} are skipped)`,
    {
      where: `training run ${d.run}, step ${d.step}`,
      hint: `lower the learning rate (--lr, now ${d.peakLr}) or clip gradients (--clip); ${kept}; the run is recorded as failed`,
    },
  );
}

export async function runLoop(input: LoopInput): Promise<LoopResult> {
  const { ctx, opts, store, runId } = input;
  const schedule: LrSchedule = { peak: opts.lr, warmupSteps: opts.warmupSteps, totalSteps: opts.steps, minRatio: opts.minLrRatio };
  const order = new DataOrder(input.train.size, opts.dataSeed);
  const opt = new AdamW(ctx.model.params, { weightDecay: opts.weightDecay });
  const startStep = input.resume?.loop.step ?? 0;
  let finalLoss = NaN;
  let finalEval: Record<string, number> | null = null;
  let skippedSteps = 0;
  let nonFiniteSteps = 0;
  let lastSaved = startStep; // the last step whose state is on disk (0: the start checkpoint)
  const replicas = replicaCount(opts.workers, opts);
  let pool: ReplicaPool | null = null;
  try {
    if (replicas > 1) pool = await ReplicaPool.open(ctx, replicas);
    if (input.resume) opt.setState(input.resume.optimizer);
    store.training.truncateMetrics(runId, startStep);
    for (let step = startStep + 1; step <= opts.steps; step++) {
      const lr = lrAt(step, schedule);
      const t0 = performance.now();
      const { values, inputTokens, skipped, nonFinite } = await trainStep(input, pool, order, opt, step, lr, step === 1 || step === opts.steps);
      const seconds = (performance.now() - t0) / 1000;
      if (skipped) skippedSteps++;
      if (nonFinite) nonFiniteSteps++;
      values['lr'] = lr;
      values['tokensPerSec'] = inputTokens / Math.max(seconds, 1e-9);
      const rows: { step: number; kind: 'train' | 'eval'; values: Values }[] = [{ step, kind: 'train', values }];
      finalLoss = values['loss'] as number;
      let evalLoss: number | undefined;
      if (opts.evalEvery > 0 && input.evalBatches.length > 0 && (step % opts.evalEvery === 0 || step === opts.steps)) {
        const ev = evaluateBatches(ctx, input.evalBatches);
        rows.push({ step, kind: 'eval', values: ev });
        evalLoss = ev['loss'] as number;
        if (step === opts.steps) finalEval = Object.fromEntries(Object.entries(ev).filter((e): e is [string, number] => typeof e[1] === 'number'));
      }
      store.transaction(() => {
        store.training.addMetrics(runId, rows);
        store.training.setProgress(runId, step);
      });
      if (nonFinite && nonFiniteSteps > (opts.maxSkippedSteps ?? 3)) {
        throw divergedError({ run: store.training.get(runId)?.name ?? String(runId), step, steps: opts.steps, loss: values['loss'] as number, gradNorm: values['gradNorm'] as number | undefined, count: nonFiniteSteps, peakLr: opts.lr, lastSaved, stateDir: input.stateDir });
      }
      if (opts.checkpointEvery > 0 && step % opts.checkpointEvery === 0 && step < opts.steps && !nonFinite) {
        const position = order.positionAfter(step, opts.gradAccum, opts.batchSize);
        await saveTrainState(input.stateDir, {
          config: ctx.model.config,
          tokenizer: input.tokenizer,
          params: ctx.model.params,
          optimizer: opt.getState(),
          loop: { step, ...position, dataSeed: opts.dataSeed, fingerprint: input.fingerprint },
        });
        lastSaved = step;
      }
      input.onProgress?.({
        step,
        steps: opts.steps,
        loss: finalLoss,
        ce: values['ce'] as number,
        meanP: values['meanP'] as number,
        lr,
        gradNorm: (values['gradNorm'] as number | undefined) ?? NaN,
        tokensPerSecond: values['tokensPerSec'] as number,
        ...(evalLoss === undefined ? {} : { evalLoss }),
      });
    }
  } finally {
    opt.dispose();
    await pool?.close();
  }
  return { steps: opts.steps, startStep, finalLoss, finalEval, skippedSteps };
}
