import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '@sieve/core';
import { loadQuestions } from './import/load-questions';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tasks-math-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, rows: unknown[]): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return p;
};

describe('loadQuestions with the math verifier (MATH500, AIME, AMC, Minerva layouts)', () => {
  it('takes the last balanced \\boxed{} of a problem/solution row, as written', async () => {
    const p = write('math.jsonl', [
      { problem: 'Compute $\\sin 60^\\circ$.', solution: 'First $\\boxed{1}$ is wrong; in fact $\\sin 60^\\circ = \\boxed{\\frac{\\sqrt{3}}{2}}$.', level: 'Level 1' },
      { problem: 'Solve $x^2 = 9$.', solution: 'So $x = \\boxed{\\pm 3}$.' },
    ]);
    const r = await loadQuestions(p, { verifier: 'math' });
    expect(r.questions.map((q) => q.goldAnswer)).toEqual(['\\frac{\\sqrt{3}}{2}', '\\pm 3']);
    expect(r.questions[0]?.goldSolution).toMatch(/^First/);
    expect(r.questions[0]?.meta).toMatchObject({ level: 'Level 1', verifier: 'math', line: 1 });
  });

  it('reads a problem/answer row (AIME, AMC) and keeps the gold whole, never its last number', async () => {
    const p = write('aime.jsonl', [
      { problem: 'Find the pair.', answer: '(4, 5)' },
      { problem: 'Find n.', answer: 204 },
      { problem: 'When?', answer: '9:30' },
    ]);
    const r = await loadQuestions(p, { verifier: 'math' });
    expect(r.questions.map((q) => q.goldAnswer)).toEqual(['(4, 5)', '204', '9:30']);
    expect(r.questions.every((q) => q.goldSolution === null)).toBe(true);
  });

  it('names the line and field of a gold it cannot read, or skips and counts it', async () => {
    const p = write('bad.jsonl', [
      { problem: 'ok', answer: '7' },
      { problem: 'cut', solution: 'so the answer is \\boxed{\\frac{1}{2}' },
      { problem: 'none' },
    ]);
    const err = await loadQuestions(p, { verifier: 'math' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/field "solution": gold answer cannot be read as one answer \(its final \\boxed\{ never closes\)/);
    expect((err as InputError).where).toMatch(/bad\.jsonl:2$/);
    const r = await loadQuestions(p, { verifier: 'math', skipBad: true });
    expect(r.questions.map((q) => q.goldAnswer)).toEqual(['7']);
    expect(r.skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(r.skipped[1]?.reason).toMatch(/field "answer" is missing/);
  });
});
