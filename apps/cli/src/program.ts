import { Command } from 'commander';
import { registerQuestions } from './commands/questions';
import { registerGrade } from './commands/grade';
import { registerDoctor } from './commands/doctor';
import { registerBench } from './commands/bench';
import { registerVerify } from './commands/verify';
import { registerFilter } from './commands/filter';
import { registerDatasets } from './commands/datasets';
import { registerPretrain } from './commands/pretrain';
import { registerTrain } from './commands/train';
import { registerRun } from './commands/run';
import { registerSample } from './commands/sample';
import { registerEval } from './commands/eval';
import { registerInspect } from './commands/inspect';
import { registerServe } from './commands/serve';
import { registerServeModel } from './commands/serve-model';
import { registerModel } from './commands/model';

export function buildProgram(): Command {
  const program = new Command('sieve')
    .description(
      'Offline RL for language models on math: sample, verify, sieve correct responses into an RFT dataset,\n' +
        'train with DFT against RFT baselines, evaluate and report. State lives in one run folder.',
    )
    .option('--run <name>', 'run folder under data/runs/ holding sieve.sqlite, models and the report', 'default')
    .option('--db <path>', 'use this SQLite file instead of data/runs/<name>/sieve.sqlite')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true });

  registerQuestions(program);
  registerRun(program);
  registerPretrain(program);
  registerSample(program);
  registerVerify(program);
  registerFilter(program);
  registerTrain(program);
  registerEval(program);
  registerDatasets(program);
  registerInspect(program);
  registerServe(program);
  registerServeModel(program);
  registerModel(program);
  registerGrade(program);
  registerDoctor(program);
  registerBench(program);

  // Subcommands share exitOverride so the top-level handler sets every exit code.
  const override = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      // The command list shows the first clause; `sieve <cmd> --help` shows the whole description.
      if (!sub.summary()) sub.summary((sub.description().split(/[;\n]/)[0] ?? '').replace(/[.,:]$/, ''));
      sub.exitOverride();
      sub.showHelpAfterError('(run with --help for usage)');
      override(sub);
    }
  };
  override(program);
  return program;
}
