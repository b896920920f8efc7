import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { initBackend } from '@sieve/model';
import { PretrainHyperSchema, pretrain, resolveHyper } from '@sieve/train';
import { withStore } from '../context';
import { checkName, intOption, logLine, rangeOption } from '../parse';
import { trainProgressBar } from '../progress';
import { addSchemaOptions, schemaValues } from '../schema-options';
import { printResult } from '../table';

interface PretrainFlags extends Record<string, unknown> {
  steps?: number;
  restart?: boolean;
  json?: boolean;
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
  addSchemaOptions(cmd, PretrainHyperSchema)
    .option('--restart', 'discard an unfinished (or finished) pretraining of this model id and start over')
    .option('--json', 'print the result as JSON');
  cmd.action(async (o: PretrainFlags, command: Command) => {
    const modelId = checkName(o.modelId, '--model-id');
    await initBackend({ log: logLine });
    await withStore(command, async (store, { runDir }) => {
      const excludeSets = o.excludeSet ?? [...new Set(store.questions.summary().map((s) => s.set))];
      if (!o.excludeSet) logLine(`excluding the questions of every set in the run: ${excludeSets.join(', ') || '(none yet)'}`);
      const hyper = resolveHyper(schemaValues(PretrainHyperSchema, o), PretrainHyperSchema);
      const corpusOptions = {
        minOperations: o.ops[0],
        maxOperations: o.ops[1],
        minDigits: o.digits[0],
        maxDigits: o.digits[1],
        // Room for the results: 10^4 for 2-digit operands (the id preset), 10^6 for 3 (the ood preset).
        maxValue: Math.max(10_000, 10 ** (2 * o.digits[1])),
      };
      const bar = trainProgressBar(`pretrain ${modelId}`, hyper.steps);
      let res;
      try {
        res = await pretrain(store, {
          ...schemaValues(PretrainHyperSchema, o),
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
