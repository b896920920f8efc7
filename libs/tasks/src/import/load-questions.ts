import { InputError, quoteText } from '@sieve/core';
import { parseMathGold } from '@sieve/verify';
import { basename } from 'node:path';
import type { NewQuestion } from '../types';
import { extractGoldAnswer } from './gold-answer';
import { readRecords } from './read-records';
import { assertReadableFile, badRecord, DEFAULT_MAX_TEXT_BYTES, formatOf, textTooLong, type RecordFormat } from './records';

export interface LoadQuestionsOptions {
  format?: RecordFormat;
  header?: boolean;
  delimiter?: string;
  /** Default "question". */
  questionField?: string;
  /** Default "answer": a bare answer or a GSM8K solution ending in "#### N". */
  answerField?: string;
  /** Field with a worked solution, when the answer field is bare. */
  solutionField?: string;
  /** Count bad rows in `skipped` and go on, instead of failing the whole import. */
  skipBad?: boolean;
  /**
   * How golds are read, recorded in every question's `meta.verifier`. `numeric` (default): the
   * final number. `math`: MATH-style — the question in `problem` (default field), the gold in
   * `answer` as written, or, in a row without `answer`, the last `\boxed{…}` of `solution`;
   * a gold the math verifier cannot read as one answer is a bad row.
   */
  verifier?: 'numeric' | 'math';
  /** A question, answer or solution longer than this (UTF-8 bytes) is a bad row. Default 100 KB. */
  maxTextBytes?: number;
}

export interface LoadedQuestions {
  questions: NewQuestion[];
  skipped: { line: number; reason: string }[];
  /** Data rows seen, good and bad. */
  rows: number;
}

type FieldValue = { ok: true; text: string } | { ok: false; reason: string };

function fieldText(record: Record<string, unknown>, field: string): FieldValue {
  const v = record[field];
  if (v === undefined || v === null) {
    const has = Object.keys(record);
    return { ok: false, reason: `field "${field}" is missing (the record has: ${has.length ? has.join(', ') : 'no fields'})` };
  }
  if (typeof v === 'string') return { ok: true, text: v };
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return { ok: true, text: String(v) };
  return { ok: false, reason: `field "${field}" is ${Array.isArray(v) ? 'an array' : 'an object'}, not text` };
}

/** The record's unmapped fields, with where it came from and the verifier its gold was read for. */
function metaOf(record: Record<string, unknown>, mapped: readonly string[], line: number, source: string, verifier: string): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (mapped.includes(k)) continue;
    meta[k === 'line' || k === 'source' || k === 'verifier' ? `record_${k}` : k] = v;
  }
  meta.line = line;
  meta.source = source;
  if (verifier !== 'numeric') meta.verifier = verifier; // absent means numeric, as in stores from before
  return meta;
}


/**
 * Questions from a JSONL or CSV file (GSM8K's JSONL works with the defaults). Without
 * skipBad the first bad row throws and nothing is returned, so the caller writes all or nothing.
 */
export async function loadQuestions(path: string, opts: LoadQuestionsOptions = {}): Promise<LoadedQuestions> {
  await assertReadableFile(path); // first: a directory is "not a file", whatever its name
  const format = formatOf(path, opts.format);
  const maxBytes = opts.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const math = opts.verifier === 'math';
  const qf = opts.questionField ?? (math ? 'problem' : 'question');
  const af = opts.answerField ?? 'answer';
  // MATH-style rows carry either `answer` or only a `solution` ending in \boxed{…}.
  const sf = opts.solutionField ?? (math ? 'solution' : undefined);
  const solutionOptional = math && opts.solutionField === undefined;
  const mapped = [qf, af, ...(sf === undefined ? [] : [sf])];
  const source = basename(path);
  const questions: NewQuestion[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const onBadRecord = opts.skipBad ? (b: { line: number; reason: string }) => void skipped.push({ line: b.line, reason: b.reason }) : undefined;
  const bad = (line: number, reason: string, hint?: string) => badRecord(path, line, reason, onBadRecord, hint);
  let columnsChecked = false;

  for await (const { line, record } of readRecords(path, { format, header: opts.header, delimiter: opts.delimiter, onBadRecord })) {
    if (format === 'csv' && !columnsChecked) {
      // Every CSV record has every column, so the first one tells what the file has.
      const cols = Object.keys(record);
      const missing = mapped.filter((f) => !cols.includes(f));
      if (missing.length > 0)
        throw new InputError(`column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in ${path}`, {
          where: path,
          hint: `the columns are: ${cols.join(', ')}; map the question/answer/solution fields to them`,
        });
      columnsChecked = true;
    }
    const q = fieldText(record, qf);
    const s0 = sf === undefined ? null : fieldText(record, sf);
    const s = solutionOptional && s0 !== null && !s0.ok && record[sf ?? ''] == null ? null : s0;
    const a = math && record[af] == null && s !== null && s.ok ? s : fieldText(record, af);
    const failed = [q, a, s].find((f): f is { ok: false; reason: string } => f !== null && !f.ok);
    if (failed !== undefined) {
      bad(line, failed.reason, 'map the fields with questionField/answerField/solutionField');
      continue;
    }
    const fields: [string, FieldValue | null][] = [[qf, q], [af, a], [sf ?? '', s]];
    const tooLong = fields.map(([name, f]) => (f?.ok ? textTooLong(name, f.text, maxBytes) : null)).find((r) => r !== null);
    if (tooLong) {
      bad(line, tooLong, 'raise the limit (--max-text-bytes) if such long texts are meant to be there');
      continue;
    }
    const text = (q as { text: string }).text.trim();
    const answerText = (a as { text: string }).text;
    if (text === '') {
      bad(line, `field "${qf}" is empty`);
      continue;
    }
    if (math) {
      let gold: string;
      try {
        gold = parseMathGold(answerText).text;
      } catch (cause) {
        bad(line, `field "${a === s ? sf : af}": ${(cause as Error).message}`, (cause as InputError).hint);
        continue;
      }
      const solutionText = s !== null && s.ok ? s.text.trim() : '';
      questions.push({ text, goldAnswer: gold, goldSolution: solutionText !== '' ? solutionText : null, difficulty: null, meta: metaOf(record, mapped, line, source, 'math') });
      continue;
    }
    const gold = extractGoldAnswer(answerText);
    if (gold === null) {
      bad(line, `field "${af}": no final number in ${quoteText(answerText)}`, 'the answer must be a number or a solution ending in "#### <number>"');
      continue;
    }
    const solutionText = s !== null && s.ok ? s.text.trim() : '';
    const goldSolution = solutionText !== '' ? solutionText : gold.bare ? null : answerText.trim();
    const annotations = goldSolution?.match(/<<[^<>]*>>/g)?.length ?? 0;
    const meta = metaOf(record, mapped, line, source, 'numeric');
    questions.push({ text, goldAnswer: gold.answer, goldSolution, difficulty: annotations > 0 ? annotations : null, meta });
  }

  const rows = questions.length + skipped.length;
  if (rows === 0)
    throw new InputError(`no rows in ${path}`, { where: path, hint: format === 'csv' && opts.header !== false ? 'the file is empty or has only a header' : 'the file is empty' });
  skipped.sort((x, y) => x.line - y.line);
  return { questions, skipped, rows };
}
