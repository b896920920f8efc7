import * as tf from '@tensorflow/tfjs-core';
import { InputError, SieveError } from '@sieve/core';
import { adamwKernel } from '@sieve/model';

/**
 * AdamW (Loshchilov & Hutter 2019) with PyTorch's conventions: decay is decoupled from the
 * gradient and scaled by the learning rate, p ← p·(1 − lr·λ), then
 * p ← p − lr · m̂ / (√v̂ + ε) with bias-corrected m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
 * Parameters without a gradient in a step are left untouched (no decay either).
 */
export interface AdamWConfig {
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999
  eps?: number; // default 1e-8
  weightDecay?: number; // λ, default 0
  /** Which parameters get weight decay; default: every name not containing "norm". */
  decayFilter?: (name: string) => boolean;
}

/** A tensor as plain data, for checkpoints. */
export interface SavedTensor {
  shape: number[];
  data: Float32Array;
}

export interface AdamWState {
  /** Number of updates taken so far (t of the bias correction). */
  step: number;
  m: Record<string, SavedTensor>;
  v: Record<string, SavedTensor>;
}

export const defaultDecayFilter = (name: string): boolean => !name.toLowerCase().includes('norm');

const WHERE = '@sieve/train AdamW';

function checkHyper(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new InputError(`AdamW ${name} = ${value} is invalid: expected ${expected}`, { where: WHERE, hint: `set ${name} to ${expected}` });
}

/** A non-trainable variable holding a copy of `init`, which is disposed. */
function ownVariable(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}

function save(t: tf.Tensor): SavedTensor {
  return { shape: [...t.shape], data: new Float32Array(t.dataSync()) };
}

export class AdamW {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly decayFilter: (name: string) => boolean;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  private t = 0;
  private disposed = false;

  constructor(
    private readonly params: Record<string, tf.Variable>,
    config: AdamWConfig = {},
  ) {
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    this.decayFilter = config.decayFilter ?? defaultDecayFilter;
    checkHyper('beta1', this.beta1, this.beta1 >= 0 && this.beta1 < 1, 'a number in [0, 1)');
    checkHyper('beta2', this.beta2, this.beta2 >= 0 && this.beta2 < 1, 'a number in [0, 1)');
    checkHyper('eps', this.eps, this.eps > 0, 'a positive number');
    checkHyper('weightDecay', this.weightDecay, this.weightDecay >= 0 && Number.isFinite(this.weightDecay), 'a finite number ≥ 0');
  }

  /** Updates taken so far. */
  get stepCount(): number {
    return this.t;
  }

  /** One update with learning rate `lr`. `grads` stay owned by the caller. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    this.checkAlive();
    checkHyper('lr', lr, Number.isFinite(lr) && lr >= 0, 'a finite number ≥ 0');
    const names = Object.keys(grads);
    for (const name of names) {
      const p = this.params[name];
      const g = grads[name] as tf.Tensor;
      if (!p) throw new SieveError(`gradient for unknown parameter '${name}'`, { where: WHERE, hint: 'pass the same parameter record to AdamW and to variableGrads' });
      if (!tf.util.arraysEqual(p.shape, g.shape)) {
        throw new SieveError(`gradient of '${name}' has shape [${g.shape}] but the parameter is [${p.shape}]`, { where: WHERE });
      }
      if (!this.m.has(name)) {
        this.m.set(name, ownVariable(tf.zerosLike(p)));
        this.v.set(name, ownVariable(tf.zerosLike(p)));
      }
    }
    this.t += 1;
    const { beta1, beta2, eps } = this;
    const bc1 = 1 - beta1 ** this.t;
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    tf.tidy(() => {
      for (const name of names) {
        const p = this.params[name] as tf.Variable;
        const g = grads[name] as tf.Tensor;
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const decay = this.weightDecay > 0 && this.decayFilter(name) ? 1 - lr * this.weightDecay : 1;
        const fused = adamwKernel(p, g, m, v, { beta1, beta2, eps, stepSize: lr / bc1, sqrtBc2, decay }); // the same floats in one pass, on wasm
        if (fused) {
          const [p1, m1, v1] = fused;
          p.assign(p1);
          m.assign(m1);
          v.assign(v1);
          continue;
        }
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), eps);
        const update = tf.div(tf.mul(m1, lr / bc1), denom);
        const base = decay === 1 ? p : tf.mul(p, decay);
        p.assign(tf.sub(base, update));
        m.assign(m1);
        v.assign(v1);
      }
    });
  }

  /** Plain-data copy of the moments and step counter, enough to resume bit-exactly. */
  getState(): AdamWState {
    this.checkAlive();
    const m: Record<string, SavedTensor> = {};
    const v: Record<string, SavedTensor> = {};
    for (const [name, t] of this.m) m[name] = save(t);
    for (const [name, t] of this.v) v[name] = save(t);
    return { step: this.t, m, v };
  }

  /** Replaces the optimiser state (the parameters themselves are restored by the caller). */
  setState(state: AdamWState): void {
    this.checkAlive();
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new SieveError(`optimizer state has step ${state.step}`, { where: WHERE, hint: 'the checkpoint is damaged: step must be an integer ≥ 0' });
    }
    const build = (kind: 'm' | 'v'): Map<string, tf.Variable> => {
      const out = new Map<string, tf.Variable>();
      for (const [name, saved] of Object.entries(state[kind])) {
        const p = this.params[name];
        const size = saved.shape.reduce((a, b) => a * b, 1);
        if (!p || !tf.util.arraysEqual(p.shape, saved.shape) || saved.data.length !== size) {
          out.forEach((t) => t.dispose());
          throw new SieveError(`optimizer state '${kind}.${name}' [${saved.shape}] does not fit the model`, {
            where: WHERE,
            hint: 'resume only from a checkpoint of the same model configuration',
          });
        }
        out.set(name, ownVariable(tf.tensor(saved.data, saved.shape, 'float32')));
      }
      return out;
    };
    const m = build('m');
    let v: Map<string, tf.Variable>;
    try {
      v = build('v');
    } catch (err) {
      m.forEach((t) => t.dispose());
      throw err;
    }
    if (m.size !== v.size || [...m.keys()].some((k) => !v.has(k))) {
      m.forEach((t) => t.dispose());
      v.forEach((t) => t.dispose());
      throw new SieveError('optimizer state has first and second moments for different parameters', { where: WHERE, hint: 'the checkpoint is damaged' });
    }
    this.disposeMoments();
    this.m = m;
    this.v = v;
    this.t = state.step;
  }

  /** Frees the moment variables (not the parameters). The optimiser is unusable afterwards. */
  dispose(): void {
    this.disposeMoments();
    this.disposed = true;
  }

  private disposeMoments(): void {
    this.m.forEach((t) => t.dispose());
    this.v.forEach((t) => t.dispose());
    this.m.clear();
    this.v.clear();
  }

  private checkAlive(): void {
    if (this.disposed) throw new SieveError('AdamW used after dispose()', { where: WHERE });
  }
}
