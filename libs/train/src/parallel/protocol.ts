/**
 * Messages between the training loop and its gradient workers (structured-clone friendly), and
 * the flat layout that parameters and gradients take in shared memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError, type SerializedError } from '@sieve/core';
import { copyTensorInto, tensorFromView, type ModelConfig } from '@sieve/model';
import type { TokenBatch } from '../batch';
import type { Grads } from '../clip';
import type { MethodOptions } from '../hyper';
import type { TrainMethod } from '../methods';
import type { MicroOutput } from '../objective';

/** Where each parameter sits in a flat float32 vector: names in the model's own order. */
export interface FlatLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  /** Total floats. */
  size: number;
}

export function flatLayout(params: Record<string, tf.Tensor>): FlatLayout {
  const names = Object.keys(params);
  const shapes = names.map((n) => [...(params[n] as tf.Tensor).shape]);
  const offsets: number[] = [];
  let size = 0;
  for (const s of shapes) {
    offsets.push(size);
    size += s.reduce((a, b) => a * b, 1);
  }
  return { names, shapes, offsets, size };
}

/** Copies tensors (parameters or gradients, by name) into `out` at their layout offsets. */
export function writeFlat(layout: FlatLayout, tensors: Record<string, tf.Tensor>, out: Float32Array): void {
  layout.names.forEach((name, i) => {
    const t = tensors[name];
    if (!t) throw new SieveError(`no tensor for parameter '${name}'`, { where: '@sieve/train parallel', hint: 'every replica must have the same parameters' });
    copyTensorInto(t, out, layout.offsets[i] as number);
  });
}

/** The parameters' slices of `flat` as new (unshared) arrays, by name. */
export function readFlat(layout: FlatLayout, flat: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  layout.names.forEach((name, i) => {
    const off = layout.offsets[i] as number;
    const n = (layout.shapes[i] as number[]).reduce((a, b) => a * b, 1);
    out.set(name, flat.slice(off, off + n)); // a copy: tfjs may keep the array it is given
  });
  return out;
}

/** Tensors from a flat vector (copied: `flat` may change later), keyed in the layout's order (the caller owns them). */
export function tensorsFromFlat(layout: FlatLayout, flat: Float32Array): Grads {
  const out: Grads = {};
  layout.names.forEach((name, i) => {
    const off = layout.offsets[i] as number;
    const shape = layout.shapes[i] as number[];
    out[name] = tensorFromView(flat.subarray(off, off + shape.reduce((a, b) => a * b, 1)), shape);
  });
  return out;
}

export interface WorkerInit {
  /** Replica index (1…R−1; the main thread is replica 0). */
  replica: number;
  config: ModelConfig;
  method: TrainMethod;
  opts: MethodOptions;
  backend: string;
  fastGrads: boolean;
  layout: FlatLayout;
  /** Float32 [size]: the parameters, written by the main thread before every step. */
  params: SharedArrayBuffer;
  /** Float32 [size]: the frozen reference model, or null. */
  ref: SharedArrayBuffer | null;
  /** Int32 [1 + R]: [0] the parameters' version, [r] the version replica r's gradients were written for. */
  control: SharedArrayBuffer;
  /** For the bootstrap: tsconfig with the path aliases, and the TS entry's URL. */
  tsconfig: string;
  entry: string;
}

export interface ShardJob {
  /** Position in the update's summation order (also the gradient slot). */
  slot: number;
  batch: TokenBatch;
  /** units_i / Σ units of the update. */
  weight: number;
}

export type ToWorker = { type: 'step'; version: number; grads: SharedArrayBuffer; jobs: ShardJob[] } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; version: number; outs: { slot: number; out: MicroOutput }[]; numTensors: number }
  | { type: 'error'; error: SerializedError };

