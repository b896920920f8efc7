import { describe, expect, it } from 'vitest';
import { checkSteps } from './steps';
import { verify } from './registry';
import { type Verdict } from './numeric-verifier';

const MB = 1024 * 1024;

/** Runs one verdict, prints its time, and asserts a generous bound (the goal is well under 100 ms). */
function timed(label: string, response: string, gold: string): Verdict {
  const t0 = performance.now();
  const v = verify(response, gold);
  const ms = performance.now() - t0;
  console.log(`${label}: ${ms.toFixed(1)} ms (${response.length} chars) → ${v.status}`);
  expect(ms).toBeLessThan(1000);
  return v;
}

const filler = (n: number): string => {
  const line = 'She buys 3 apples for $2 each: 3*2 = <<3*2=6>>6 dollars. ';
  return line.repeat(Math.ceil(n / line.length)).slice(0, n);
};

describe('input bounds', () => {
  it('grades a 1 MB response', () => {
    expect(timed('1 MB, #### at end', filler(MB) + '\n#### 42', '42').status).toBe('correct');
    expect(timed('1 MB, boxed at start', 'So \\boxed{42}. ' + filler(MB), '42').extractedBy).toBe('boxed');
    const last = timed('1 MB, last number', filler(MB) + ' so 77 in all', '77');
    expect(last).toMatchObject({ status: 'correct', extractedBy: 'last_number' });
  });

  it('checks at most the capped number of annotations of a 1 MB response', () => {
    const t0 = performance.now();
    const rep = checkSteps(filler(MB));
    console.log(`checkSteps 1 MB: ${(performance.now() - t0).toFixed(1)} ms, ${rep.total} annotations`);
    expect(rep.steps.length).toBe(2000);
    expect(rep.wrong).toBe(0);
    expect(rep.unchecked).toBe(rep.total - 2000);
  });

  it('reads a number beyond the caps as one token that is not a number', () => {
    // Not `9999` (the exponent) and not `9` (the base): the whole token, unparseable.
    expect(timed('1e99999', 'it is 1e99999', '1')).toMatchObject({ status: 'unparseable', extracted: '1e99999' });
    expect(timed('9^99999', 'it is 9^99999', '9')).toMatchObject({ status: 'unparseable', extracted: '9^99999' });
    expect(timed('40k digits', `#### ${'7'.repeat(40_000)}`, '7').status).toBe('unparseable');
  });

  it('compares 10,000-digit numbers exactly', () => {
    const big = '9' + '1234567890'.repeat(1000).slice(1);
    const bumped = '9' + '1234567890'.repeat(1000).slice(1, -1) + '1';
    expect(big).toHaveLength(10_000);
    expect(timed('10k digits, ####', `#### ${big}`, big).status).toBe('correct');
    expect(timed('10k digits, off by one', `#### ${bumped}`, big).status).toBe('incorrect');
    expect(timed('10k digits, last number', `it is ${big} exactly`, big).status).toBe('correct');
    expect(timed('10k-digit fraction', `\\boxed{\\frac{${big}}{${big}}}`, '1').status).toBe('correct');
  });

  it('survives 100k nested braces and parentheses', () => {
    const deep = 100_000;
    const boxed = '\\boxed{' + '{'.repeat(deep) + '5' + '}'.repeat(deep) + '}';
    expect(timed('100k nested braces in \\boxed', boxed, '5').status).toBe('correct');
    // A \boxed{ that never closes is a cut-off final answer: unparseable, never the number inside.
    expect(timed('100k unclosed braces', '\\boxed{' + '{'.repeat(deep) + '5', '5')).toMatchObject({ extractedBy: 'boxed', status: 'unparseable' });
    const parens = '<<' + '('.repeat(deep) + '1' + ')'.repeat(deep) + '=1>> so 1';
    expect(timed('100k nested parentheses in an annotation', parens, '1').steps).toEqual({ total: 1, wrong: 0, unchecked: 1 });
    const frac = '\\frac{'.repeat(deep) + '1}{2}';
    timed('100k nested \\frac', frac, '2');
  });

  it.each([
    ['the '.repeat(MB / 4)],
    ['The answer is '.repeat(MB / 14)],
    ['\nA:'.repeat(MB / 3)],
    ['#'.repeat(MB)],
    ['#### '.repeat(MB / 5)],
    ['\\boxed{'.repeat(MB / 7)],
    ['\\boxed'.repeat(MB / 6)],
    ['<<'.repeat(MB / 2)],
    ['<<1+'.repeat(MB / 4) + '>>'],
    ['1,'.repeat(MB / 2)],
    ['1,000'.repeat(MB / 5)],
    ['123,'.repeat(MB / 4)],
    ['$'.repeat(MB)],
    ['-'.repeat(MB)],
    ['.'.repeat(MB)],
    ['1.'.repeat(MB / 2)],
    ['1e'.repeat(MB / 2)],
    ['\\text{'.repeat(MB / 6)],
    ['\\frac'.repeat(MB / 5)],
    ['{'.repeat(MB)],
    ['1'.repeat(MB)],
    [' 1/'.repeat(MB / 3)],
    [' 1'.repeat(MB / 2)],
    ['9^9999 '.repeat(MB / 7)],
    ['1e9999 '.repeat(MB / 7)],
    ['<<9^9999=1>> '.repeat(MB / 13)],
    ['9'.repeat(30_000) + '^x'],
    ['\\frac{' + '9'.repeat(30_000)],
  ])('pathological input %#', (text) => {
    timed(`pathological ${JSON.stringify(text.slice(0, 12))}…`, text, '1');
  });
});
