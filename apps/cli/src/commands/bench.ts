import type { Command } from 'commander';
import { benchVerify, listVerifiers } from '@sieve/verify';
import { intOption } from '../parse';
import { printTable } from '../table';
import { registerBenchTrain } from './bench-train';
import { registerBenchSample } from './bench-sample';
import { registerBenchForward } from './bench-forward';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks (speed targets live here, never in tests)');

  registerBenchTrain(bench);
  registerBenchSample(bench);
  registerBenchForward(bench);

  bench
    .command('verify')
    .description('grade synthetic responses and report rows per second: GSM8K-like rows, or MATH-style boxed LaTeX answers with --verifier math')
    .option('--verifier <name>', `verifier to time (${listVerifiers().join(', ')})`, 'numeric')
    .option('--rows <n>', 'rows to grade', intOption('--rows', 1), 100_000)
    .option('--seed <n>', 'seed of the synthetic rows', intOption('--seed'), 1)
    .option('--json', 'print JSON')
    .action((opts: { rows: number; seed: number; verifier: string; json?: boolean }) => {
      const r = benchVerify({ rows: opts.rows, seed: opts.seed, verifier: opts.verifier });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else printTable([r]);
    });
}
