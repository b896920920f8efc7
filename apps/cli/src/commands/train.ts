import * as path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { initBackend } from '@sieve/model';
import { isTrainMethod, LoopHyperSchema, METHODS, MethodHyperSchema, TRAIN_DEFAULTS, TRAIN_METHODS, trainModel } from '@sieve/train';
import { withStore } from '../context';
import { modelArg } from '../hf-model';
import { promptFromFlags, promptOptions, type PromptFlags } from '../prompt-options';
import { checkName, logLine, parseDatasetRef } from '../parse';
import { trainProgressBar } from '../progress';
import { addSchemaOptions, schemaValues } from '../schema-options';
import { printResult } from '../table';

interface TrainFlags extends Record<string, unknown>, PromptFlags {
  method: string;
  dataset: string;
  from: string;
  name?: string;
  evalDataset?: string;
  seed?: number;
  steps?: number;
  restart?: boolean;
  ignoreMemory?: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  const D = TRAIN_DEFAULTS;
  const cmd = program
    .command('train')
    .description(
      'train a model from a checkpoint on a dataset of the run with sft (on an RFT dataset: the RFT baseline), dft, iw-sft, ' +
        'dpo (pairs) or asft; writes models/<name>/ and per-step metrics; re-running an unfinished run of the same name resumes it',
    )
    .requiredOption('--method <m>', `one of: ${TRAIN_METHODS.map((m) => `${m} (${METHODS[m].summary})`).join('; ')}`)
    .requiredOption('--dataset <name[@version]>', 'dataset in this run (latest version unless @version)')
    .requiredOption('--from <model>', 'starting model: a model id of this run (e.g. base), a checkpoint folder, or hf:PATH (a Hugging Face folder, imported into the run)')
    .option('--name <run>', 'run name, also the trained model id (default: <method>-<dataset>-s<seed>)')
    .option('--eval-dataset <name[@version]>', 'held-out set to evaluate on instead of a share of --dataset');
  promptOptions(cmd, "the dataset's, recorded from its samples; given, it must match it");
  addSchemaOptions(cmd, LoopHyperSchema);
  addSchemaOptions(cmd, MethodHyperSchema)
    .option('--ignore-memory', 'train even when the memory estimate (16 bytes per parameter) exceeds the free memory')
    .option('--restart', 'discard an unfinished (or finished) run of this name and start over')
    .option('--json', 'print the result as JSON')
    .action(async (o: TrainFlags, command: Command) => {
    if (!isTrainMethod(o.method)) throw new InputError(`unknown method "${o.method}"`, { where: '--method', hint: `use one of ${TRAIN_METHODS.join(', ')}` });
    const method = o.method;
    const dataset = parseDatasetRef(o.dataset);
    const seed = o.seed ?? D.seed;
    const prompt = promptFromFlags(o);
    const name = checkName(o.name ?? `${method}-${dataset.name}${dataset.version ? `-v${dataset.version}` : ''}-s${seed}`, '--name');
    await initBackend({ log: logLine });
    await withStore(command, async (store, { runDir }) => {
      const bar = trainProgressBar(`train ${name}`, o.steps ?? D.steps);
      let res;
      try {
        res = await trainModel(store, {
          ...schemaValues(LoopHyperSchema, o),
          ...schemaValues(MethodHyperSchema, o),
          runName: name,
          method,
          dataset,
          ...(o.evalDataset ? { evalDataset: parseDatasetRef(o.evalDataset) } : {}),
          ...(prompt ? { prompt, promptWhere: '--prompt' } : {}),
          from: await modelArg(store, o.from),
          ignoreMemory: o.ignoreMemory ?? false,
          outDir: path.join(runDir, 'models', name),
          resume: !o.restart,
          onProgress: bar.onProgress,
          log: logLine,
        });
      } finally {
        bar.stop();
      }
      printResult(o.json, res, () => [
        {
          run: res.runName,
          model: res.modelId,
          steps: res.steps,
          resumedFrom: res.resumedFrom,
          finalLoss: res.finalLoss,
          evalLoss: res.finalEval?.['loss'] ?? null,
          evalMeanP: res.finalEval?.['meanP'] ?? null,
          status: res.alreadyDone ? 'already done' : 'done',
        },
      ]);
    });
  });
}
