import { readCsvRecords } from './csv-records';
import { readJsonlRecords } from './jsonl-records';
import { assertReadableFile, formatOf, type ReadRecordsOptions, type RecordRow } from './records';

/**
 * Streams the records of a JSONL or CSV file with the 1-based line each starts on.
 * A malformed row throws InputError (where "<file>:<line>") unless `onBadRecord` takes it.
 */
export async function* readRecords(path: string, opts: ReadRecordsOptions = {}): AsyncGenerator<RecordRow> {
  await assertReadableFile(path); // first: a directory is "not a file", whatever its name
  const format = formatOf(path, opts.format);
  yield* format === 'csv' ? readCsvRecords(path, opts) : readJsonlRecords(path, opts);
}
