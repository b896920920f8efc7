import { InputError } from '@sieve/core';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';

export type RecordFormat = 'jsonl' | 'csv';

export interface RecordRow {
  /** 1-based physical line where the record starts. */
  line: number;
  record: Record<string, unknown>;
}

/** A row that could not be read; `error` is what would have been thrown. */
export interface BadRecord {
  line: number;
  reason: string;
  error: InputError;
}

export interface ReadRecordsOptions {
  /** Default: from the extension (.jsonl/.ndjson/.json → jsonl, .csv/.tsv → csv). */
  format?: RecordFormat;
  /** CSV: first row names the columns (default true); without it columns are "1", "2", … */
  header?: boolean;
  /** CSV: field delimiter (default "," or a tab for .tsv). */
  delimiter?: string;
  /** Called for a malformed row, which is then skipped; without it the row throws. */
  onBadRecord?: (bad: BadRecord) => void;
}

const BY_EXTENSION: Record<string, RecordFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.csv': 'csv', '.tsv': 'csv' };

/** Default cap on one imported text field (question, answer, prompt, response): 100 KB of UTF-8. */
export const DEFAULT_MAX_TEXT_BYTES = 100 * 1024;

/** Why a field is too long to import (naming the field, its size and the limit), or null. */
export function textTooLong(field: string, text: string, maxBytes: number): string | null {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return null;
  return `field "${field}" has ${bytes} bytes, more than the limit of ${maxBytes}`;
}

export function formatOf(path: string, format: RecordFormat | undefined): RecordFormat {
  if (format !== undefined) {
    if (format !== 'jsonl' && format !== 'csv') throw new InputError(`unknown format "${String(format)}"`, { hint: 'use jsonl or csv' });
    return format;
  }
  const f = BY_EXTENSION[extname(path).toLowerCase()];
  if (f === undefined)
    throw new InputError(`cannot tell the format of ${path} from its extension`, { where: path, hint: 'name it .jsonl or .csv, or pass the format (jsonl or csv) explicitly' });
  return f;
}

/** Fails early, with a readable message, on a missing file or a directory. */
export async function assertReadableFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (cause) {
    throw new InputError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause)}`, {
      where: path,
      hint: 'check the path',
      cause,
    });
  }
  if (!isFile) throw new InputError(`${path} is not a file`, { where: path, hint: 'give the path of a .jsonl or .csv file' });
}

/** Throw, or report and skip, one bad row. */
export function badRecord(path: string, line: number, reason: string, onBad: ReadRecordsOptions['onBadRecord'], hint?: string, cause?: unknown): void {
  const error = new InputError(reason, { where: `${path}:${line}`, hint, cause });
  if (onBad === undefined) throw error;
  onBad({ line, reason, error });
}
