/**
 * One micro-batch of a training method: the loss (and its gradients), with the reference
 * model's outputs computed outside the gradient tape. Shapes: B rows, T positions, V vocab.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '@sieve/model';
import { batchTensors, disposeBatch, type BatchTensors, type TokenBatch } from './batch';
import { computeLoss, type TokenLossMethod } from './compute-loss';
import { dpoLoss, dpoStats, type DpoStats } from './dpo';
import { sequenceLogProbs, tokenLogProbs } from './log-probs';
import type { Grads } from './clip';
import type { MethodOptions } from './hyper';
import { methodRow, type TrainMethod } from './methods';

/** Methods that need the frozen start model. */
export function needsReference(method: TrainMethod, opts: MethodOptions): boolean {
  return methodRow(method).reference(opts);
}

export interface ObjectiveContext {
  model: Transformer;
  /** The frozen start model (never updated); null when the method needs none or every batch carries its cached outputs. */
  ref: Transformer | null;
  method: TrainMethod;
  opts: MethodOptions;
}

export interface MicroOutput {
  /** The method's loss on this micro-batch (unweighted). */
  loss: number;
  /** What the loss averages over: loss tokens (sft, dft, asft), sequences (iw-sft) or pairs (dpo). */
  units: number;
  /** log p(y_t) of the response tokens the statistics cover (the chosen responses for dpo). */
  logProbs: Float64Array;
  dpo?: DpoStats;
}

/** Accumulation weight of a micro-batch: the units its loss averages over. */
export function unitsOf(method: TrainMethod, b: TokenBatch): number {
  return methodRow(method).units(b);
}

function ref(ctx: ObjectiveContext): Transformer {
  if (!ctx.ref) throw new Error(`method ${ctx.method} needs the reference model`);
  return ctx.ref;
}

interface RefOutputs {
  logProbs?: tf.Tensor2D; // [B, T] iw-sft
  logits?: tf.Tensor3D; // [B, T, V] asft
  chosen?: tf.Tensor1D; // [P] dpo
  rejected?: tf.Tensor1D; // [P] dpo
}

/** The batch's cached reference outputs (reference-cache.ts) as tensors, or null when it has none for the method. */
function cachedOutputs(method: TrainMethod, b: TokenBatch): RefOutputs | null {
  const r = b.ref;
  if (method === 'dpo' && r?.seqLogProbs) {
    const p = b.rows / 2;
    return { chosen: tf.tensor1d(r.seqLogProbs.subarray(0, p)), rejected: tf.tensor1d(r.seqLogProbs.subarray(p, 2 * p)) };
  }
  if (method === 'iw-sft' && r?.logProbs) return { logProbs: tf.tensor2d(r.logProbs, [b.rows, b.length]) };
  if (method === 'asft' && r?.logits && r.vocab) return { logits: tf.tensor3d(r.logits, [b.rows, b.length, r.vocab]) };
  return null;
}

/** Reference outputs for the batch, as constants: cached with its examples, or a forward of the reference model outside any gradient tape. */
function referenceOutputs(ctx: ObjectiveContext, t: BatchTensors, b: TokenBatch): RefOutputs {
  const { method } = ctx;
  if (!needsReference(method, ctx.opts)) return {};
  const cached = cachedOutputs(method, b);
  if (cached) return cached;
  return tf.tidy(() => {
    const logits = ref(ctx).forward(t.inputs);
    if (method === 'iw-sft') return { logProbs: tokenLogProbs(logits, t.targets) };
    if (method === 'asft') return { logits };
    const seq = sequenceLogProbs(logits, t.targets, t.mask); // [2P]
    const p = seq.shape[0] / 2;
    return { chosen: tf.slice(seq, 0, p), rejected: tf.slice(seq, p, p) };
  }) as RefOutputs;
}

interface Objective {
  loss: tf.Scalar;
  logProbs: tf.Tensor2D; // [B, T]
  chosen?: tf.Tensor1D; // [P] dpo
  rejected?: tf.Tensor1D; // [P] dpo
}

