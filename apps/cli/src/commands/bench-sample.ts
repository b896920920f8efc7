import type { Command } from 'commander';
import { benchSample, type BenchSampleResult } from '@sieve/sample';
import { intOption, modelShapeOptions, intListOption } from '../parse';
import { printTable } from '../table';

interface BenchSampleFlags {
  model?: string;
  layers: number;
  dim: number;
  heads: number;
  kvHeads?: number;
  mlp: number;
  vocab: number;
  batch: number;
  newTokens: number;
  promptLen: number;
  workers: number[];
  baselineBatch?: number;
  baseline: boolean;
  seed: number;
  json?: boolean;
}

function rows(r: BenchSampleResult): Record<string, string | number | null>[] {
  const out: Record<string, string | number | null>[] = [
    { what: `cached, batch ${r.cached.sequences}`, tokens: r.cached.tokens, seconds: r.cached.seconds, tokensPerSec: Math.round(r.cached.tokensPerSecond), ratio: null },
  ];
  if (r.uncached) {
    out.push({ what: `uncached, batch ${r.uncached.sequences}`, tokens: r.uncached.tokens, seconds: r.uncached.seconds, tokensPerSec: Math.round(r.uncached.tokensPerSecond), ratio: r.cacheSpeedup });
  }
  const first = r.workers[0];
  for (const w of r.workers) {
    out.push({ what: `cached, ${w.workers} worker(s)`, tokens: w.tokens, seconds: w.seconds, tokensPerSec: Math.round(w.tokensPerSecond), ratio: first ? w.tokensPerSecond / first.tokensPerSecond : null });
  }
  return out;
}

/** `sieve bench sample`: generation throughput with and without the KV cache, and with 1 vs N workers. */
export function registerBenchSample(bench: Command): void {
  modelShapeOptions(bench.command('sample'))
    .description(
      'tokens/s of batched KV-cached decoding vs recomputing the whole sequence every step (same model and prompts),\n' +
        'and of the cached engine with 1, 2, … worker threads; every sequence runs --new-tokens (EOS ignored)',
    )
    .option('--model <dir>', 'a checkpoint folder (default: a random model of the shape below)')
    .option('--batch <n>', 'sequences decoded together', intOption('--batch', 1), 256)
    .option('--new-tokens <n>', 'tokens generated per sequence', intOption('--new-tokens', 1), 128)
    .option('--prompt-len <n>', 'prompt tokens per sequence', intOption('--prompt-len', 1), 32)
    .option('--workers <list>', 'worker counts to time, comma-separated', intListOption('--workers'), [1, 2])
    .option('--baseline-batch <n>', 'sequences for the uncached baseline (default: --batch; it is slow)', intOption('--baseline-batch', 1))
    .option('--no-baseline', 'skip the uncached baseline')
    .option('--seed <n>', 'seed of the random model and prompts', intOption('--seed'), 1)
    .option('--json', 'print JSON')
    .action(async (o: BenchSampleFlags) => {
      const r = await benchSample({
        ...(o.model ? { checkpointDir: o.model } : { shape: { layers: o.layers, dim: o.dim, heads: o.heads, kvHeads: o.kvHeads ?? o.heads, mlpDim: o.mlp, vocabSize: o.vocab } }),
        batch: o.batch,
        newTokens: o.newTokens,
        promptLen: o.promptLen,
        workers: o.workers,
        ...(o.baselineBatch !== undefined ? { baselineBatch: o.baselineBatch } : {}),
        skipBaseline: !o.baseline,
        seed: o.seed,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(`backend ${r.backend}; load average before ${r.loadAverage.before.map((x) => x.toFixed(2)).join(' ')}, after ${r.loadAverage.after.map((x) => x.toFixed(2)).join(' ')}\n`);
        printTable(rows(r));
      }
    });
}
