import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { parseAnswer } from './parse-answer';
import { verify } from './registry';
import { type VerdictStatus } from './numeric-verifier';

// [response, gold, expected status]
const table: Array<[string, string, VerdictStatus]> = [
  // fractions, decimals, LaTeX
  ['\\boxed{\\frac{1}{2}}', '0.5', 'correct'],
  ['0.5', '\\frac{1}{2}', 'correct'],
  ['The answer is 1/2', '0.5', 'correct'],
  ['\\boxed{\\dfrac12}', '1/2', 'correct'],
  ['\\boxed{\\tfrac{1}{2}}', '0.5', 'correct'],
  ['\\boxed{-\\frac{3}{4}}', '-0.75', 'correct'],
  ['\\boxed{-\\frac{3}{4}}', '0.75', 'incorrect'],
  ['\\boxed{2\\frac{1}{2}}', '2.5', 'correct'],
  ['\\boxed{\\frac{2}{4}}', '\\frac{1}{2}', 'correct'],
  ['\\boxed{\\frac{1}{3}}', '0.5', 'incorrect'],
  // thousands separators
  ['1,234', '1234', 'correct'],
  ['#### 1234', '1,234', 'correct'],
  ['\\boxed{1{,}234}', '1234', 'correct'],
  ['\\boxed{1\\,234}', '1234', 'correct'],
  ['\\boxed{1\\!000}', '1000', 'correct'],
  ['\\boxed{1,000,000}', '10^6', 'correct'],
  ['#### 1,235', '1,234', 'incorrect'],
  // signs
  ['-5', '5', 'incorrect'],
  ['5', '-5', 'incorrect'],
  ['+5', '5', 'correct'],
  ['\\boxed{\u22125}', '-5', 'correct'],
  ['#### -0', '0', 'correct'],
  // trailing zeros and integer-gold exactness
  ['18.0', '18', 'correct'],
  ['#### 18.000', '18', 'correct'],
  ['18.0001', '18', 'incorrect'],
  ['17.9999999', '18', 'incorrect'],
  ['The answer is 18.0000000001', '18', 'incorrect'],
  // tolerance for non-integer golds (default 1e-6 relative)
  ['0.3333333', '1/3', 'correct'],
  ['0.333', '1/3', 'incorrect'],
  ['2.5000001', '2.5', 'correct'],
  ['2.5001', '2.5', 'incorrect'],
  // percents
  ['50%', '50', 'correct'],
  ['50', '50%', 'correct'],
  ['50%', '0.5', 'correct'],
  ['0.5', '50%', 'correct'],
  ['\\boxed{50\\%}', '50', 'correct'],
  ['50 percent', '50', 'correct'],
  ['50%', '5%', 'incorrect'],
  ['5%', '0.5', 'incorrect'],
  // money, units and words
  ['$18.00', '18', 'correct'],
  ['\\boxed{\\$18}', '18', 'correct'],
  ['The answer is \\$18.50.', '18.5', 'correct'],
  ['The answer is: \\( 18 \\)', '18', 'correct'],
  ['\\boxed{\\text{18 dollars}}', '18', 'correct'],
  ['#### 18 dollars', '18', 'correct'],
  ['She collects 18 eggs', '18', 'correct'],
  ['\\boxed{18 \\text{ m}^2}', '18', 'correct'],
  ['#### $1,200', '$1,200', 'correct'],
  ['\\boxed{x = 5}', '5', 'correct'],
  // not numbers
  ['\\boxed{1.5 \\times 10^{3}}', '1500', 'correct'],
  ['\\boxed{2^{-1}}', '0.5', 'correct'],
  ['#### 2^10', '1024', 'correct'],
  ['\\boxed{A}', '18', 'unparseable'],
  ['\\boxed{2^x}', '2', 'unparseable'],
  ['\\boxed{5 - 3}', '2', 'unparseable'],
  ['#### 3 and 4', '3', 'unparseable'],
  ['I have no idea.', '18', 'unparseable'],
  // full gold solutions
  ['The answer is 72.', 'Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72', 'correct'],
  ['The answer is 71.', 'Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72', 'incorrect'],
];

describe('verify: extraction and equivalence table', () => {
  it('has at least 40 cases', () => expect(table.length).toBeGreaterThanOrEqual(40));

  it.each(table)('%j vs gold %j → %s', (response, gold, status) => {
    const v = verify(response, gold);
    expect(v.status, v.reason).toBe(status);
  });
});

describe('verdict fields', () => {
  it('explains a match, a mismatch and a missing answer in one sentence', () => {
    expect(verify('#### 18', '18')).toMatchObject({ extracted: '18', extractedBy: 'hashes', reason: 'matches gold 18' });
    expect(verify('so 17', '18')).toMatchObject({ status: 'incorrect', reason: 'extracted 17 ≠ gold 18' });
    expect(verify('no idea', '18')).toMatchObject({ extracted: null, extractedBy: null, reason: 'no number in response' });
    expect(verify('\\boxed{A}', '18').reason).toBe('boxed answer "A" is not a number');
  });

  it('compares huge integers exactly', () => {
    const big = '123456789012345678901234567890';
    expect(verify(`#### ${big}`, big).status).toBe('correct');
    expect(verify(`#### ${big.slice(0, -1)}1`, big).status).toBe('incorrect');
    // Both round to the same double, yet differ.
    expect(verify('#### 9007199254740993', '9007199254740992').status).toBe('incorrect');
  });

  it('honours a configured tolerance for non-integer golds only', () => {
    expect(verify('2.51', '2.5', { relTol: 0.01 }).status).toBe('correct');
    expect(verify('2.6', '2.5', { relTol: 0.01 }).status).toBe('incorrect');
    expect(verify('101', '100', { relTol: 0.1 }).status).toBe('incorrect');
    expect(verify('0.5000001', '0.5', { relTol: 0 }).status).toBe('incorrect');
    expect(() => verify('1', '1', { relTol: -1 })).toThrow(InputError);
  });

  it('throws InputError for a gold with no number', () => {
    expect(() => verify('18', 'eighteen')).toThrow(InputError);
    expect(() => verify('18', '')).toThrow(/gold answer is not one number/);
  });
});

describe('parseAnswer', () => {
  it('reads percent and values', () => {
    expect(parseAnswer('50\\%')).toEqual({ value: { n: 50n, d: 1n }, percent: true });
    expect(parseAnswer('$1,200.50')).toEqual({ value: { n: 120050n, d: 100n }, percent: false });
    expect(parseAnswer('2e3')).toEqual({ value: { n: 2000n, d: 1n }, percent: false });
    expect(parseAnswer('3 4')).toBeNull();
    expect(parseAnswer('1,23')).toBeNull();
    expect(parseAnswer('\\frac{1}{0}')).toBeNull();
  });
});
