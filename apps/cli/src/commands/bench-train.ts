import type { Command } from 'commander';
import { initBackend } from '@sieve/model';
import { benchTrainStep } from '@sieve/train';
import { intOption, modelShapeOptions, logLine } from '../parse';
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
  fastGrads: boolean;
  json?: boolean;
}

/** `sieve bench train`: full training steps (forward, backward, clipping, AdamW) on random tokens. */
export function registerBenchTrain(bench: Command): void {
  modelShapeOptions(bench.command('train'))
    .description('time full training steps (forward, backward, clip, AdamW) and report tokens/s, ms/step and effective GFLOP/s (6 × parameters × tokens plus attention)')
    .option('--seq <n>', 'sequence length', intOption('--seq', 1), 128)
    .option('--batch <n>', 'sequences per step', intOption('--batch', 1), 32)
    .option('--steps <n>', 'timed steps (after one warm-up step)', intOption('--steps', 1), 3)
    .option('--no-fast-grads', 'use tfjs\'s built-in gradients instead of the custom ones (the "before" number)')
    .option('--json', 'print JSON')
    .action(async (o: BenchTrainFlags) => {
      const backend = await initBackend({ log: logLine });
      const r = benchTrainStep(
        { vocabSize: o.vocab, dim: o.dim, layers: o.layers, heads: o.heads, kvHeads: o.kvHeads ?? o.heads, mlpDim: o.mlp, contextLength: o.seq },
        { batch: o.batch, seq: o.seq, steps: o.steps, fastGrads: o.fastGrads },
      );
      const out = { backend: backend.name, ...r };
      if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else printTable([out]);
    });
}
