import * as path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { initBackend } from '@sieve/model';
import { isTrainMethod, TRAIN_DEFAULTS, TRAIN_METHODS, trainModel, type TrainHyper, type TrainProgress } from '@sieve/train';
import { withStore } from '../context';
import { floatOption, intOption } from '../parse';
import { createProgress } from '../progress';
import { printResult } from '../table';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A progress bar with step, loss, tokens/s and learning rate (stderr, terminals only). */
export function trainProgressBar(label: string, steps: number): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  const bar = createProgress(label, steps, 'loss {loss} | {tps} tok/s | lr {lr}');
  return {
    onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(4), tps: Math.round(p.tokensPerSecond), lr: p.lr.toExponential(2) }),
    stop: () => bar.stop(),
  };
}

export function logLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A run or model name that is also a folder name. */
export function checkName(value: string, flag: string): string {
  if (!NAME.test(value)) throw new InputError(`invalid name "${value}"`, { where: flag, hint: 'use letters, digits, ".", "_" or "-" (it names a folder under models/)' });
  return value;
}

/** NAME or NAME@VERSION. */
export function parseDatasetRef(value: string): { name: string; version?: number } {
  const m = /^(.+)@(\d+)$/.exec(value.trim());
  return m ? { name: m[1] as string, version: Number(m[2]) } : { name: value.trim() };
}

/** The loop's shared flags (values undefined unless given, so the library defaults apply). */
export function addLoopOptions(cmd: Command, d: Pick<TrainHyper, 'steps' | 'batchSize' | 'lr' | 'warmupSteps' | 'evalEvery' | 'checkpointEvery'>): Command {
  const D = TRAIN_DEFAULTS;
  return cmd
    .option('--seed <n>', `seed of the data order (and of the initialisation for pretrain) (default: ${D.seed})`, intOption('--seed'))
    .option('--steps <n>', `optimizer updates (default: ${d.steps})`, intOption('--steps', 1))
    .option('--batch-size <n>', `examples per micro-batch (pairs for dpo) (default: ${d.batchSize})`, intOption('--batch-size', 1))
    .option('--grad-accum <n>', `micro-batches accumulated per update, weighted by their token counts (default: ${D.gradAccum})`, intOption('--grad-accum', 1))
    .option('--lr <x>', `peak learning rate (default: ${d.lr})`, floatOption('--lr', 0))
    .option('--warmup <n>', `linear warmup steps, then cosine decay (default: min(${d.warmupSteps}, steps))`, intOption('--warmup', 0))
    .option('--min-lr-ratio <x>', `final learning rate as a fraction of --lr (default: ${D.minLrRatio})`, floatOption('--min-lr-ratio', 0, 1))
    .option('--weight-decay <x>', `AdamW decoupled weight decay (default: ${D.weightDecay})`, floatOption('--weight-decay', 0))
    .option('--clip <x>', `max global gradient norm, 0 = no clipping (default: ${D.clip})`, floatOption('--clip', 0))
    .option('--eval-every <n>', `held-out loss every N steps and at the end, 0 = never (default: ${d.evalEvery})`, intOption('--eval-every', 0))
    .option('--eval-fraction <x>', `share of prompts held out for evaluation, at least one (default: ${D.evalFraction})`, floatOption('--eval-fraction', 0, 0.99))
    .option('--checkpoint-every <n>', `save resumable state every N steps, 0 = only at the end (default: ${d.checkpointEvery})`, intOption('--checkpoint-every', 0))
    .option('--restart', 'discard an unfinished (or finished) run of this name and start over')
    .option('--json', 'print the result as JSON');
}

export interface LoopFlags {
  seed?: number;
  steps?: number;
  batchSize?: number;
  gradAccum?: number;
  lr?: number;
  warmup?: number;
  minLrRatio?: number;
  weightDecay?: number;
  clip?: number;
  evalEvery?: number;
  evalFraction?: number;
  checkpointEvery?: number;
  restart?: boolean;
  json?: boolean;
}

export function loopHyper(o: LoopFlags): Partial<TrainHyper> {
  return {
    seed: o.seed,
    steps: o.steps,
    batchSize: o.batchSize,
    gradAccum: o.gradAccum,
    lr: o.lr,
    warmupSteps: o.warmup,
    minLrRatio: o.minLrRatio,
    weightDecay: o.weightDecay,
    clip: o.clip,
    evalEvery: o.evalEvery,
    evalFraction: o.evalFraction,
    checkpointEvery: o.checkpointEvery,
  };
}

interface TrainFlags extends LoopFlags {
  method: string;
  dataset: string;
  from: string;
  name?: string;
  evalDataset?: string;
  dftMinProb?: number;
  iwMaxWeight?: number;
  dpoBeta?: number;
  asftKl?: number;
}

export function registerTrain(program: Command): void {
  const D = TRAIN_DEFAULTS;
  const cmd = program
    .command('train')
    .description(
      'train a model from a checkpoint on a dataset of the run with sft (on an RFT dataset: the RFT baseline), dft, iw-sft, ' +
        'dpo (pairs) or asft; writes models/<name>/ and per-step metrics; re-running an unfinished run of the same name resumes it',
    )
    .requiredOption('--method <m>', `one of ${TRAIN_METHODS.join(', ')}`)
    .requiredOption('--dataset <name[@version]>', 'dataset in this run (latest version unless @version)')
    .requiredOption('--from <model>', 'starting model: a model id of this run (e.g. base) or a checkpoint folder')
    .option('--name <run>', 'run name, also the trained model id (default: <method>-<dataset>-s<seed>)')
    .option('--eval-dataset <name[@version]>', 'held-out set to evaluate on instead of a share of --dataset')
    .option('--dft-min-prob <x>', `dft/asft: floor on the token weight sg(p) (default: ${D.dftMinProb})`, floatOption('--dft-min-prob', 0, 1))
    .option('--iw-max-weight <x>', `iw-sft: clamp on the per-sequence importance weight (default: ${D.iwMaxWeight})`, floatOption('--iw-max-weight', 0))
    .option('--dpo-beta <x>', `dpo: β of the implicit reward (default: ${D.dpoBeta})`, floatOption('--dpo-beta', 0))
    .option('--asft-kl <x>', `asft: weight of KL(p ‖ p_start) added to DFT (default: ${D.asftKl})`, floatOption('--asft-kl', 0));
  addLoopOptions(cmd, D).action(async (o: TrainFlags, command: Command) => {
    if (!isTrainMethod(o.method)) throw new InputError(`unknown method "${o.method}"`, { where: '--method', hint: `use one of ${TRAIN_METHODS.join(', ')}` });
    const method = o.method;
    const dataset = parseDatasetRef(o.dataset);
    const seed = o.seed ?? D.seed;
    const name = checkName(o.name ?? `${method}-${dataset.name}${dataset.version ? `-v${dataset.version}` : ''}-s${seed}`, '--name');
    await initBackend({ log: logLine });
    await withStore(command, async (store, { runDir }) => {
      const bar = trainProgressBar(`train ${name}`, o.steps ?? D.steps);
      let res;
      try {
        res = await trainModel(store, {
          ...loopHyper(o),
          dftMinProb: o.dftMinProb,
          iwMaxWeight: o.iwMaxWeight,
          dpoBeta: o.dpoBeta,
          asftKl: o.asftKl,
          runName: name,
          method,
          dataset,
          ...(o.evalDataset ? { evalDataset: parseDatasetRef(o.evalDataset) } : {}),
          from: o.from,
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
