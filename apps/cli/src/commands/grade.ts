import { createWriteStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { escapeControl, InputError } from '@sieve/core';
import { readRecords } from '@sieve/tasks';
import { getVerifier, listVerifiers, verify } from '@sieve/verify';
import { createProgress } from '../progress';

interface GradeOptions {
  responseField: string;
  goldField: string;
  format?: 'jsonl' | 'csv';
  header: boolean;
  verifier: string;
  out?: string;
  skipBad?: boolean;
}

export function registerGrade(program: Command): void {
  program
    .command('grade')
    .argument('<file>', 'a .jsonl or .csv file with a response and a gold answer per row')
    .description(
      'grade responses against gold answers: one JSON verdict per line on stdout (or --out), a summary on stderr.\n' +
        'The gold may be a bare answer ("18") or a full solution ending in "#### 18".',
    )
    .option('--response-field <name>', 'field/column holding the response', 'response')
    .option('--gold-field <name>', 'field/column holding the gold answer or solution', 'gold')
    .option('--format <fmt>', 'jsonl or csv (default: from the file extension)')
    .option('--no-header', 'CSV has no header row: name columns by number (1, 2, …)')
    .option('--verifier <name>', `verifier to use (${listVerifiers().join(', ')})`, 'numeric')
    .option('--out <file>', 'write verdicts to this file instead of stdout')
    .option('--skip-bad', 'skip rows with a missing field or an unparseable gold (counted) instead of stopping')
    .action(async (file: string, opts: GradeOptions, _cmd: Command) => {
      getVerifier(opts.verifier); // an unknown name fails before any work
      const file$ = opts.out ? createWriteStream(opts.out) : undefined;
      const out = file$ ?? process.stdout;
      const summary = await grade(file, opts, (line) => out.write(`${line}\n`));
      if (file$) {
        await new Promise<void>((res, rej) => {
          file$.on('error', rej);
          file$.end(res);
        });
      }
      const pct = summary.graded ? ((100 * summary.correct) / summary.graded).toFixed(2) : '0.00';
      process.stderr.write(
        `graded ${summary.graded} rows: ${summary.correct} correct (${pct}%), ${summary.incorrect} incorrect, ` +
          `${summary.unparseable} unparseable, ${summary.wrongSteps} with a wrong step` +
          `${summary.skipped ? `, ${summary.skipped} skipped` : ''}\n`,
      );
    });
}

export interface GradeSummary {
  rows: number;
  graded: number;
  correct: number;
  incorrect: number;
  unparseable: number;
  wrongSteps: number;
  skipped: number;
}

async function grade(file: string, opts: GradeOptions, emit: (line: string) => void): Promise<GradeSummary> {
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) throw new InputError(`no such file: ${file}`, { where: file });
  const s: GradeSummary = { rows: 0, graded: 0, correct: 0, incorrect: 0, unparseable: 0, wrongSteps: 0, skipped: 0 };
  const progress = createProgress('grading', 0);
  const fail = (line: number, msg: string, cause?: unknown): void => {
    if (opts.skipBad) {
      s.skipped++;
      process.stderr.write(`skipped ${file}:${line}: ${escapeControl(msg)}\n`);
      return;
    }
    throw new InputError(msg, { where: `${file}:${line}`, hint: 'fix the row, or pass --skip-bad', cause });
  };
  for await (const { line, record } of readRecords(file, { format: opts.format, header: opts.header })) {
    s.rows++;
    const response = record[opts.responseField];
    const gold = record[opts.goldField];
    if (typeof response !== 'string' && typeof response !== 'number') {
      fail(line, `missing field "${opts.responseField}" (fields: ${Object.keys(record).join(', ')})`);
      continue;
    }
    if (typeof gold !== 'string' && typeof gold !== 'number') {
      fail(line, `missing field "${opts.goldField}" (fields: ${Object.keys(record).join(', ')})`);
      continue;
    }
    let v;
    try {
      v = verify(String(response), String(gold), { verifier: opts.verifier });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      fail(line, `cannot grade: ${err instanceof Error ? err.message : String(err)}`, err);
      continue;
    }
    s.graded++;
    if (v.status === 'correct') s.correct++;
    else if (v.status === 'incorrect') s.incorrect++;
    else s.unparseable++;
    if (v.steps.wrong > 0) s.wrongSteps++;
    emit(JSON.stringify({ line, ...v }));
    if (s.rows % 1000 === 0) progress.update(s.rows);
  }
  progress.stop();
  return s;
}
