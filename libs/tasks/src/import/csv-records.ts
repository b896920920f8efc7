import { createReadStream } from 'node:fs';
import { parse, type Parser } from 'csv-parse';
import { badRecord, type ReadRecordsOptions, type RecordRow } from './records';

/*
 * csv-parse's own line counter is off after CRLF inside quoted fields, and its stream loses
 * buffered records when it errors. So records are taken synchronously from `on_record`,
 * and line numbers are counted here from the bytes between record ends (`info.bytes`).
 * After a broken quote the parser cannot know where the row ends: with onBadRecord we
 * restart a fresh parser on the line after the bad row's first line.
 */

const NL = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Blank lines at the start of `buf`: how many, and how many bytes they take. */
function leadingBlankLines(buf: Buffer, skipBom: boolean): { lines: number; bytes: number } {
  let i = skipBom && buf.subarray(0, 3).equals(BOM) ? 3 : 0;
  let lines = 0;
  for (;;) {
    if (buf[i] === NL) i += 1;
    else if (buf[i] === CR && buf[i + 1] === NL) i += 2;
    else return { lines, bytes: i };
    lines++;
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

function reasonOf(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field in this row is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field in this row has characters between its closing quote and the next delimiter';
    case 'INVALID_OPENING_QUOTE': // sic: csv-parse 6 names this one without the CSV_ prefix
      return 'a quote inside an unquoted field (quote the whole field and write inner quotes as "")';
    default:
      return err.message;
  }
}

export async function* readCsvRecords(path: string, opts: ReadRecordsOptions): AsyncGenerator<RecordRow> {
  const header = opts.header ?? true;
  const delimiter = opts.delimiter ?? (path.toLowerCase().endsWith('.tsv') ? '\t' : ',');
  const file = createReadStream(path)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  let pending = Buffer.alloc(0); // bytes from `lastEnd` to the end of what was read
  let lastEnd = 0; // absolute offset just after the last complete record
  let lastEndLine = 1; // line number at `lastEnd`
  let columns: string[] | null = null;
  const queue: { fields: string[]; end: number }[] = [];

  const newParser = (base: number): Parser => {
    const p = parse({
      bom: base === 0,
      delimiter,
      relax_column_count: true, // counted below, with a better message and skippable
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'], // not auto-detected from the first newline: mixed endings happen
      on_record: (fields: string[], info) => {
        queue.push({ fields, end: base + info.bytes });
        return null; // nothing goes to the readable side: records are consumed from `queue`
      },
    });
    p.on('error', () => undefined); // read synchronously from `p.errored` below
    return p;
  };

  const toRow = (fields: string[], line: number): RecordRow | null => {
    if (fields.every((f) => f.trim() === '')) return null;
    if (columns === null) {
      if (header) {
        columns = fields.map((f) => f.trim());
        const dup = columns.find((c, i) => columns?.indexOf(c) !== i);
        if (dup !== undefined)
          badRecord(path, line, `the header names column "${dup}" twice`, undefined, 'give every column a distinct name');
        return null;
      }
      columns = fields.map((_, i) => String(i + 1));
    }
    if (fields.length !== columns.length) {
      const what = header ? `the header has ${columns.length} (${columns.join(', ')})` : `the first row has ${columns.length}`;
      badRecord(path, line, `row has ${fields.length} fields but ${what}`, opts.onBadRecord, 'quote fields that contain the delimiter');
      return null;
    }
    const cols = columns;
    return { line, record: Object.fromEntries(cols.map((c, i) => [c, fields[i]])) };
  };

  /** Rows parsed so far, with their start lines. */
  function* drain(): Generator<RecordRow> {
    for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
      const seg = pending.subarray(0, r.end - lastEnd);
      const line = lastEndLine + leadingBlankLines(seg, lastEnd === 0).lines;
      lastEndLine += countNewlines(seg);
      pending = pending.subarray(seg.length);
      lastEnd = r.end;
      const row = toRow(r.fields, line);
      if (row !== null) yield row;
    }
  }

  let parser = newParser(0);
  let parserEnded = false;
  let refeed: Buffer | null = null;
  let eof = false;
  try {
    for (;;) {
      if (refeed !== null) {
        parser.write(refeed);
        refeed = null;
      } else if (!eof) {
        const next = await file.next();
        if (next.done) eof = true;
        else {
          pending = Buffer.concat([pending, next.value]);
          parser.write(next.value);
        }
      }
      if (eof && !parserEnded) {
        parserEnded = true;
        const p = parser;
        p.end();
        await new Promise<void>((resolve) => {
          if (p.writableFinished || p.errored) resolve();
          else p.once('finish', resolve).once('error', () => resolve());
        });
      }
      yield* drain();
      const err = parser.errored;
      if (err !== null) {
        const blank = leadingBlankLines(pending, lastEnd === 0);
        const line = lastEndLine + blank.lines;
        badRecord(path, line, `malformed CSV: ${reasonOf(err)}`, opts.onBadRecord, 'check the quotes in this row: a quote inside a quoted field is written ""', err);
        // Resync on the line after the bad row's first line.
        let nl = pending.indexOf(NL, blank.bytes);
        while (nl === -1 && !eof) {
          const next = await file.next();
          if (next.done) eof = true;
          else pending = Buffer.concat([pending, next.value]);
          nl = pending.indexOf(NL, blank.bytes);
        }
        if (nl === -1) return;
        lastEnd += nl + 1;
        lastEndLine = line + 1;
        pending = pending.subarray(nl + 1);
        parser = newParser(lastEnd);
        parserEnded = false;
        refeed = Buffer.from(pending);
        continue;
      }
      if (parserEnded) return;
    }
  } finally {
    await file.return?.();
  }
}
