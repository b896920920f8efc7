import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '@sieve/core';
import { loadQuestions } from './import/load-questions';
import { readRecords } from './import/read-records';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tasks-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer, ext = '.csv') => {
  const p = path.join(dir, `f${n++}${ext}`);
  fs.writeFileSync(p, content);
  return p;
};

async function rejection(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('readRecords (CSV)', () => {
  it('keeps quoted commas and embedded newlines, with start lines right after multi-line fields', async () => {
    const p = file('question,answer\n"Tom has 3 apples, 2 pears.\nHow many fruits?",5\n\n"A ""quoted"" word, here",7\nlast,9');
    const rows = [];
    for await (const r of readRecords(p)) rows.push(r);
    expect(rows).toEqual([
      { line: 2, record: { question: 'Tom has 3 apples, 2 pears.\nHow many fruits?', answer: '5' } },
      { line: 5, record: { question: 'A "quoted" word, here', answer: '7' } },
      { line: 6, record: { question: 'last', answer: '9' } },
    ]);
  });

  it('counts lines right with CRLF endings inside and between records', async () => {
    const p = file('a,b\r\n1,"x\r\ny\r\nz"\r\n\r\n2,3\r\n');
    const rows = [];
    for await (const r of readRecords(p)) rows.push(r);
    expect(rows).toEqual([
      { line: 2, record: { a: '1', b: 'x\r\ny\r\nz' } },
      { line: 6, record: { a: '2', b: '3' } },
    ]);
  });

  it('names headerless columns "1", "2", … and reads .tsv with tabs', async () => {
    const rows = [];
    for await (const r of readRecords(file('2+2?,4\n3+3?,6\n'), { header: false })) rows.push(r);
    expect(rows).toEqual([
      { line: 1, record: { '1': '2+2?', '2': '4' } },
      { line: 2, record: { '1': '3+3?', '2': '6' } },
    ]);
    const tsv = [];
    for await (const r of readRecords(file('q\ta\nx, y\t1\n', '.tsv'))) tsv.push(r.record);
    expect(tsv).toEqual([{ q: 'x, y', a: '1' }]);
  });
});

describe('loadQuestions (CSV)', () => {
  it('strips a UTF-8 BOM so the first column keeps its name', async () => {
    const p = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('question,answer\nWhat is 2+3?,5\n')]));
    const r = await loadQuestions(p);
    expect(r.questions).toEqual([{ text: 'What is 2+3?', goldAnswer: '5', goldSolution: null, difficulty: null, meta: { line: 2, source: path.basename(p) } }]);
  });

  it('reports a row with the wrong number of fields by line; with skipBad counts it and imports the rest', async () => {
    const p = file('question,answer\nWhat is 1+1?,2\nWhat is 2+2?,4,extra\n"Multi\nline?",6\nWhat is 4+4?,8\n');
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:3`);
    expect(err.message).toMatch(/row has 3 fields but the header has 2 \(question, answer\)/);

    const r = await loadQuestions(p, { skipBad: true });
    expect(r.skipped).toEqual([{ line: 3, reason: 'row has 3 fields but the header has 2 (question, answer)' }]);
    expect(r.questions.map((q) => [q.meta.line, q.text, q.goldAnswer])).toEqual([
      [2, 'What is 1+1?', '2'],
      [4, 'Multi\nline?', '6'],
      [6, 'What is 4+4?', '8'],
    ]);
    expect(r.rows).toBe(4);
  });

  it('reports a broken quote by the line its row starts on, and can skip past it', async () => {
    const p = file('question,answer\nok?,1\n"bad" row?,2\nfine?,3\n');
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:3`);
    expect(err.message).toMatch(/malformed CSV/);
    const r = await loadQuestions(p, { skipBad: true });
    expect(r.skipped.map((s) => s.line)).toEqual([3]);
    expect(r.questions.map((q) => [q.meta.line, q.text])).toEqual([[2, 'ok?'], [4, 'fine?']]);
  });

  it('after an unclosed quote, strict mode names its line and skipBad resumes on the next line', async () => {
    const p = file('question,answer\nok?,1\n\n"What is 2+2?,4\nnext?,5\n');
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:4`);
    expect(err.message).toMatch(/never closed/);
    const r = await loadQuestions(p, { skipBad: true });
    expect(r.skipped.map((s) => s.line)).toEqual([4]);
    expect(r.questions.map((q) => [q.meta.line, q.text])).toEqual([[2, 'ok?'], [5, 'next?']]);
  });

  it('explains a stray quote inside an unquoted field', async () => {
    const p = file('question,answer\nWhat is "2+2?,4\nnext?,5\n');
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:2`);
    expect(err.message).toMatch(/quote inside an unquoted field/);
    expect((await loadQuestions(p, { skipBad: true })).questions.map((q) => q.text)).toEqual(['next?']);
  });

  it('names the field of a row whose answer has no number, or whose question is empty', async () => {
    const p = file('question,answer\nWhat is 1+1?,two\n,3\nWhat is 2+2?,4\n');
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:2`);
    expect(err.message).toMatch(/field "answer": no final number in "two"/);
    const r = await loadQuestions(p, { skipBad: true });
    expect(r.skipped).toEqual([
      { line: 2, reason: 'field "answer": no final number in "two"' },
      { line: 3, reason: 'field "question" is empty' },
    ]);
    expect(r.questions).toHaveLength(1);
  });

  it('lists the existing columns when a mapped one is missing', async () => {
    const p = file('q,a,notes\nWhat is 1+1?,2,easy\n');
    const err = await rejection(loadQuestions(p));
    expect(err.message).toMatch(/columns "question", "answer" not found/);
    expect(err.hint).toMatch(/the columns are: q, a, notes/);
    const r = await loadQuestions(p, { questionField: 'q', answerField: 'a' });
    expect(r.questions[0]).toMatchObject({ text: 'What is 1+1?', goldAnswer: '2', meta: { notes: 'easy', line: 2 } });
  });

  it('fails on an empty file and on a file with only a header', async () => {
    const empty = file('');
    expect((await rejection(loadQuestions(empty))).message).toBe(`no rows in ${empty}`);
    const headerOnly = file('question,answer\n');
    expect((await rejection(loadQuestions(headerOnly))).message).toBe(`no rows in ${headerOnly}`);
  });

  it('maps headerless columns by number', async () => {
    const p = file('id7,"Sam has 1,200 coins and spends 200. How many are left?","1,000"\n');
    const r = await loadQuestions(p, { header: false, questionField: '2', answerField: '3' });
    expect(r.questions).toEqual([
      { text: 'Sam has 1,200 coins and spends 200. How many are left?', goldAnswer: '1000', goldSolution: null, difficulty: null, meta: { '1': 'id7', line: 1, source: path.basename(p) } },
    ]);
  });

  it('says what is wrong with a missing file or an unknown extension', async () => {
    expect((await rejection(loadQuestions(path.join(dir, 'nope.csv')))).message).toMatch(/no such file/);
    expect((await rejection(loadQuestions(file('x', '.txt')))).hint).toMatch(/jsonl or csv/);
  });
});