function objective(ctx: ObjectiveContext, t: BatchTensors, r: RefOutputs): Objective {
  const { method, opts } = ctx;
  const logits = ctx.model.forward(t.inputs); // [B, T, V]
  if (method === 'dpo') {
    const logProbs = tokenLogProbs(logits, t.targets); // [2P, T]
    const seq = tf.sum(tf.mul(logProbs, t.mask), -1) as tf.Tensor1D; // [2P]
    const p = seq.shape[0] / 2;
    const chosen = tf.slice(seq, 0, p);
    const rejected = tf.slice(seq, p, p);
    const loss = dpoLoss(chosen, rejected, r.chosen as tf.Tensor, r.rejected as tf.Tensor, { beta: opts.dpoBeta });
    return { loss, logProbs, chosen, rejected };
  }
  // asft with no KL weight is DFT; it then needs no reference logits.
  const lossMethod: TokenLossMethod = method === 'asft' && !r.logits ? 'dft' : method;
  const out = computeLoss(
    lossMethod,
    { logits, targets: t.targets, mask: t.mask, refLogProbs: r.logProbs, refLogits: r.logits },
    { minProb: opts.dftMinProb, maxWeight: opts.iwMaxWeight, klWeight: opts.asftKl },
  );
  return { loss: out.loss, logProbs: out.logProbs };
}

/** Masked log p values of rows [0, rows) in row-major order. */
function selectedLogProbs(logProbs: tf.Tensor2D, b: TokenBatch, rows: number): Float64Array {
  const lp = logProbs.dataSync();
  const out: number[] = [];
  const n = rows * b.length;
  for (let i = 0; i < n; i++) if ((b.mask[i] ?? 0) > 0) out.push(lp[i] ?? 0);
  return Float64Array.from(out);
}

function summarize(ctx: ObjectiveContext, b: TokenBatch, o: Objective, r: RefOutputs, loss: number): MicroOutput {
  const isDpo = ctx.method === 'dpo';
  const out: MicroOutput = {
    loss,
    units: unitsOf(ctx.method, b),
    logProbs: selectedLogProbs(o.logProbs, b, isDpo ? b.rows / 2 : b.rows),
  };
  if (isDpo) {
    out.dpo = dpoStats(o.chosen as tf.Tensor, o.rejected as tf.Tensor, r.chosen as tf.Tensor, r.rejected as tf.Tensor, { beta: ctx.opts.dpoBeta });
  }
  return out;
}

function disposeAll(r: RefOutputs | Partial<Objective>): void {
  for (const t of Object.values(r)) (t as tf.Tensor | undefined)?.dispose();
}

/**
 * Gradients of weight · loss with respect to the model's parameters, keyed by parameter name
 * (the caller owns and disposes them), and the micro-batch's statistics.
 */
export function microGrads(ctx: ObjectiveContext, b: TokenBatch, weight: number): { grads: Grads; out: MicroOutput } {
  const names = Object.entries(ctx.model.params);
  const byVar = new Map(names.map(([name, v]) => [v.name, name]));
  const t = batchTensors(b);
  let r: RefOutputs = {};
  let kept: Partial<Objective> = {};
  try {
    r = referenceOutputs(ctx, t, b);
    const { value, grads } = tf.variableGrads(() => {
      const o = objective(ctx, t, r);
      // The forward pass runs in a tidy: keep what the statistics read afterwards.
      kept = { loss: tf.keep(tf.clone(o.loss)), logProbs: tf.keep(o.logProbs) };
      if (o.chosen && o.rejected) Object.assign(kept, { chosen: tf.keep(o.chosen), rejected: tf.keep(o.rejected) });
      return weight === 1 ? o.loss : (tf.mul(o.loss, weight) as tf.Scalar);
    }, names.map(([, v]) => v));
    value.dispose();
    const out: Grads = {};
    for (const [varName, g] of Object.entries(grads)) out[byVar.get(varName) ?? varName] = g;
    const loss = (kept.loss as tf.Scalar).dataSync()[0] ?? NaN;
    return { grads: out, out: summarize(ctx, b, kept as Objective, r, loss) };
  } finally {
    disposeAll(kept);
    disposeAll(r);
    disposeBatch(t);
  }
}

/** The loss and statistics of a batch without gradients (held-out evaluation). */
export function microEval(ctx: ObjectiveContext, b: TokenBatch): MicroOutput {
  const t = batchTensors(b);
  let r: RefOutputs = {};
  let o: Partial<Objective> = {};
  try {
    r = referenceOutputs(ctx, t, b);
    o = tf.tidy(() => objective(ctx, t, r) as unknown as tf.TensorContainer) as unknown as Objective;
    const loss = (o.loss as tf.Scalar).dataSync()[0] ?? NaN;
    return summarize(ctx, b, o as Objective, r, loss);
  } finally {
    disposeAll(o);
    disposeAll(r);
    disposeBatch(t);
  }
}
