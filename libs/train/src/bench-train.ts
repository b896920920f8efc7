/**
 * Full training-step throughput (forward, backward, clipping, AdamW) for `sieve bench train`, with
 * 1, 2, … worker threads computing the step's gradient shards (the same shards for every count).
 */
import { loadavg } from 'node:os';
import { createRng } from '@sieve/core';
import { createModel, fastGradsEnabled, flopsPerToken, paramCountOf, parseModelConfig, setFastGrads, type ModelConfigInput } from '@sieve/model';
import { AdamW } from './adamw';
import type { TokenBatch } from './batch';
import { clipByGlobalNorm, disposeGrads } from './clip';
import { accumulateGrads } from './loop';
import type { ObjectiveContext } from './objective';
import { ReplicaPool } from './parallel/replica-pool';
import { replicaCount, splitEven } from './parallel/shards';

export interface BenchTrainOptions {
  batch: number;
  seq: number;
  /** Timed steps, after `warmup` untimed ones. */
  steps: number;
  warmup?: number;
  fastGrads: boolean;
  seed?: number;
  /** Worker counts to time (default [1]). */
  workers?: number[];
  /** Gradient shards the batch is cut into (default: the largest worker count). */
  shards?: number;
}

export interface BenchTrainRun {
  workers: number;
  /** Model replicas that computed shards (at most one per shard). */
  replicas: number;
  tokensPerSecond: number;
  msPerStep: number;
  /** Effective GFLOP/s by flopsPerToken (6 × params + attention, per token). */
  gflops: number;
  /** CPU time of the whole process (every thread) per step, and CPU time / wall time: the cores it really got. */
  cpuMsPerStep: number;
  coresUsed: number;
  /** Largest parameter difference after the run from the first worker count's (0: identical). */
  maxParamDiff: number;
}

export interface BenchTrainResult {
  params: number;
  batch: number;
  seq: number;
  steps: number;
  shards: number;
  fastGrads: boolean;
  /** os.loadavg() before and after (the machine may be shared: figures are noisy under load). */
  loadAverage: { before: number[]; after: number[] };
  runs: BenchTrainRun[];
  /** tokens/s with the most workers / with the fewest (null with one count). */
  speedup: number | null;
}

/** `shards` SFT batches of random tokens, rows split evenly (loss on every position). */
function randomShards(vocab: number, o: { batch: number; seq: number; shards: number; seed: number }): TokenBatch[] {
  const rng = createRng(o.seed);
  const rows = Array.from({ length: o.batch }, () => Int32Array.from({ length: o.seq + 1 }, () => rng.int(4, vocab - 1)));
  return splitEven(rows, o.shards).map((part) => {
    const n = part.length * o.seq;
    const inputs = new Int32Array(n);
    const targets = new Int32Array(n);
    part.forEach((ids, b) => {
      inputs.set(ids.subarray(0, o.seq), b * o.seq);
      targets.set(ids.subarray(1), b * o.seq);
    });
    return { rows: part.length, length: o.seq, inputs, targets, mask: new Float32Array(n).fill(1), tokens: n, sequences: part.length, inputTokens: n };
  });
}

async function timeRun(config: ModelConfigInput, o: BenchTrainOptions, shards: TokenBatch[], workers: number): Promise<{ run: Omit<BenchTrainRun, 'maxParamDiff'>; params: Float32Array[] }> {
  const c = parseModelConfig(config);
  const model = createModel(c, { seed: o.seed ?? 1 });
  const opt = new AdamW(model.params, { weightDecay: 0.01 });
  const ctx: ObjectiveContext = { model, ref: null, method: 'sft', opts: { dftMinProb: 0, iwMaxWeight: 1, dpoBeta: 1, asftKl: 0 } };
  const replicas = replicaCount(workers, { gradAccum: 1, batchSize: o.batch, shards: shards.length });
  let pool: ReplicaPool | null = null;
  const step = async (): Promise<void> => {
    const { grads } = pool ? await pool.accumulate(shards) : accumulateGrads(ctx, shards);
    if (!grads) return;
    const clipped = clipByGlobalNorm(grads, 1);
    opt.step(clipped.grads, 1e-4);
    disposeGrads(grads);
    disposeGrads(clipped.grads);
  };
  try {
    if (replicas > 1) pool = await ReplicaPool.open(ctx, replicas);
    for (let i = 0; i < (o.warmup ?? 1); i++) await step();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < o.steps; i++) await step();
    const cpu = process.cpuUsage(cpu0);
    const msPerStep = (performance.now() - t0) / Math.max(1, o.steps);
    const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / Math.max(1, o.steps);
    const tokensPerSecond = (o.batch * o.seq * 1000) / msPerStep;
    const run = { workers, replicas, tokensPerSecond, msPerStep, cpuMsPerStep, coresUsed: cpuMsPerStep / msPerStep, gflops: (tokensPerSecond * flopsPerToken(c, o.seq)) / 1e9 };
    return { run, params: Object.values(model.params).map((v) => new Float32Array(v.dataSync())) };
  } finally {
    await pool?.close();
    opt.dispose();
    model.dispose();
  }
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - (b[i]?.[j] ?? NaN))))));
  return d;
}

/** Times SFT steps on random tokens for each worker count, from the same initial model. Needs an initialised backend. */
export async function benchTrain(config: ModelConfigInput, o: BenchTrainOptions): Promise<BenchTrainResult> {
  const c = parseModelConfig(config);
  const counts = [...new Set(o.workers ?? [1])].sort((a, b) => a - b);
  const shardCount = Math.min(o.batch, o.shards ?? Math.max(1, ...counts));
  const before = fastGradsEnabled();
  setFastGrads(o.fastGrads);
  const load0 = loadavg();
  try {
    const shards = randomShards(c.vocabSize, { batch: o.batch, seq: o.seq, shards: shardCount, seed: o.seed ?? 1 });
    const runs: BenchTrainRun[] = [];
    let first: Float32Array[] | null = null;
    for (const w of counts) {
      const { run, params } = await timeRun(c, o, shards, w);
      first ??= params;
      runs.push({ ...run, maxParamDiff: maxDiff(first, params) });
    }
    const lo = runs[0];
    const hi = runs[runs.length - 1];
    return {
      params: paramCountOf(c),
      batch: o.batch,
      seq: o.seq,
      steps: o.steps,
      shards: shardCount,
      fastGrads: o.fastGrads,
      loadAverage: { before: load0, after: loadavg() },
      runs,
      speedup: lo && hi && runs.length > 1 ? hi.tokensPerSecond / lo.tokensPerSecond : null,
    };
  } finally {
    setFastGrads(before);
  }
}
