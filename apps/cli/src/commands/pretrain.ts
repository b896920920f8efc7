import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { initBackend } from '@sieve/model';
import { pretrain } from '@sieve/train';
import { withStore } from '../context';
import { intOption, rangeOption } from '../parse';
import { printResult } from '../table';
import { addLoopOptions, checkName, logLine, loopHyper, trainProgressBar, type LoopFlags } from './train';

/** Defaults: a tiny model that pretrains in about a minute on 2 cores (use bigger values for real runs). */
const PRETRAIN_DEFAULTS = { steps: 150, batchSize: 16, lr: 3e-3, warmupSteps: 10, evalEvery: 50, checkpointEvery: 50 };

interface PretrainFlags extends LoopFlags {
  modelId: string;
  dim: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  mlp: number;
  context: number;
  corpusCount: number;
  corpusSeed: number;
  ops: [number, number];
  digits: [number, number];
  excludeSet?: string[];
}

export function registerPretrain(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description(
      'train the offline base model from scratch on a synthetic chain-of-thought corpus (generated questions with ' +
        'worked solutions, its own seed, never a question text of the excluded sets); writes models/<model-id>/',
    )
    .option('--model-id <id>', 'id of the base model (and its folder under models/)', 'base')
    .option('--dim <n>', 'model width', intOption('--dim', 2), 64)
    .option('--layers <n>', 'transformer blocks', intOption('--layers', 1), 2)
    .option('--heads <n>', 'attention heads (dim/heads must be even)', intOption('--heads', 1), 4)
    .option('--kv-heads <n>', 'key/value heads, dividing --heads (default: --heads / 2, at least 1)', intOption('--kv-heads', 1))
    .option('--mlp <n>', 'SwiGLU hidden width', intOption('--mlp', 1), 172)
    .option('--context <n>', 'context length in tokens (characters)', intOption('--context', 8), 384)
    .option('--corpus-count <n>', 'questions in the corpus', intOption('--corpus-count', 1), 4000)
    .option('--corpus-seed <n>', 'seed of the corpus generator (keep it apart from the evaluation sets\' seeds)', intOption('--corpus-seed'), 1001)
    .addOption(new Option('--ops <n-m>', 'operations per question').argParser(rangeOption('--ops')).default([2, 3], '2-3'))
    .addOption(new Option('--digits <n-m>', 'digits per operand').argParser(rangeOption('--digits')).default([1, 2], '1-2'))
    .option('--exclude-set <name...>', 'question sets whose texts must never be in the corpus (default: every set in the run)');
  addLoopOptions(cmd, { ...PRETRAIN_DEFAULTS, batchSize: PRETRAIN_DEFAULTS.batchSize }).action(async (o: PretrainFlags, command: Command) => {
    const modelId = checkName(o.modelId, '--model-id');
    await initBackend({ log: logLine });
    await withStore(command, async (store, { runDir }) => {
      const excludeSets = o.excludeSet ?? [...new Set(store.questions.summary().map((s) => s.set))];
      if (!o.excludeSet) logLine(`excluding the questions of every set in the run: ${excludeSets.join(', ') || '(none yet)'}`);
      const steps = o.steps ?? PRETRAIN_DEFAULTS.steps;
      const corpusOptions = {
        minOperations: o.ops[0],
        maxOperations: o.ops[1],
        minDigits: o.digits[0],
        maxDigits: o.digits[1],
        // Room for the results: 10^4 for 2-digit operands (the id preset), 10^6 for 3 (the ood preset).
        maxValue: Math.max(10_000, 10 ** (2 * o.digits[1])),
      };
      const bar = trainProgressBar(`pretrain ${modelId}`, steps);
      let res;
      try {
        res = await pretrain(store, {
          ...loopHyper(o),
          steps,
          batchSize: o.batchSize ?? PRETRAIN_DEFAULTS.batchSize,
          lr: o.lr ?? PRETRAIN_DEFAULTS.lr,
          evalEvery: o.evalEvery ?? PRETRAIN_DEFAULTS.evalEvery,
          checkpointEvery: o.checkpointEvery ?? PRETRAIN_DEFAULTS.checkpointEvery,
          modelId,
          outDir: path.join(runDir, 'models', modelId),
          config: { dim: o.dim, layers: o.layers, heads: o.heads, kvHeads: o.kvHeads ?? Math.max(1, Math.floor(o.heads / 2)), mlpDim: o.mlp, contextLength: o.context },
          corpus: { count: o.corpusCount, seed: o.corpusSeed, options: corpusOptions },
          excludeSets,
          resume: !o.restart,
          onProgress: bar.onProgress,
          log: logLine,
        });
      } finally {
        bar.stop();
      }
      printResult(o.json, res, () => [
        {
          model: res.modelId,
          params: res.paramCount,
          vocab: res.vocabSize,
          corpus: res.corpusSize,
          steps: res.steps,
          finalLoss: res.finalLoss,
          evalLoss: res.finalEval?.['loss'] ?? null,
          status: res.alreadyDone ? 'already done' : 'done',
        },
      ]);
    });
  });
}
