import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { initBackend } from '@sieve/model';
import { defaultSampleRunName, sampleStage, type SampleProgress } from '@sieve/sample';
import { withStore } from '../context';
import { engineFromFlags, engineOptions, type EngineFlags } from '../engine-options';
import { modelArg } from '../hf-model';
import { promptFromFlags, promptOptions, type PromptFlags } from '../prompt-options';
import { collectStop, defaultWorkers, floatOption, intOption } from '../parse';
import { createProgress, type Progress } from '../progress';
import { printResult } from '../table';

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A bar over questions with samples/s and tokens/s (stderr, terminals only). */
export function sampleProgressBar(label: string): { onProgress: (p: SampleProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    onProgress: (p) => {
      bar ??= createProgress(label, p.questionsTotal, '{sps} samples/s | {tps} tok/s');
      bar.update(p.questionsDone, { sps: p.samplesPerSecond.toFixed(1), tps: Math.round(p.tokensPerSecond) });
    },
    stop: () => bar?.stop(),
  };
}

interface SampleFlags extends EngineFlags, PromptFlags {
  model: string;
  questions: string;
  split?: string;
  k: number;
  temperature: number;
  topP: number;
  topK: number;
  maxNewTokens: number;
  stop?: string[];
  batchSize: number;
  workers: number;
  seed: number;
  name?: string;
  untilCorrect?: number;
  maxK?: number;
  json?: boolean;
}

export function registerSample(program: Command): void {
  const command = program
    .command('sample')
    .description(
      'sample K responses per question from a model (batched, KV-cached, one seed per sample); a killed or\n' +
        're-run command resumes the run of the same name without duplicating a sample',
    )
    .requiredOption('--model <id>', 'model id of this run (e.g. base), or hf:PATH (a Hugging Face folder, imported into the run)')
    .requiredOption('--questions <set>', 'question set')
    .option('--split <name>', 'split of the set (default: all splits)')
    .option('--k <n>', 'samples per question (per round with --until-correct)', intOption('--k', 1), 4)
    .option('--temperature <x>', 'sampling temperature, 0 = greedy', floatOption('--temperature', 0), 1.0)
    .option('--top-p <x>', 'nucleus sampling: keep the most likely tokens up to this mass, 1 = off', floatOption('--top-p', 0, 1), 1)
    .option('--top-k <n>', 'keep the k most likely tokens, 0 = off', intOption('--top-k', 0), 0)
    .option('--max-new-tokens <n>', 'most tokens per response (the context length caps it too)', intOption('--max-new-tokens', 1), 256)
    .option('--stop <text>', 'also stop when the response contains this text (repeatable; \\n for a newline)', collectStop)
    .option('--batch-size <n>', 'sequences decoded together (and per store transaction)', intOption('--batch-size', 1), 128)
    .option('--workers <n>', 'worker threads, each with its own model copy; 0 = main thread (results do not depend on it)', intOption('--workers', 0, 64), defaultWorkers())
    .option('--seed <n>', 'run seed: sample i of question q uses mixSeed(seed, q, i)', intOption('--seed'), 1)
    .option('--name <run>', 'sample run name (default: from model, set, split and settings)')
    .option('--until-correct <n>', 'adaptive: sample a question in rounds of k until it has n correct samples…', intOption('--until-correct', 1))
    .option('--max-k <n>', '…or this many in all', intOption('--max-k', 1))
    .option('--json', 'print the result as JSON');
  engineOptions(promptOptions(command)).action(async (o: SampleFlags, cmd: Command) => {
      const split = o.split ?? null;
      const prompt = promptFromFlags(o);
      const engine = engineFromFlags(o);
      if (o.workers === 0 && engine.kind === 'tfjs') await initBackend({ log: (l) => process.stderr.write(`${l}\n`) });
      await withStore(cmd, async (store, { runDir }) => {
        const modelId = await modelArg(store, o.model);
        const name =
          o.name ??
          defaultSampleRunName({ modelId, set: o.questions, split, k: o.k, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed, untilCorrect: o.untilCorrect, maxK: o.maxK, engine, ...(prompt ? { prompt } : {}) });
        if (!RUN_NAME.test(name)) throw new InputError(`invalid run name "${name}"`, { where: '--name', hint: 'use letters, digits, ".", "_" or "-"' });
        const bar = sampleProgressBar(`sample ${name}`);
        let res;
        try {
          res = await sampleStage(store, {
            runName: name,
            modelId,
            runDir,
            set: o.questions,
            split,
            k: o.k,
            temperature: o.temperature,
            topP: o.topP,
            topK: o.topK,
            maxNewTokens: o.maxNewTokens,
            ...(o.stop ? { stop: o.stop } : {}),
            batchSize: o.batchSize,
            workers: o.workers,
            seed: o.seed,
            engine,
            ...(prompt ? { prompt, promptWhere: '--prompt' } : {}),
            ...(o.untilCorrect !== undefined ? { untilCorrect: o.untilCorrect } : {}),
            ...(o.maxK !== undefined ? { maxK: o.maxK } : {}),
            onProgress: bar.onProgress,
          });
        } finally {
          bar.stop();
        }
        printResult(o.json, res, () => [
          {
            run: res.runName,
            questions: res.questions,
            generated: res.generated,
            alreadyThere: res.existing,
            total: res.total,
            ...(res.correct !== null ? { correct: res.correct } : {}),
            seconds: Number(res.seconds.toFixed(1)),
            tokensPerSec: Math.round(res.tokensPerSecond),
            backend: res.backend,
          },
        ]);
      });
    });
}
