import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { evaluateModel, type EvaluateProgress } from '@sieve/eval';
import { initBackend } from '@sieve/model';
import { withStore } from '../context';
import { engineFromFlags, engineOptions, type EngineFlags } from '../engine-options';
import { collectStop, defaultWorkers, floatOption, intListOption, intOption } from '../parse';
import { createProgress, type Progress } from '../progress';
import { printResult } from '../table';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface EvalFlags extends EngineFlags {
  model: string;
  questions: string;
  split?: string[];
  n: number;
  temperature: number;
  topP: number;
  topK: number;
  passAt?: number[];
  greedy: boolean;
  maxNewTokens: number;
  stop?: string[];
  batchSize: number;
  workers: number;
  seed: number;
  json?: boolean;
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('evaluate a model per split: avg@N over N samples, greedy accuracy and unbiased pass@k; one stored evaluation per split')
    .requiredOption('--model <id>', 'model id of this run')
    .requiredOption('--questions <set>', 'question set')
    .option('--split <name>', 'split to evaluate (repeatable; default: every split of the set)', collect)
    .option('--n <n>', 'samples per question at --temperature (0 = greedy only)', intOption('--n', 0), 16)
    .option('--temperature <x>', 'sampling temperature of the N samples', floatOption('--temperature', 0), 1.0)
    .option('--top-p <x>', 'nucleus sampling mass, 1 = off', floatOption('--top-p', 0, 1), 1)
    .option('--top-k <n>', 'top-k, 0 = off', intOption('--top-k', 0), 0)
    .option('--pass-at <ks>', 'ks for pass@k, comma-separated, each ≤ n (default 1)', intListOption('--pass-at'))
    .option('--no-greedy', 'skip the greedy sample')
    .option('--max-new-tokens <n>', 'most tokens per response', intOption('--max-new-tokens', 1), 256)
    .option('--stop <text>', 'also stop at this text (repeatable; \\n for a newline)', collectStop)
    .option('--batch-size <n>', 'sequences decoded together', intOption('--batch-size', 1), 128)
    .option('--workers <n>', 'worker threads (0 = main thread)', intOption('--workers', 0, 64), defaultWorkers())
    .option('--seed <n>', 'evaluation seed', intOption('--seed'), 1)
    .option('--json', 'print the results as JSON');
  engineOptions(command).action(async (o: EvalFlags, cmd: Command) => {
      const engine = engineFromFlags(o);
      if (o.workers === 0 && engine.kind === 'tfjs') await initBackend({ log: (l) => process.stderr.write(`${l}\n`) });
      await withStore(cmd, async (store, { runDir }) => {
        const splits = o.split ?? [...new Set(store.questions.summary().filter((s) => s.set === o.questions).map((s) => s.split))];
        if (splits.length === 0) {
          throw new InputError(`no questions in set "${o.questions}"`, { where: '--questions', hint: 'see `sieve questions list` for the sets of this run' });
        }
        let bar: Progress | undefined;
        let barSplit = '';
        const onProgress = (p: EvaluateProgress): void => {
          if (p.split !== barSplit) {
            bar?.stop();
            bar = createProgress(`eval ${o.model} ${p.split}`, p.total, '{tps} tok/s');
            barSplit = p.split;
          }
          bar?.update(p.done, { tps: Math.round(p.tokensPerSecond) });
        };
        let res;
        try {
          res = await evaluateModel(store, {
            modelId: o.model,
            runDir,
            set: o.questions,
            splits,
            n: o.n,
            temperature: o.temperature,
            topP: o.topP,
            topK: o.topK,
            greedy: o.greedy,
            ...(o.passAt ? { passAtK: o.passAt } : {}),
            maxNewTokens: o.maxNewTokens,
            ...(o.stop ? { stop: o.stop } : {}),
            batchSize: o.batchSize,
            workers: o.workers,
            seed: o.seed,
            engine,
            onProgress,
          });
        } finally {
          bar?.stop();
        }
        printResult(o.json, res, () =>
          res.map((r) => ({
            model: o.model,
            split: r.split,
            questions: r.questions,
            n: r.n,
            [`avg@${r.n}`]: r.avgAtN,
            greedy: r.greedy,
            ...Object.fromEntries(Object.entries(r.passAtK).map(([k, v]) => [`pass@${k}`, v])),
            seconds: Number(r.seconds.toFixed(1)),
          })),
        );
      });
    });
}
