/** Import edges of issue 16: directories, oversized texts, terminal control characters in bad lines. */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatError, InputError } from '@sieve/core';
import { loadQuestions } from './import/load-questions';
import { readRecords } from './import/read-records';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tasks-limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string): string => {
  const p = path.join(dir, `f${n++}.jsonl`);
  fs.writeFileSync(p, content);
  return p;
};

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('question import limits', () => {
  it('a directory (with or without an extension) is "not a file"', async () => {
    for (const name of ['gsm8k', 'data.jsonl']) {
      const d = path.join(dir, name);
      fs.mkdirSync(d);
      const err = await rejection(loadQuestions(d));
      expect(err.message).toBe(`${d} is not a file`);
      const err2 = await rejection((async () => {
        for await (const _ of readRecords(d)) void _;
      })());
      expect(err2.message).toBe(`${d} is not a file`);
    }
  });

  it('a question longer than the limit fails naming its line and field; the limit is configurable', async () => {
    const big = 'x'.repeat(100 * 1024 + 1);
    const p = file(`${JSON.stringify({ question: 'ok?', answer: '1' })}\n${JSON.stringify({ question: big, answer: '2' })}\n`);
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:2`);
    expect(err.message).toBe(`field "question" has ${100 * 1024 + 1} bytes, more than the limit of ${100 * 1024}`);
    expect((await loadQuestions(p, { maxTextBytes: 200 * 1024 })).questions.length).toBe(2);
    // UTF-8 bytes, not characters: 3 × "€" is 9 bytes.
    const euro = file(`${JSON.stringify({ question: 'ok', answer: '1', sol: '€€€' })}\n`);
    const e2 = await rejection(loadQuestions(euro, { solutionField: 'sol', maxTextBytes: 8 }));
    expect(e2.message).toBe('field "sol" has 9 bytes, more than the limit of 8');
    const skipped = await loadQuestions(p, { skipBad: true });
    expect(skipped.skipped).toEqual([{ line: 2, reason: expect.stringContaining('field "question" has') }]);
  });

  it('an ESC sequence in a bad JSONL line is shown escaped, never raw', async () => {
    const p = file(`{"question": "1+1?", "answer": "2"}\n{"question": \x1b[2J\x1b]0;owned\x07}\n`);
    const err = await rejection(loadQuestions(p));
    expect(err.where).toBe(`${p}:2`);
    const shown = formatError(err);
    expect(shown).not.toContain('\x1b');
    expect(shown).not.toContain('\x07');
    expect(shown).toContain('\\x1b');
    const answer = file(`${JSON.stringify({ question: 'q', answer: 'none \x1b[m here \u009b' })}\n`);
    const e2 = await rejection(loadQuestions(answer));
    expect(e2.message).toBe('field "answer": no final number in "none \\x1b[m here \\x9b"');
  });
});
