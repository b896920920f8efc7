import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { exportDataset, importDataset } from '@sieve/dataset';
import { withStore } from '../context';
import { intOption } from '../parse';
import { printTable } from '../table';

export function registerDatasets(program: Command): void {
  program
    .command('export')
    .argument('<dataset>', 'dataset name (latest version unless --version)')
    .description('write a dataset\'s kept items as prompt/response pairs (or prompt/chosen/rejected for pairs)')
    .option('--version <n>', 'dataset version', intOption('--version', 1))
    .option('--format <fmt>', 'jsonl or csv', 'jsonl')
    .option('--pairs', 'write DPO pairs (default for a pairs dataset)')
    .option('--out <file>', 'write to this file (default: stdout)')
    .action(async (name: string, opts: { version?: number; format: string; pairs?: boolean; out?: string }, cmd: Command) => {
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
      });
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
      });
    });
  datasets
    .command('import')
    .argument('<file>', 'a .jsonl or .csv of prompt/response pairs')
    .description('import prompt/response pairs as a dataset (a new version each time)')
    .requiredOption('--name <dataset>', 'dataset name')
    .option('--prompt-field <name>', 'field with the prompt', 'prompt')
    .option('--response-field <name>', 'field with the response', 'response')
    .option('--rejected-field <name>', 'field with a rejected response (preference pairs for DPO)')
    .option('--question', 'the prompt field holds a bare question: wrap it in the model\'s prompt format')
    .action(async (file: string, opts: { name: string; promptField: string; responseField: string; rejectedField?: string; question?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const res = await importDataset(store, {
          file,
          name: opts.name,
          promptField: opts.promptField,
          responseField: opts.responseField,
          promptIsQuestion: opts.question ?? false,
          ...(opts.rejectedField !== undefined ? { rejectedField: opts.rejectedField } : {}),
        });
        process.stdout.write(`dataset ${res.dataset.name} v${res.dataset.version} (${res.dataset.kind}): ${res.rows} rows from ${file}\n`);
      });
    });
}
