/** Full training-step throughput (forward, backward, clipping, AdamW) for `sieve bench train`. */
import { createRng } from '@sieve/core';
import { createModel, fastGradsEnabled, flopsPerToken, parseModelConfig, setFastGrads, type ModelConfigInput } from '@sieve/model';
import { AdamW } from './adamw';
import type { TokenBatch } from './batch';
import { clipByGlobalNorm, disposeGrads } from './clip';
import { microGrads } from './objective';

export interface BenchTrainOptions {
  batch: number;
  seq: number;
  /** Timed steps, after `warmup` untimed ones. */
  steps: number;
  warmup?: number;
  fastGrads: boolean;
  seed?: number;
}

export interface BenchTrainResult {
  params: number;
  batch: number;
  seq: number;
  steps: number;
  fastGrads: boolean;
  tokensPerSecond: number;
  msPerStep: number;
  /** Effective GFLOP/s by flopsPerToken (6 × params + attention, per token). */
  gflops: number;
}

/** Times SFT steps on random tokens (loss on every position). Needs an initialised backend. */
export function benchTrainStep(config: ModelConfigInput, o: BenchTrainOptions): BenchTrainResult {
  const c = parseModelConfig(config);
  const before = fastGradsEnabled();
  setFastGrads(o.fastGrads);
  const model = createModel(c, { seed: o.seed ?? 1 });
  const opt = new AdamW(model.params, { weightDecay: 0.01 });
  const rng = createRng(o.seed ?? 1);
  const n = o.batch * o.seq;
  const ids = Int32Array.from({ length: n + o.batch }, () => rng.int(4, c.vocabSize - 1));
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  for (let b = 0; b < o.batch; b++) {
    for (let t = 0; t < o.seq; t++) {
      inputs[b * o.seq + t] = ids[b * (o.seq + 1) + t] as number;
      targets[b * o.seq + t] = ids[b * (o.seq + 1) + t + 1] as number;
    }
  }
  const batch: TokenBatch = { rows: o.batch, length: o.seq, inputs, targets, mask: new Float32Array(n).fill(1), tokens: n, sequences: o.batch, inputTokens: n };
  const ctx = { model, ref: null, method: 'sft' as const, opts: { dftMinProb: 0, iwMaxWeight: 1, dpoBeta: 1, asftKl: 0 } };
  const step = (): void => {
    const { grads } = microGrads(ctx, batch, 1);
    const clipped = clipByGlobalNorm(grads, 1);
    opt.step(clipped.grads, 1e-4);
    disposeGrads(grads);
    disposeGrads(clipped.grads);
  };
  try {
    for (let i = 0; i < (o.warmup ?? 1); i++) step();
    const t0 = performance.now();
    for (let i = 0; i < o.steps; i++) step();
    const msPerStep = (performance.now() - t0) / Math.max(1, o.steps);
    const tokensPerSecond = (n * 1000) / msPerStep;
    return {
      params: model.paramCount(),
      batch: o.batch,
      seq: o.seq,
      steps: o.steps,
      fastGrads: o.fastGrads,
      tokensPerSecond,
      msPerStep,
      gflops: (tokensPerSecond * flopsPerToken(c, o.seq)) / 1e9,
    };
  } finally {
    opt.dispose();
    model.dispose();
    setFastGrads(before);
  }
}
