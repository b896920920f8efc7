import { describe, expect, it } from 'vitest';
import { extractGoldAnswer } from './import/gold-answer';

describe('extractGoldAnswer', () => {
  it.each([
    ['He pays 3*4=<<3*4=12>>12.\n#### 12', { answer: '12', bare: false }],
    ['#### 2,125 dollars', { answer: '2125', bare: false }],
    ['Costs 5 then 7.\n####-4', { answer: '-4', bare: false }],
    ['42', { answer: '42', bare: true }],
    ['  $1,000.00 ', { answer: '1000', bare: true }],
    ['12.5%', { answer: '12.5', bare: true }],
    ['0.50', { answer: '0.5', bare: true }],
    ['\\boxed{\\frac{1}{3}}', { answer: '1/3', bare: true }],
    ['3 boxes of 4 make 12 in all.', { answer: '12', bare: false }],
  ])('%j → %j', (text, want) => {
    expect(extractGoldAnswer(text)).toEqual(want);
  });

  it('finds nothing in text without a number, or after an empty "####"', () => {
    expect(extractGoldAnswer('twelve')).toBeNull();
    expect(extractGoldAnswer('It is 5.\n#### ')).toBeNull();
  });
});
