import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { benchSample, benchSampleEngines, BENCH_ENGINES, type BenchEngine, type BenchEnginesResult, type BenchSampleResult, type EngineFigure } from '@sieve/sample';
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
  engine?: string;
  questions: number;
  k: number;
  replicas: number[];
  concurrency: number;
  batchWaitMs?: number;
}

/** Verify time and the cores each process used: a replica that got no CPU explains a missing speedup. */
function usageNote(f: EngineFigure): string {
  const parts = [`verify ${f.verifySeconds.toFixed(2)} s`, `engine open ${f.engineSeconds.toFixed(2)} s (both included)`, `client ${f.clientCores.toFixed(2)} cores`];
  if (f.replicas) parts.push(`replicas ${f.replicas.map((r) => `${r.cores.toFixed(2)} cores, ${r.meanBatch.toFixed(1)} seq/batch`).join('; ')}`);
  return parts.join(', ');
}

function engineRows(r: BenchEnginesResult): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = r.figures.map((f) =>
    'error' in f
      ? { what: f.label, samples: null, tokens: null, seconds: null, tokensPerSec: null, note: f.error }
      : { what: f.label, samples: f.samples, tokens: f.tokens, seconds: f.seconds.toFixed(1), tokensPerSec: Math.round(f.tokensPerSecond), note: usageNote(f) },
  );
  const raw = r.llamaCppRaw;
  if (raw) rows.push('error' in raw ? { what: 'llama.cpp raw (outside the stage)', samples: null, tokens: null, seconds: null, tokensPerSec: null, note: raw.error } : { what: 'llama.cpp raw (outside the stage)', samples: raw.sequences, tokens: raw.tokens, seconds: raw.seconds.toFixed(1), tokensPerSec: Math.round(raw.tokensPerSecond), note: `decoding only; load + contexts ${raw.setupSeconds.toFixed(2)} s apart` });
  if (r.llamaCppBindingSeconds !== null) rows.push({ what: 'llama.cpp binding load (once per process)', samples: null, tokens: null, seconds: r.llamaCppBindingSeconds.toFixed(1), tokensPerSec: null, note: 'in neither rate: import + node-llama-cpp\'s child-process test of the binary' });
  if (r.llamaCppInStageOverRawAfterSetup !== null) rows.push({ what: 'llama.cpp in-stage / raw, both without setup (target ≥ 0.8)', samples: null, tokens: null, seconds: null, tokensPerSec: null, note: r.llamaCppInStageOverRawAfterSetup.toFixed(2) });
  if (r.llamaCppInStageOverRaw !== null) rows.push({ what: 'llama.cpp in-stage end to end / raw decoding', samples: null, tokens: null, seconds: null, tokensPerSec: null, note: `${r.llamaCppInStageOverRaw.toFixed(2)} (the stage's setup included)` });
  if (r.openaiReplicaSpeedup !== null) rows.push({ what: 'openai most / fewest replicas (target ≥ 1.6 for 2 vs 1)', samples: null, tokens: null, seconds: null, tokensPerSec: null, note: r.openaiReplicaSpeedup.toFixed(2) });
  return rows;
}

function parseEngines(list: string): BenchEngine[] {
  const out = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of out) {
    if (!(BENCH_ENGINES as readonly string[]).includes(e)) throw new InputError(`unknown engine "${e}"`, { where: '--engine', hint: `engines: ${BENCH_ENGINES.join(', ')}` });
  }
  if (!out.length) throw new InputError('--engine needs at least one engine', { where: '--engine' });
  return out as BenchEngine[];
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
    .option('--model <dir>', 'a checkpoint folder (default: a random model of the shape below); with --engine also hf:PATH')
    .option('--batch <n>', 'sequences decoded together', intOption('--batch', 1), 256)
    .option('--new-tokens <n>', 'tokens generated per sequence', intOption('--new-tokens', 1), 128)
    .option('--prompt-len <n>', 'prompt tokens per sequence', intOption('--prompt-len', 1), 32)
    .option('--workers <list>', 'worker counts to time, comma-separated', intListOption('--workers'), [1, 2])
    .option('--baseline-batch <n>', 'sequences for the uncached baseline (default: --batch; it is slow)', intOption('--baseline-batch', 1))
    .option('--no-baseline', 'skip the uncached baseline')
    .option('--seed <n>', 'seed of the random model and prompts', intOption('--seed'), 1)
    .option('--engine <list>', `instead: the real sample stage + verification per engine (${BENCH_ENGINES.join(',')}) on a temp run, in tokens/s; llama.cpp also raw (node-llama-cpp directly: the engine's contexts, prompts and seeds, no stage), openai with 1 then 2 serve-model processes`)
    .option('--questions <n>', '--engine: generated questions', intOption('--questions', 1), 16)
    .option('--k <n>', '--engine: samples per question', intOption('--k', 1), 4)
    .option('--replicas <list>', '--engine openai: serve-model process counts to time', intListOption('--replicas'), [1, 2])
    .option('--concurrency <n>', '--engine openai: requests in flight per serve-model replica (one sample each; a replica merges them into shared batches)', intOption('--concurrency', 1), 16)
    .option('--batch-wait-ms <ms>', "--engine openai: serve-model's --batch-wait-ms (default: serve-model's)", intOption('--batch-wait-ms', 0, 60_000))
    .option('--json', 'print JSON')
    .action(async (o: BenchSampleFlags) => {
      if (o.engine !== undefined) {
        const r = await benchSampleEngines({
          engines: parseEngines(o.engine),
          ...(o.model ? { model: o.model } : {}),
          questions: o.questions,
          k: o.k,
          maxNewTokens: o.newTokens,
          batchSize: o.batch,
          workers: Math.max(...o.workers),
          replicas: o.replicas,
          concurrency: o.concurrency,
          ...(o.batchWaitMs !== undefined ? { batchWaitMs: o.batchWaitMs } : {}),
          seed: o.seed,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else {
          process.stdout.write(`${r.model}; backend ${r.backend}; ${r.questions} questions × ${r.k}, ≤ ${r.maxNewTokens} new tokens; load average before ${r.loadAverage.before.map((x) => x.toFixed(2)).join(' ')}, after ${r.loadAverage.after.map((x) => x.toFixed(2)).join(' ')}\n`);
          printTable(engineRows(r));
        }
        return;
      }
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
