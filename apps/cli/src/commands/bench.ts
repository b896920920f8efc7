import type { Command } from 'commander';
import { benchVerify } from '@sieve/verify';
import { intOption } from '../parse';
import { printTable } from '../table';
import { registerBenchTrain } from './bench-train';
import { registerBenchSample } from './bench-sample';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks (speed targets live here, never in tests)');

  registerBenchTrain(bench);
  registerBenchSample(bench);

  bench
    .command('verify')
    .description('grade synthetic GSM8K-like responses and report rows per second')
    .option('--rows <n>', 'rows to grade', intOption('--rows', 1), 100_000)
    .option('--seed <n>', 'seed of the synthetic rows', intOption('--seed'), 1)
    .option('--json', 'print JSON')
    .action((opts: { rows: number; seed: number; json?: boolean }) => {
      const r = benchVerify({ rows: opts.rows, seed: opts.seed });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else printTable([r]);
    });
}
