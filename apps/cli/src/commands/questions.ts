import { basename } from 'node:path';
import type { Command } from 'commander';
import { escapeControl, InputError } from '@sieve/core';
import { DEFAULT_MAX_TEXT_BYTES, generateSplits, loadQuestions, type PresetName } from '@sieve/tasks';
import { withStore } from '../context';
import { intOption } from '../parse';
import { printTable } from '../table';

interface SplitSpec {
  name: string;
  preset: PresetName;
  count: number;
}

/** "train:id:1000,test:id:200,ood:ood:200" → split specs. */
function parseSplits(value: string): SplitSpec[] {
  return value.split(',').map((part) => {
    const [name, preset, count] = part.trim().split(':');
    if (!name || !preset || !count || !/^\d+$/.test(count) || (preset !== 'id' && preset !== 'ood')) {
      throw new InputError(`bad split "${part}"`, {
        where: '--splits',
        hint: 'use NAME:PRESET:COUNT with PRESET id or ood, e.g. train:id:1000,test:id:200,ood:ood:200',
      });
    }
    return { name, preset, count: Number(count) };
  });
}

export function registerQuestions(program: Command): void {
  const questions = program.command('questions').description('create, import and list question sets');

  questions
    .command('generate')
    .description(
      'generate synthetic GSM8K-format questions (deterministic from --seed); splits never share a question',
    )
    .option('--set <name>', 'question set name', 'synth')
    .option('--splits <specs>', 'comma-separated NAME:PRESET:COUNT (PRESET: id = in-distribution, ood = harder)', 'train:id:1000,test:id:200,ood:ood:200')
    .option('--seed <n>', 'generator seed', intOption('--seed'), 1)
    .action(async (opts: { set: string; splits: string; seed: number }, cmd: Command) => {
      const specs = parseSplits(opts.splits);
      await withStore(cmd, (store) => {
        // Same seed → same questions, so a rerun inserts nothing new (the store dedupes by content).
        const out = generateSplits({
          seed: opts.seed,
          splits: specs.map((s) => ({ name: s.name, preset: s.preset, count: s.count })),
        });
        const rows = store.transaction(() =>
          specs.map((s) => {
            const qs = out[s.name] ?? [];
            const r = store.questions.insertMany(opts.set, s.name, `synthetic:${s.preset}`, qs);
            return { split: s.name, preset: s.preset, generated: qs.length, ...r };
          }),
        );
        printTable(rows);
        process.stderr.write(`set "${opts.set}" in ${store.path}\n`);
      });
    });

  questions
    .command('import')
    .argument('<file>', 'a .jsonl or .csv file of questions with gold answers (GSM8K JSONL works as is)')
    .description('import questions from JSONL or CSV; idempotent (the same file twice adds nothing)')
    .option('--set <name>', 'question set name (default: the file name without extension)')
    .option('--split <name>', 'split to put the questions in', 'train')
    .option('--format <fmt>', 'jsonl or csv (default: from the file extension)')
    .option('--no-header', 'CSV has no header row: name columns by number (1, 2, …)')
    .option('--verifier <name>', 'numeric (golds are numbers) or math (MATH-style: problem/solution rows, gold = the last \\boxed{}, or problem/answer rows); recorded in each question\'s meta', 'numeric')
    .option('--question-field <name>', 'field/column with the question (default: question, or problem with --verifier math)')
    .option('--answer-field <name>', 'field/column with the gold answer (bare, or a solution ending in "#### N")', 'answer')
    .option('--solution-field <name>', 'field/column with a worked solution, if separate (default with --verifier math: solution)')
    .option('--skip-bad', 'skip malformed rows (counted and reported) instead of stopping with nothing written')
    .option('--max-text-bytes <n>', 'longest question, answer or solution accepted, in UTF-8 bytes', intOption('--max-text-bytes', 1), DEFAULT_MAX_TEXT_BYTES)
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      if (opts.format !== undefined && opts.format !== 'jsonl' && opts.format !== 'csv') {
        throw new InputError(`unknown format "${opts.format}"`, { where: '--format', hint: 'use jsonl or csv' });
      }
      if (opts.verifier !== 'numeric' && opts.verifier !== 'math') {
        throw new InputError(`unknown verifier "${opts.verifier}" for an import`, { where: '--verifier', hint: 'use numeric or math' });
      }
      const set = opts.set ?? basename(file).replace(/\.[^.]+$/, '');
      const loaded = await loadQuestions(file, {
        format: opts.format,
        header: opts.header,
        questionField: opts.questionField,
        answerField: opts.answerField,
        solutionField: opts.solutionField,
        skipBad: opts.skipBad ?? false,
        verifier: opts.verifier,
        maxTextBytes: opts.maxTextBytes,
      });
      await withStore(cmd, (store) => {
        const r = store.questions.insertMany(set, opts.split, `import:${basename(file)}`, loaded.questions);
        printTable([{ set, split: opts.split, rows: loaded.rows, inserted: r.inserted, duplicates: r.duplicates, skipped: loaded.skipped.length }]);
        for (const s of loaded.skipped.slice(0, 20)) process.stderr.write(`skipped ${file}:${s.line}: ${escapeControl(s.reason)}\n`);
        if (loaded.skipped.length > 20) process.stderr.write(`… and ${loaded.skipped.length - 20} more skipped rows\n`);
      });
    });

  questions
    .command('list')
    .description('list question sets (counts per split), or the questions of one set')
    .option('--set <name>', 'show the questions of this set')
    .option('--split <name>', 'only this split')
    .option('--limit <n>', 'at most this many questions', intOption('--limit', 1), 20)
    .option('--offset <n>', 'skip this many', intOption('--offset'), 0)
    .option('--json', 'print JSON lines instead of a table')
    .action(async (opts: { set?: string; split?: string; limit: number; offset: number; json?: boolean }, cmd: Command) => {
      await withStore(cmd, (store) => {
        if (opts.set === undefined) {
          const summary = store.questions.summary();
          if (opts.json) for (const s of summary) process.stdout.write(`${JSON.stringify(s)}\n`);
          else if (summary.length === 0) process.stdout.write('no questions yet: run `sieve questions generate` or `sieve questions import FILE`\n');
          else printTable(summary);
          return;
        }
        const filter = { set: opts.set, ...(opts.split !== undefined ? { split: opts.split } : {}) };
        const total = store.questions.count(filter);
        if (total === 0) {
          throw new InputError(`no questions in set "${opts.set}"${opts.split ? ` split "${opts.split}"` : ''}`, {
            hint: 'run `sieve questions list` to see the sets',
          });
        }
        const rows = store.questions.list({ ...filter, limit: opts.limit, offset: opts.offset });
        if (opts.json) {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        printTable(rows.map((r) => ({ id: r.id, split: r.split, gold: r.goldAnswer, question: truncate(r.text, 70) })));
        process.stderr.write(`${rows.length} of ${total} shown\n`);
      }, { write: false });
    });
}

interface ImportOptions {
  set?: string;
  split: string;
  format?: string;
  header: boolean;
  questionField?: string;
  answerField: string;
  verifier: string;
  solutionField?: string;
  skipBad?: boolean;
  maxTextBytes: number;
}

function truncate(s: string, n: number): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}
