import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { buildDataset } from './build-dataset';
import { exportDataset } from './export';
import { exportForTrainer } from './trainers/export-trainer';
import { importDataset } from './import';
import { verifySamples } from './verify-stage';
import { seedRun, tempStores } from './test-helpers';

const stores = tempStores();
afterEach(() => stores.cleanup());

// responses with every character CSV has to quote: commas, quotes, newlines (LF and CRLF), edge spaces
const TRICKY = ['He said "yes, twelve",\nthen 3*4=<<3*4=12>>12.\n#### 12', ' 12, "quoted"\r\nline #### 12 ', 'plain #### 12'];

function built(): { store: Store; dir: string } {
  const store = stores.open();
  seedRun(store, 'r1', [
    { text: 'Tom has 3 bags, each with "4" apples.\nHow many?', gold: '12', samples: [...TRICKY, '#### 13'] },
    { text: 'What is 3+4?', gold: '7', samples: ['#### 7', 'seven, "#### 8"'] },
  ]);
  verifySamples(store, { runName: 'r1' });
  buildDataset(store, { runName: 'r1', name: 'rft' });
  buildDataset(store, { runName: 'r1', name: 'dpo', kind: 'pairs' });
  return { store, dir: stores.dir() };
}

const pairsOf = (store: Store, name: string, version?: number) =>
  store.datasets.items(store.datasets.byName(name, version)!.id, { kept: true }).map((it) => [it.prompt, it.response, it.rejectedResponse ?? null]);

describe('export and import', () => {
  for (const format of ['jsonl', 'csv'] as const) {
    it(`round-trips kept items through ${format}`, async () => {
      const { store, dir } = built();
      const file = join(dir, `rft.${format}`);
      expect(await exportDataset(store, { name: 'rft', format, out: file })).toBe(4);
      const { dataset, rows } = await importDataset(store, { file, name: 'back' });
      expect(rows).toBe(4);
      expect(dataset).toMatchObject({ kind: 'imported', version: 1, sampleRunId: null });
      expect(pairsOf(store, 'back')).toEqual(pairsOf(store, 'rft'));
      expect(pairsOf(store, 'back').map((p) => p[1])).toEqual([...TRICKY, '#### 7']);
      expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);

      // pairs: { prompt, chosen, rejected }
      const pfile = join(dir, `dpo.${format}`);
      expect(await exportDataset(store, { name: 'dpo', format, out: pfile })).toBe(4);
      await importDataset(store, { file: pfile, name: 'dpo-back', responseField: 'chosen', rejectedField: 'rejected' });
      expect(pairsOf(store, 'dpo-back')).toEqual(pairsOf(store, 'dpo'));
      expect(pairsOf(store, 'dpo-back')[3]).toEqual(['Q: What is 3+4?\nA: ', '#### 7', 'seven, "#### 8"']);
    });
  }

  it('imports chat data: the prompt field is the user turn, the format is recorded, trainer exports write messages', async () => {
    const store = stores.open();
    const file = join(stores.dir(), 'chat.jsonl');
    writeFileSync(file, `${JSON.stringify({ q: 'What is 3+4?', a: '#### 7' })}\n${JSON.stringify({ q: 'What is 1+1?', a: '#### 2' })}\n`);
    const { dataset } = await importDataset(store, { file, name: 'chat', promptField: 'q', responseField: 'a', prompt: { format: 'chat', systemPrompt: 'Be brief.' } });
    expect(dataset.rules).toMatchObject({ prompt: { format: 'chat', systemPrompt: 'Be brief.' } });
    expect(pairsOf(store, 'chat')).toEqual([
      ['What is 3+4?', '#### 7', null],
      ['What is 1+1?', '#### 2', null],
    ]);
    const out = join(stores.dir(), 'trl');
    await exportForTrainer(store, { name: 'chat', trainer: 'trl', outDir: out });
    const first = JSON.parse(readFileSync(join(out, 'sft/train.jsonl'), 'utf8').split('\n')[0] as string) as unknown;
    expect(first).toEqual({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 3+4?' }, { role: 'assistant', content: '#### 7' }] });
    // --question wraps a bare question in the plain format: meaningless with chat, refused before anything is written
    await expect(importDataset(store, { file, name: 'chat2', promptIsQuestion: true, promptField: 'q', responseField: 'a', prompt: { format: 'chat' } })).rejects.toThrow(/--question/);
    expect(store.datasets.byName('chat2')).toBeUndefined();
  });

  it('writes JSONL rows with ids to a stream, and CSV with doubled quotes', async () => {
    const { store, dir } = built();
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    expect(await exportDataset(store, { name: 'rft', version: 1, format: 'jsonl', pairs: false, out: sink })).toBe(4);
    const rows = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const items = store.datasets.items(store.datasets.byName('rft')!.id, { kept: true });
    expect(rows).toEqual(items.map((it) => ({ prompt: it.prompt, response: it.response, question_id: it.questionId, sample_id: it.sampleId })));

    const csv = join(dir, 'x.csv');
    await exportDataset(store, { name: 'rft', format: 'csv', out: csv });
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('prompt,response,question_id,sample_id\r\n')).toBe(true);
    expect(text).toContain('"He said ""yes, twelve"",\nthen');
  });

  it('names the file and line of a bad row, and writes nothing', async () => {
    const { store, dir } = built();
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(jsonl, '{"prompt":"Q: a\\nA: ","response":"#### 1"}\n\n{"prompt":"Q: b\\nA: "}\n');
    const err = await importDataset(store, { file: jsonl, name: 'bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe(`${jsonl}:3`);
    expect((err as InputError).message).toContain('"response"');

    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'question,answer\n"multi\nline",#### 1\nq2,\n');
    const err2 = await importDataset(store, { file: csv, name: 'bad', promptField: 'question', responseField: 'answer' }).catch((e: unknown) => e);
    expect((err2 as InputError).where).toBe(`${csv}:4`);
    expect(store.datasets.byName('bad')).toBeUndefined();

    const missing = await importDataset(store, { file: join(dir, 'missing.csv'), name: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    await expect(exportDataset(store, { name: 'nope', format: 'csv', out: join(dir, 'n.csv') })).rejects.toThrow(/unknown dataset "nope"/);
    await expect(exportDataset(store, { name: 'rft', format: 'csv', pairs: true, out: join(dir, 'p.csv') })).rejects.toThrow(/no rejected response/);
    expect(existsSync(join(dir, 'p.csv'))).toBe(false);
  });

  it('wraps bare questions in the prompt format when asked', async () => {
    const { store, dir } = built();
    const file = join(dir, 'gsm.jsonl');
    writeFileSync(file, '{"question":"What is 1+1?","answer":"1+1=<<1+1=2>>2\\n#### 2"}\n');
    await importDataset(store, { file, name: 'gsm', promptField: 'question', responseField: 'answer', promptIsQuestion: true });
    expect(pairsOf(store, 'gsm')).toEqual([['Q: What is 1+1?\nA: ', '1+1=<<1+1=2>>2\n#### 2', null]]);
  });
});
