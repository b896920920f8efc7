import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { exportDataset, exportForTrainer, importDataset, questionAsUser, TRAINERS, DEFAULT_TRAINER_HYPER, type Trainer } from '@sieve/dataset';
import { DEFAULT_MAX_TEXT_BYTES } from '@sieve/tasks';
import { withStore } from '../context';
import { intOption } from '../parse';
import { promptFromFlags, promptOptions, type PromptFlags } from '../prompt-options';
import { printTable } from '../table';

export function registerDatasets(program: Command): void {
  program
    .command('export')
    .argument('<dataset>', 'dataset name (latest version unless --version)')
    .description(
      'write a dataset\'s kept items as prompt/response pairs (or prompt/chosen/rejected for pairs); with --for, a folder\n' +
        'a trainer reads: TRL, LLaMA-Factory or ms-swift data plus ready configs for DFT and plain SFT (the RFT baseline), or DPO for pairs',
    )
    .option('--version <n>', 'dataset version', intOption('--version', 1))
    .option('--format <fmt>', 'jsonl or csv (without --for)', 'jsonl')
    .option('--pairs', 'write DPO pairs (default for a pairs dataset; without --for)')
    .option('--for <trainer>', `write a folder for a trainer: ${TRAINERS.join(', ')} (needs --out DIR)`)
    .option('--base-model <id>', 'with --for: the Hugging Face model id or path the configs train from', DEFAULT_TRAINER_HYPER.baseModel)
    .option('--chat', 'with --for: prompts as chat messages (the question as the user turn) instead of sieve\'s plain "Q: …\\nA: " text; a dataset sampled with the chat prompt format is always exported as chat, with its system prompt')
    .option('--out <path>', 'write to this file (default: stdout); with --for, the output folder')
    .action(async (name: string, opts: { version?: number; format: string; pairs?: boolean; for?: string; baseModel: string; chat?: boolean; out?: string }, cmd: Command) => {
      if (opts.for !== undefined) {
        if (!(TRAINERS as readonly string[]).includes(opts.for)) throw new InputError(`unknown trainer "${opts.for}"`, { where: '--for', hint: `use one of ${TRAINERS.join(', ')}` });
        if (opts.out === undefined) throw new InputError('--for needs an output folder', { where: '--out', hint: `e.g. --out exports/${name}-${opts.for}` });
        const outDir = opts.out;
        await withStore(cmd, async (store) => {
          const res = await exportForTrainer(store, {
            name,
            trainer: opts.for as Trainer,
            outDir,
            hyper: { baseModel: opts.baseModel },
            ...(opts.chat ? { style: questionAsUser() } : {}),
            ...(opts.version !== undefined ? { version: opts.version } : {}),
          });
          process.stdout.write(`exported ${res.rows} ${res.kind === 'dpo' ? 'preference pairs' : 'examples'} for ${opts.for} to ${outDir}: ${res.files.join(', ')}\n`);
        }, { write: false });
        return;
      }
      if (opts.format !== 'jsonl' && opts.format !== 'csv') throw new InputError(`unknown format "${opts.format}"`, { where: '--format', hint: 'use jsonl or csv' });
      await withStore(cmd, async (store) => {
        const n = await exportDataset(store, {
          name,
          format: opts.format as 'jsonl' | 'csv',
          out: opts.out ?? process.stdout,
          ...(opts.version !== undefined ? { version: opts.version } : {}),
          ...(opts.pairs !== undefined ? { pairs: opts.pairs } : {}),
        });
        process.stderr.write(`exported ${n} rows\n`);
      }, { write: false });
    });

  const datasets = program.command('datasets').description('list and import datasets');
  datasets
    .command('list')
    .description('every dataset version with its origin, rules and counts')
    .option('--json', 'print JSON lines')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, (store) => {
        const rows = store.datasets.list();
        if (opts.json) {
          for (const d of rows) process.stdout.write(`${JSON.stringify(d)}\n`);
          return;
        }
        if (!rows.length) {
          process.stdout.write('no datasets yet: run `sieve filter` or `sieve datasets import FILE`\n');
          return;
        }
        printTable(
          rows.map((d) => ({
            name: d.name,
            version: d.version,
            kind: d.kind,
            samples: d.sampleRunId === null ? '' : (store.samples.getRun(d.sampleRunId)?.name ?? ''),
            kept: store.datasets.items(d.id, { kept: true }).length,
            rules: JSON.stringify(d.rules),
          })),
        );
      }, { write: false });
    });
  const importCmd = datasets
    .command('import')
    .argument('<file>', 'a .jsonl or .csv of prompt/response pairs')
    .description('import prompt/response pairs as a dataset (a new version each time)')
    .requiredOption('--name <dataset>', 'dataset name')
    .option('--prompt-field <name>', 'field with the prompt', 'prompt')
    .option('--response-field <name>', 'field with the response', 'response')
    .option('--rejected-field <name>', 'field with a rejected response (preference pairs for DPO)')
    .option('--question', 'the prompt field holds a bare question: wrap it in the plain prompt format ("Q: …\\nA: ")')
    .option('--max-text-bytes <n>', 'longest prompt or response accepted, in UTF-8 bytes', intOption('--max-text-bytes', 1), DEFAULT_MAX_TEXT_BYTES);
  promptOptions(importCmd, 'plain: the prompt field is used as is, or wrapped with --question; chat: the prompt field is the user turn');
  importCmd.action(async (file: string, opts: { name: string; promptField: string; responseField: string; rejectedField?: string; question?: boolean; maxTextBytes: number } & PromptFlags, cmd: Command) => {
    const prompt = promptFromFlags(opts);
    await withStore(cmd, async (store) => {
      const res = await importDataset(store, {
        file,
        name: opts.name,
        promptField: opts.promptField,
        responseField: opts.responseField,
        promptIsQuestion: opts.question ?? false,
        ...(prompt ? { prompt } : {}),
        maxTextBytes: opts.maxTextBytes,
        ...(opts.rejectedField !== undefined ? { rejectedField: opts.rejectedField } : {}),
      });
      process.stdout.write(`dataset ${res.dataset.name} v${res.dataset.version} (${res.dataset.kind}): ${res.rows} rows from ${file}\n`);
    });
  });
}
