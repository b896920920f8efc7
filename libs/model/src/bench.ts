/** Forward+backward throughput of the transformer on the active backend (for `sieve bench` / doctor). */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@sieve/core';
import { flopsPerToken, parseModelConfig, type ModelConfig, type ModelConfigInput } from './config';
import { fastGradsEnabled, oneHotFloat, setFastGrads } from './ops';
import { createModel, type Transformer } from './transformer';

export interface BenchOptions {
  batch: number;
  seq: number;
  /** Timed steps, after one untimed warm-up step. */
  steps: number;
  fastGrads: boolean;
  seed?: number;
}

export interface BenchResult {
  tokensPerSecond: number;
  msPerStep: number;
  /** Effective GFLOP/s by `flopsPerToken` (forward + backward, no optimizer). */
  gflops: number;
}

/** Mean next-token cross-entropy of logits [B, T, V] against targets [B, T] int32. */
export function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [b, t, v] = logits.shape;
    const logp = tf.logSoftmax(tf.reshape(logits, [b * t, v]));
    const picked = tf.sum(tf.mul(logp, oneHotFloat(tf.reshape(targets, [b * t]) as tf.Tensor1D, v)), -1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** One forward+backward pass; returns the loss value. Gradients are computed and dropped. */
export function forwardBackwardStep(model: Transformer, tokens: tf.Tensor2D, targets: tf.Tensor2D): number {
  const vars = Object.values(model.params);
  const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(tokens), targets), vars);
  const loss = value.dataSync()[0] ?? NaN;
  value.dispose();
  tf.dispose(grads);
  return loss;
}

/** Times `steps` forward+backward passes on random tokens. Needs an initialised backend (`initBackend`). */
export function benchForwardBackward(config: ModelConfigInput | ModelConfig, opts: BenchOptions): BenchResult {
  const c = parseModelConfig(config);
  const before = fastGradsEnabled();
  setFastGrads(opts.fastGrads);
  const model = createModel(c, { seed: opts.seed ?? 1 });
  const rng = createRng(opts.seed ?? 1);
  const randomIds = (): tf.Tensor2D =>
    tf.tensor2d(Int32Array.from({ length: opts.batch * opts.seq }, () => rng.int(0, c.vocabSize - 1)), [opts.batch, opts.seq], 'int32');
  const tokens = randomIds();
  const targets = randomIds();
  try {
    forwardBackwardStep(model, tokens, targets); // warm-up: kernel setup, allocator growth
    const start = performance.now();
    for (let i = 0; i < opts.steps; i++) forwardBackwardStep(model, tokens, targets);
    const msPerStep = (performance.now() - start) / Math.max(1, opts.steps);
    const tokensPerStep = opts.batch * opts.seq;
    const tokensPerSecond = (tokensPerStep * 1000) / msPerStep;
    return { tokensPerSecond, msPerStep, gflops: (tokensPerSecond * flopsPerToken(c, opts.seq)) / 1e9 };
  } finally {
    tokens.dispose();
    targets.dispose();
    model.dispose();
    setFastGrads(before);
  }
}
