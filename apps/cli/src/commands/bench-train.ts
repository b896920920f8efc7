import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { initBackend } from '@sieve/model';
import { benchTrain, type BenchTrainResult } from '@sieve/train';
import { intListOption, intOption, modelShapeOptions, logLine } from '../parse';
import { printTable } from '../table';

interface BenchTrainFlags {
  layers: number;
  dim: number;
  heads: number;
  kvHeads?: number;
  mlp: number;
  seq: number;
  batch: number;
  vocab: number;
  steps: number;
  workers: number[];
  shards?: number;
  fastGrads: boolean;
  json?: boolean;
}

function rows(r: BenchTrainResult): Record<string, string | number | null>[] {
  const first = r.runs[0];
  return r.runs.map((x) => ({
    workers: x.workers,
    replicas: x.replicas,
    shards: r.shards,
    tokensPerSec: Math.round(x.tokensPerSecond),
    msPerStep: Math.round(x.msPerStep),
    cpuMsPerStep: Math.round(x.cpuMsPerStep),
    coresUsed: Number(x.coresUsed.toFixed(2)),
    gflops: Number(x.gflops.toFixed(1)),
    ratio: first ? Number((x.tokensPerSecond / first.tokensPerSecond).toFixed(2)) : null,
    maxParamDiff: x.maxParamDiff,
  }));
}

/** `sieve bench train`: full training steps (forward, backward, clipping, AdamW) on random tokens, with 1, 2, … workers. */
export function registerBenchTrain(bench: Command): void {
  modelShapeOptions(bench.command('train'))
    .description(
      'time full training steps (forward, backward, clip, AdamW) and report tokens/s, ms/step and effective GFLOP/s (6 × parameters × tokens plus attention)\n' +
        'for each worker count; the batch is cut into the same gradient shards for every count, and maxParamDiff checks they end with the same weights',
    )
    .option('--seq <n>', 'sequence length', intOption('--seq', 1), 128)
    .option('--batch <n>', 'sequences per step', intOption('--batch', 1), 32)
    .option('--steps <n>', 'timed steps (after one warm-up step)', intOption('--steps', 1), 3)
    .addOption(
      new Option('--workers <list>', 'worker counts to time, comma-separated, e.g. 1,2').argParser(intListOption('--workers')).default([availableParallelism()], `all cores: ${availableParallelism()}`),
    )
    .option('--shards <n>', 'gradient shards the batch is cut into (default: the largest worker count)', intOption('--shards', 1))
    .option('--no-fast-grads', 'use tfjs\'s built-in gradients instead of the custom ones (the "before" number)')
    .option('--json', 'print JSON')
    .action(async (o: BenchTrainFlags) => {
      const backend = await initBackend({ log: logLine });
      const r = await benchTrain(
        { vocabSize: o.vocab, dim: o.dim, layers: o.layers, heads: o.heads, kvHeads: o.kvHeads ?? o.heads, mlpDim: o.mlp, contextLength: o.seq },
        { batch: o.batch, seq: o.seq, steps: o.steps, fastGrads: o.fastGrads, workers: o.workers, ...(o.shards !== undefined ? { shards: o.shards } : {}) },
      );
      const out = { backend: backend.name, ...r };
      if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else {
        process.stdout.write(
          `backend ${backend.name}; ${r.params} parameters, batch ${r.batch} × ${r.seq}; load average before ${r.loadAverage.before.map((x) => x.toFixed(2)).join(' ')}, after ${r.loadAverage.after.map((x) => x.toFixed(2)).join(' ')}\n`,
        );
        printTable(rows(r));
      }
    });
}
