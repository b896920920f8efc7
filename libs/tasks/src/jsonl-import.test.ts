import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GSM8K_FIXTURE_DIR, InputError, gsm8kData } from '@sieve/core';
import { loadQuestions } from './import/load-questions';
import { readRecords } from './import/read-records';
import { type NewQuestion } from './types';

const gsm8k = gsm8kData();
const gsm8kTest = path.join(gsm8k.dir, 'test.jsonl');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tasks-jsonl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer, ext = '.jsonl') => {
  const p = path.join(dir, `f${n++}${ext}`);
  fs.writeFileSync(p, content);
  return p;
};
const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

async function rejection(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadQuestions on the GSM8K-format fixture', () => {
  const fixture = path.join(GSM8K_FIXTURE_DIR, 'test.jsonl');

  it('reads every row with the default fields; golds lose their commas, keep signs and decimals', async () => {
    const { questions, rows } = await loadQuestions(fixture);
    expect(questions).toHaveLength(rows);
    expect(questions.map((q) => q.goldAnswer)).toEqual(['12600', '1575', '-155', '270', '120', '129.75', '52020', '34']);
    expect(questions[0]!.text).toBe('A bakery sells 120 loaves a day at $3.50 each. How much does it earn in 30 days?');
    expect(questions[0]!.goldSolution).toBe('Each day it earns 120*3.5=$<<120*3.5=420>>420 dollars.\nIn 30 days it earns 420*30=$<<420*30=12600>>12,600 dollars.\n#### 12,600');
    expect(questions.map((q) => q.difficulty)).toEqual([2, 2, 2, 2, 2, 3, 3, 4]);
  });
});

describe('loadQuestions on a GSM8K sample (full set)', () => {
  let qs: NewQuestion[] = [];
  let sample = '';
  beforeAll(async () => {
    if (!gsm8k.full) return;
    sample = file(fs.readFileSync(gsm8kTest, 'utf8').split('\n').slice(0, 50).join('\n') + '\n');
    qs = (await loadQuestions(sample)).questions;
  });

  it('reads all 50 rows with the default fields', (ctx) => {
    if (!gsm8k.full) ctx.skip(gsm8k.reason);
    expect(qs).toHaveLength(50);
    expect(qs.map((q) => q.meta.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('matches hand-read questions and golds', (ctx) => {
    if (!gsm8k.full) ctx.skip(gsm8k.reason);
    expect(qs[0]!.text).toMatch(/^Janet\u2019s ducks lay 16 eggs per day\./);
    expect(qs[0]!.goldAnswer).toBe('18');
    expect(qs[0]!.goldSolution).toBe(
      'Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day at the farmer\u2019s market.\n#### 18',
    );
    expect(qs[0]!.difficulty).toBe(2);
    expect(qs[0]!.meta).toEqual({ line: 1, source: path.basename(sample) });
    expect(qs[1]!.text).toMatch(/^A robe takes 2 bolts of blue fiber/);
    expect(qs[1]!.goldAnswer).toBe('3');
    expect(qs[2]!.text).toMatch(/^Josh decides to try flipping a house/);
    expect(qs[2]!.goldAnswer).toBe('70000');
    expect(qs[3]!.text).toMatch(/^James decides to run 3 sprints 3 times a week/);
    expect(qs[3]!.goldAnswer).toBe('540');
  });

  it('is deterministic', async (ctx) => {
    if (!gsm8k.full) ctx.skip(gsm8k.reason);
    expect((await loadQuestions(sample)).questions).toEqual(qs);
  });
});

describe('loadQuestions (JSONL)', () => {
  it('takes the number after "####", without commas', async () => {
    const p = file(jsonl({ question: 'How many?', answer: 'It is 600+634=<<600+634=1234>>1,234\n#### 1,234' }));
    const [q] = (await loadQuestions(p)).questions;
    expect(q).toMatchObject({ goldAnswer: '1234', goldSolution: 'It is 600+634=<<600+634=1234>>1,234\n#### 1,234', difficulty: 1 });
  });

  it('reports an invalid JSON line with its line number (blank lines counted); skipBad goes on', async () => {
    const p = file(jsonl({ question: 'a?', answer: '1' }, '', '{"question": "b?", "answer": ', { question: 'c?', answer: 3 }, '[1, 2]'));
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:3`);
    expect(err.message).toMatch(/^invalid JSON/);
    const r = await loadQuestions(p, { skipBad: true });
    expect(r.questions.map((q) => [q.meta.line, q.text, q.goldAnswer])).toEqual([[1, 'a?', '1'], [4, 'c?', '3']]);
    expect(r.skipped.map((s) => s.line)).toEqual([3, 5]);
    expect(r.skipped[1]!.reason).toBe('expected a JSON object, got an array');
    expect(r.rows).toBe(4);
  });

  it('maps generic field names and keeps the other fields in meta', async () => {
    const p = file(jsonl({ id: 'p1', problem: 'Ann has 2 cats and gets 3 more. How many?', final: 5, work: 'She has 2+3=<<2+3=5>>5 cats.' }));
    const r = await loadQuestions(p, { questionField: 'problem', answerField: 'final', solutionField: 'work' });
    expect(r.questions).toEqual([
      { text: 'Ann has 2 cats and gets 3 more. How many?', goldAnswer: '5', goldSolution: 'She has 2+3=<<2+3=5>>5 cats.', difficulty: 1, meta: { id: 'p1', line: 1, source: path.basename(p) } },
    ]);
  });

  it('keeps no solution for a bare answer, and parses "$1,200.50", "-3" and "\\frac{3}{4}"', async () => {
    const p = file(jsonl({ question: 'a', answer: '$1,200.50' }, { question: 'b', answer: '-3' }, { question: 'c', answer: '\\frac{3}{4}' }, { question: 'd', answer: 'So she has 7 left.' }));
    const r = await loadQuestions(p);
    expect(r.questions.map((q) => [q.goldAnswer, q.goldSolution])).toEqual([['1200.5', null], ['-3', null], ['3/4', null], ['7', 'So she has 7 left.']]);
  });

  it('names a missing field and the line; a UTF-8 BOM on line 1 is ignored', async () => {
    const p = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl({ question: 'a?', answer: '1' }, { question: 'b?', gold: '2' }))]));
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:2`);
    expect(err.message).toBe('field "answer" is missing (the record has: question, gold)');
    const r = await loadQuestions(p, { skipBad: true });
    expect(r.questions.map((q) => q.text)).toEqual(['a?']);
  });

  it('fails on an empty or blank file', async () => {
    const p = file('\n\n');
    expect((await rejection(loadQuestions(p))).message).toBe(`no rows in ${p}`);
  });

  it('streams records with readRecords', async () => {
    const rows = [];
    for await (const r of readRecords(file(jsonl({ a: 1 }, '   ', { b: 'x' })))) rows.push(r);
    expect(rows).toEqual([{ line: 1, record: { a: 1 } }, { line: 3, record: { b: 'x' } }]);
  });
});
