import type { Command } from 'commander';
import { inspectDataset, inspectQuestion, inspectRun, openReadonlyStore, datasetText, questionText, runText } from '@sieve/inspect';
import { runContext } from '../context';
import { intOption } from '../parse';

interface InspectFlags {
  dataset?: string;
  question?: number;
  verifier: string;
  top: number;
  json?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'what a run holds, read only: stage records, acceptance overall and per split, correct samples per question,\n' +
        'drops per reason, lengths of accepted vs rejected responses, the hardest and easiest questions',
    )
    .option('--dataset <name[@version]>', 'only this dataset (latest version unless @N)')
    .option('--question <id>', 'every sample of one question: verdict, extracted answer, step check, decision', intOption('--question', 1))
    .option('--verifier <name>', 'whose verdicts count as correct in sample runs (datasets use their own)', 'numeric')
    .option('--top <n>', 'how many hardest and easiest questions to list', intOption('--top', 0, 10_000), 5)
    .option('--json', 'print JSON for scripts')
    .action((opts: InspectFlags, cmd: Command) => {
      // Read only: not withStore, which opens for writing (and migrates).
      const store = openReadonlyStore(runContext(cmd).dbPath);
      try {
        const common = { verifier: opts.verifier, top: opts.top };
        const out =
          opts.question !== undefined
            ? inspectQuestion(store, opts.question, { ...common, ...(opts.dataset !== undefined ? { dataset: opts.dataset } : {}) })
            : opts.dataset !== undefined
              ? inspectDataset(store, opts.dataset, common)
              : inspectRun(store, common);
        if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        else if ('question' in out) process.stdout.write(questionText(out));
        else if ('counts' in out) process.stdout.write(runText(out));
        else process.stdout.write(`${datasetText(out).join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}
