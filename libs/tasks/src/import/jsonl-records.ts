import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { badRecord, type ReadRecordsOptions, type RecordRow } from './records';

/** One JSON object per line; blank lines skipped; a UTF-8 BOM on line 1 ignored. */
export async function* readJsonlRecords(path: string, opts: ReadRecordsOptions): AsyncGenerator<RecordRow> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        badRecord(path, line, `invalid JSON: ${(cause as Error).message}`, opts.onBadRecord, 'each non-blank line must be one JSON object', cause);
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        badRecord(path, line, `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, opts.onBadRecord);
        continue;
      }
      yield { line, record: value as Record<string, unknown> };
    }
  } finally {
    lines.close();
  }
}
