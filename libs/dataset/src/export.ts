import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { InputError } from '@sieve/core';
import type { DatasetItemRow, DatasetRow, Store } from '@sieve/store';
import { csvRow } from './csv-write';

export interface ExportDatasetOptions {
  name: string;
  /** Default: the latest version. */
  version?: number;
  format: 'jsonl' | 'csv';
  /** `{ prompt, chosen, rejected }` rows (default: true for a `pairs` dataset). */
  pairs?: boolean;
  /** A stream (left open) or a file path (written to a temp file, then renamed). */
  out: NodeJS.WritableStream | string;
}

const PAGE = 1000;

/** The named dataset (a version or the latest), or an InputError naming those there are. */
export function findDataset(store: Store, name: string, version?: number): DatasetRow {
  const d = store.datasets.byName(name, version);
  if (d) return d;
  const all = store.datasets.list();
  const versions = all.filter((x) => x.name === name).map((x) => x.version);
  throw new InputError(version === undefined || !versions.length ? `unknown dataset "${name}"` : `dataset "${name}" has no version ${version}`, {
    where: store.path,
    hint: versions.length
      ? `versions of ${name}: ${versions.join(', ')}`
      : all.length
        ? `datasets: ${[...new Set(all.map((x) => x.name))].join(', ')}`
        : 'there are no datasets yet: run `sieve filter` first',
  });
}

function* keptItems(store: Store, datasetId: number): Generator<DatasetItemRow> {
  for (let offset = 0; ; offset += PAGE) {
    const page = store.datasets.items(datasetId, { kept: true, limit: PAGE, offset });
    yield* page;
    if (page.length < PAGE) return;
  }
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out as NodeJS.EventEmitter, 'drain');
}

async function writeRows(store: Store, d: DatasetRow, opts: ExportDatasetOptions, pairs: boolean, out: NodeJS.WritableStream): Promise<number> {
  const columns = pairs ? ['prompt', 'chosen', 'rejected'] : ['prompt', 'response', 'question_id', 'sample_id'];
  if (opts.format === 'csv') await write(out, csvRow(columns));
  let n = 0;
  for (const it of keptItems(store, d.id)) {
    if (pairs && (it.rejectedResponse === null || it.rejectedResponse === undefined)) {
      throw new InputError(`item ${it.id} of dataset ${d.name} v${d.version} has no rejected response`, {
        where: `${d.name} v${d.version}`,
        hint: 'export pairs only from a dataset built with kind "pairs"',
      });
    }
    const row = pairs
      ? { prompt: it.prompt, chosen: it.response, rejected: it.rejectedResponse }
      : { prompt: it.prompt, response: it.response, question_id: it.questionId, sample_id: it.sampleId };
    await write(out, opts.format === 'csv' ? csvRow(Object.values(row)) : `${JSON.stringify(row)}\n`);
    n++;
  }
  return n;
}

/** Writes the kept items of a dataset as JSONL or CSV; returns the number of rows (header excluded). */
export async function exportDataset(store: Store, opts: ExportDatasetOptions): Promise<number> {
  if (opts.format !== 'jsonl' && opts.format !== 'csv') {
    throw new InputError(`unknown export format "${String(opts.format)}"`, { hint: 'use jsonl or csv' });
  }
  const d = findDataset(store, opts.name, opts.version);
  const pairs = opts.pairs ?? d.kind === 'pairs';
  if (typeof opts.out !== 'string') return writeRows(store, d, opts, pairs, opts.out);

  const path = opts.out;
  const tmp = `${path}.tmp-${process.pid}`;
  const file = createWriteStream(tmp, { encoding: 'utf8' });
  let writeError: unknown;
  file.on('error', (err) => (writeError ??= err));
  try {
    await once(file, 'open');
  } catch (cause) {
    throw new InputError(`cannot write ${path}: ${(cause as Error).message}`, { where: path, hint: 'check the folder exists and is writable', cause });
  }
  try {
    const n = await writeRows(store, d, opts, pairs, file);
    file.end();
    await finished(file);
    if (writeError) throw writeError;
    await rename(tmp, path);
    return n;
  } catch (err) {
    file.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}
