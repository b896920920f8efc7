import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { parseGold, numericVerifier } from './numeric-verifier';

const grade = (response: string, gold: string) => numericVerifier(response, gold, {});

describe('numeric verifier: golds are read whole, never reduced to one of their numbers', () => {
  it.each([
    ['\\frac{1}{2^{10}}'], // once read as 2^{10}
    ['\\pm 3'], // once accepted 3
    ['9:30'], // once read as 30
    ['4 and 27'], // once accepted 27
    ['(4, 5)'], // once matched (2, 5) by the last number
    ['The total is 18 apples'], // prose is not a marked answer
  ])('gold %j is an InputError that names it', (gold) => {
    let err: unknown;
    try {
      parseGold(gold);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`gold answer is not one number: "${gold}"`);
    expect(() => grade(`\\boxed{27}`, gold)).toThrow(InputError);
  });

  it('still reads bare numbers and marked solutions', () => {
    expect(parseGold('$1,200').value.value).toEqual({ n: 1200n, d: 1n });
    expect(parseGold('x = 5').value.value).toEqual({ n: 5n, d: 1n });
    expect(parseGold('so 3+4=<<3+4=7>>7\n#### 7').text).toBe('7');
    expect(parseGold('so \\boxed{\\frac{1}{2}}').text).toBe('\\frac{1}{2}');
  });

  it('groups powers from the right: 3^2^2 is 81, not 9', () => {
    expect(grade('\\boxed{3^2^2}', '81').status).toBe('correct');
    expect(grade('\\boxed{3^2^2}', '9').status).toBe('incorrect');
    expect(grade('\\boxed{2^{3}^{2}}', '512').status).toBe('correct');
    expect(grade('\\boxed{2^3^x}', '8').status).toBe('unparseable');
    expect(grade('\\boxed{9^9^9^9}', '9').status).toBe('unparseable'); // beyond the exponent cap: not a number
  });

  it('does not grade a cut-off final \\boxed{ by an earlier, retracted box', () => {
    const v = grade('So \\boxed{12}. No wait, I dropped a term: the answer is \\boxed{1', '12');
    expect(v).toMatchObject({ status: 'unparseable', extractedBy: 'boxed', reason: 'the final \\boxed{ is cut off (never closed)' });
  });
});
