import { basename } from 'node:path';
import { InputError, quoteText } from '@sieve/core';
import type { DatasetItemInput, DatasetRow, Store } from '@sieve/store';
import { DEFAULT_MAX_TEXT_BYTES, readRecords, textTooLong, type RecordFormat } from '@sieve/tasks';
import { PLAIN_PROMPT, PROMPT_FORMAT_VERSION, promptRecord, storedPrompt, type PromptSpec } from './prompt';

export interface ImportDatasetOptions {
  /** A .jsonl or .csv file (or give `format`). */
  file: string;
  /** Dataset name; each import makes its next version. */
  name: string;
  promptField?: string;
  responseField?: string;
  /** For preference data: the field holding the rejected response. */
  rejectedField?: string;
  format?: RecordFormat;
  /** The prompt field holds a bare question: wrap it with formatPrompt (default false: used as is). Plain prompts only. */
  promptIsQuestion?: boolean;
  /**
   * The prompt format the dataset is trained with (default plain). Chat: the prompt field is the user
   * turn (a question); training renders it with the model's chat template (and this system prompt), and
   * trainer exports write `{"messages"}`. Recorded in the dataset's rules, as sampled datasets record it.
   */
  prompt?: PromptSpec;
  /** A prompt or response longer than this (UTF-8 bytes) fails the import. Default 100 KB. */
  maxTextBytes?: number;
}

export interface ImportDatasetResult {
  dataset: DatasetRow;
  rows: number;
}

function field(record: Record<string, unknown>, name: string, where: string, maxBytes: number): string {
  const value = record[name];
  if (typeof value === 'string' && value.trim() !== '') {
    const tooLong = textTooLong(name, value, maxBytes);
    if (tooLong) throw new InputError(tooLong, { where, hint: 'raise the limit (--max-text-bytes) if such long texts are meant to be there' });
    return value;
  }
  const present = Object.keys(record);
  throw new InputError(
    value === undefined || value === null ? `missing field "${name}"` : `field "${name}" must be a non-empty string, got ${quoteText(JSON.stringify(value), 40)}`,
    { where, hint: `fields in this row: ${present.join(', ') || '(none)'}; choose others with promptField/responseField/rejectedField` },
  );
}

/**
 * Reads prompt/response rows (optionally with a rejected response) from JSONL or CSV into a
 * new version of an `imported` dataset; all rows are kept. A bad row fails the whole import
 * with an InputError at file:line, and nothing is written.
 */
export async function importDataset(store: Store, opts: ImportDatasetOptions): Promise<ImportDatasetResult> {
  const promptField = opts.promptField ?? 'prompt';
  const responseField = opts.responseField ?? 'response';
  if (!opts.name.trim()) throw new InputError('a dataset needs a name', { where: 'name' });
  const spec = opts.prompt ?? PLAIN_PROMPT;
  if (spec.format === 'chat' && opts.promptIsQuestion) {
    throw new InputError('--question wraps a bare question in the plain prompt; with the chat format the prompt field is always the user turn', { where: '--question', hint: 'drop --question' });
  }
  const items: DatasetItemInput[] = [];
  for await (const { line, record } of readRecords(opts.file, opts.format ? { format: opts.format } : {})) {
    const where = `${opts.file}:${line}`;
    const max = opts.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
    const prompt = field(record, promptField, where, max);
    const response = field(record, responseField, where, max);
    const rejected = opts.rejectedField === undefined ? null : field(record, opts.rejectedField, where, max);
    items.push({
      sampleId: null,
      questionId: null,
      prompt: opts.promptIsQuestion || spec.format === 'chat' ? storedPrompt(spec, prompt) : prompt,
      response,
      kept: true,
      dropReason: null,
      rejectedSampleId: null,
      rejectedResponse: rejected,
    });
  }
  if (!items.length) throw new InputError(`${opts.file} has no records`, { where: opts.file, hint: 'give a file with at least one prompt/response row' });

  const meanLength = items.reduce((a, it) => a + it.response.length, 0) / items.length;
  const dataset = store.datasets.create(
    {
      name: opts.name,
      kind: 'imported',
      sampleRunId: null,
      rules: {
        source: basename(opts.file),
        promptField,
        responseField,
        ...(opts.rejectedField === undefined ? {} : { rejectedField: opts.rejectedField }),
        ...(opts.promptIsQuestion || spec.format === 'chat' ? { promptFormat: PROMPT_FORMAT_VERSION } : {}),
        ...promptRecord(spec),
      },
      stats: {
        samples: items.length,
        kept: items.length,
        acceptanceRate: 1,
        meanLength: { kept: meanLength, dropped: null },
        ...(opts.rejectedField === undefined ? {} : { pairs: items.length }),
      },
    },
    items,
  );
  return { dataset, rows: items.length };
}
