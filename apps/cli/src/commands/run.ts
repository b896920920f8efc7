import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { initBackend } from '@sieve/model';
import { STAGES, configWarnings, defaultJobs, isStageName, listPresets, loadPipelineConfig, loadPreset, runPipeline } from '@sieve/pipeline';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRunDisplay } from '../run-display';
import { withStoreAt, type GlobalOptions } from '../context';

interface RunOptions {
  preset?: string;
  config?: string;
  only?: string;
  from?: string;
  until?: string;
  force?: boolean;
  ignoreMemory?: boolean;
  jobs?: string;
}

const jobsOption = (value: string | undefined): number => {
  if (value === undefined) return defaultJobs();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--jobs must be a whole number ≥ 1, got "${value}"`, { where: '--jobs', hint: `1 runs the stages one after another; this machine has ${defaultJobs()} cores` });
  return n;
};

const stageOption = (flag: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (!isStageName(value)) throw new InputError(`unknown stage "${value}"`, { where: flag, hint: `stages: ${STAGES.join(', ')}` });
  return value;
};

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      `run the whole chain from a preset or a config file: ${STAGES.join(' → ')}.\n` +
        'Each stage records a fingerprint of its config and inputs: a rerun skips unchanged stages, reruns a\n' +
        'changed one and everything downstream, and resumes a stage that was killed.\n' +
        'The run folder is data/runs/<config name>/ unless --run/--db is given.',
    )
    .option('--preset <name>', `a preset from data/presets/ (${listPresets().join(', ')})`)
    .option('--config <file>', 'a pipeline config JSON file (see data/presets/quick.json)')
    .option('--only <stage>', 'rerun only this stage (its inputs must exist)')
    .option('--from <stage>', 'rerun this stage and everything after it')
    .option('--until <stage>', 'stop after this stage')
    .option('--force', 'ignore fingerprints: rerun every selected stage')
    .option(
      '--jobs <n>',
      `stage instances to run at once once their inputs are done (trainings of different methods and seeds, evaluations of different models), each in its own process; they share the cores, so each gets its share as threads. 1 = one after another. Results do not depend on it (default: the number of cores, ${defaultJobs()})`,
    )
    .option('--ignore-memory', 'train even when the memory estimate (16 bytes per parameter) exceeds the free memory')
    .action(async (opts: RunOptions, cmd: Command) => {
      if ((opts.preset === undefined) === (opts.config === undefined)) {
        throw new InputError('give exactly one of --preset and --config', { hint: `presets: ${listPresets().join(', ')}` });
      }
      const config = opts.preset !== undefined ? loadPreset(opts.preset) : loadPipelineConfig(opts.config as string);
      for (const w of configWarnings(config)) process.stderr.write(`warning: ${w}\n`);
      const only = stageOption('--only', opts.only);
      const from = stageOption('--from', opts.from);
      const until = stageOption('--until', opts.until);
      const jobs = jobsOption(opts.jobs);
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const runExplicit = cmd.parent?.getOptionValueSource('run') === 'cli';
      const runDir = globals.db ? resolve(globals.db, '..') : resolve('data', 'runs', runExplicit ? globals.run : config.name);
      const dbPath = globals.db ? resolve(globals.db) : join(runDir, 'sieve.sqlite');
      await initBackend({ log: (l) => process.stderr.write(`${l}\n`) });
      const t0 = Date.now();
      await withStoreAt({ runDir, dbPath }, async (store) => {
        process.stderr.write(`run folder: ${runDir}${jobs > 1 ? ` (up to ${jobs} stages at once)` : ''}\n`);
        const display = createRunDisplay();
        await runPipeline({
          store,
          runDir,
          config,
          ...(only ? { only } : {}),
          ...(from ? { from } : {}),
          ...(until ? { until } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.ignoreMemory ? { ignoreMemory: true } : {}),
          jobs,
          log: display.log,
          progress: display.progress,
        });
      });
      const report = join(runDir, 'report', 'report.md');
      const tail = until === undefined && only === undefined && existsSync(report) ? `; report: ${report}` : '';
      process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s${tail}\n`);
      const target = globals.db ? `--db ${globals.db}` : `--run ${runExplicit ? globals.run : config.name}`;
      process.stderr.write(`look at what it made:\n  npx sieve inspect ${target}   # summary in the terminal\n  npx sieve serve ${target}     # the viewer in your browser\n`);
    });
}
