import type { Command } from 'commander';
import { benchmarkSummary, evaluateSets, type BenchmarkSummary, type EvaluateProgress } from '@sieve/eval';
import { initBackend } from '@sieve/model';
import { withStore } from '../context';
import { engineFromFlags, engineOptions, type EngineFlags } from '../engine-options';
import { modelArg } from '../hf-model';
import { promptFromFlags, promptOptions, type PromptFlags } from '../prompt-options';
import { collectStop, defaultWorkers, floatOption, intListOption, intOption } from '../parse';
import { createProgress, type Progress } from '../progress';
import { printResult, printTable } from '../table';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface EvalFlags extends EngineFlags, PromptFlags {
  model: string;
  questions: string[];
  split?: string[];
  verifier?: string;
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
    .description(
      'evaluate a model per split of one or more question sets (benchmarks): avg@N over N samples, greedy accuracy and ' +
        'unbiased pass@k; one stored evaluation per split; then one column per benchmark and their unweighted average',
    )
    .requiredOption('--model <id>', 'model id of this run, or hf:PATH (a Hugging Face folder, imported into the run)')
    .requiredOption('--questions <set>', 'question set (repeatable: --questions MATH500 --questions AIME24)', collect)
    .option('--split <name>', 'split to evaluate in every set (repeatable; default: every split of each set)', collect)
    .option('--verifier <name>', "grade every response with this verifier (default: each question's set's own, recorded at import, else numeric)")
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
  engineOptions(promptOptions(command)).action(async (o: EvalFlags, cmd: Command) => {
      const engine = engineFromFlags(o);
      const prompt = promptFromFlags(o);
      if (o.workers === 0 && engine.kind === 'tfjs') await initBackend({ log: (l) => process.stderr.write(`${l}\n`) });
      await withStore(cmd, async (store, { runDir }) => {
        const modelId = await modelArg(store, o.model);
        let bar: Progress | undefined;
        let barSplit = '';
        const onProgress = (p: EvaluateProgress & { set: string }): void => {
          if (`${p.set}/${p.split}` !== barSplit) {
            bar?.stop();
            bar = createProgress(`eval ${modelId} ${p.set}/${p.split}`, p.total, '{tps} tok/s');
            barSplit = `${p.set}/${p.split}`;
          }
          bar?.update(p.done, { tps: Math.round(p.tokensPerSecond) });
        };
        let res;
        try {
          res = await evaluateSets(store, {
            modelId,
            runDir,
            sets: o.questions,
            ...(o.split ? { splits: o.split } : {}),
            ...(o.verifier ? { verifier: o.verifier } : {}),
            ...(prompt ? { prompt, promptWhere: '--prompt' } : {}),
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
        const bench = benchmarkSummary(res);
        printResult(o.json, { results: res, benchmarks: bench }, () =>
          res.map((r) => ({
            model: modelId,
            set: r.set,
            split: r.split,
            questions: r.questions,
            n: r.n,
            [`avg@${r.n}`]: r.avgAtN,
            greedy: r.greedy,
            ...Object.fromEntries(Object.entries(r.passAtK).map(([k, v]) => [`pass@${k}`, v])),
            seconds: Number(r.seconds.toFixed(1)),
          })),
        );
        if (!o.json && res.length > 1) {
          // The paper's table: one column per benchmark and their unweighted average.
          process.stdout.write('\n');
          const row = (metric: string, m: BenchmarkSummary['avgAtN']) => ({ model: modelId, metric, ...Object.fromEntries(bench.benchmarks.map((b, i) => [b, m.values[i] ?? null])), avg: m.avg });
          printTable([row(`avg@${res[0]?.n ?? 'N'}`, bench.avgAtN), ...(bench.greedy.values.some((v) => v !== null) ? [row('greedy', bench.greedy)] : [])]);
        }
      });
    });
}
