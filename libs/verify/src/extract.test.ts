import { describe, expect, it } from 'vitest';
import { extractAnswer, type ExtractionRule } from './extract';

// [text, expected raw, expected rule] — null when nothing can be extracted.
const cases: Array<[string, string, ExtractionRule] | [string, null]> = [
  ['So the total is \\boxed{42}.', '42', 'boxed'],
  ['\\boxed{1} then later \\boxed{2}', '2', 'boxed'],
  ['\\boxed{\\frac{1}{2}}', '\\frac{1}{2}', 'boxed'],
  ['\\boxed{ {{7}} }', '7', 'boxed'],
  ['\\boxed{{1}+{2}}', '{1}+{2}', 'boxed'],
  ['\\boxed{\\{x\\}} is a set; \\boxed{9}', '9', 'boxed'],
  ['#### 72 and \\boxed{70}', '70', 'boxed'], // boxed outranks ####
  ['Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72', '72', 'hashes'],
  ['#### 1,200\nThe answer is 5', '1,200', 'hashes'], // #### outranks "the answer is"
  ['#### Step 2\nWe add.\nThe answer is 9', '9', 'answer_is'], // heading, not an answer
  ['####\n  -3', '-3', 'hashes'],
  ['The answer is 18.', '18', 'answer_is'],
  ['the ANSWER is: $1,234', '$1,234', 'answer_is'],
  ['The final answer is \\(\\frac{3}{4}\\)', '\\frac{3}{4}', 'answer_is'],
  ['The answer is below. 3 + 4 = 7', '7', 'last_number'],
  ['The answer is 5. Wait, the answer is 6.', '6', 'answer_is'],
  ['Some work: 3 + 4 = 7\nA: 12', '12', 'a_colon'],
  ['Q: how many?\nAnswer: 8 apples and 2 pears', '8', 'a_colon'],
  ['BA: 5 is not a line-start marker, 6', '6', 'last_number'],
  ['She has 5 - 3 = 2 apples left.', '2', 'last_number'],
  ['It costs $1,200.50 in total.', '$1,200.50', 'last_number'],
  ['That is -7 degrees.', '-7', 'last_number'],
  ['so x-3', '3', 'last_number'], // minus after a letter is an operator, not a sign
  ['She ate 3/4 of the pie.', '3/4', 'last_number'],
  ['1 1/2 hours', '1 1/2', 'last_number'],
  ['\\dfrac{1}{2}', '\\frac{1}{2}', 'last_number'],
  ['50%', '50%', 'last_number'],
  ['The area is 25 m^2', '25', 'last_number'],
  ['The area is 25 cm^{2} or 1 cm^-2', '1', 'last_number'],
  ['that is 2^{10}', '2^{10}', 'last_number'],
  ['about 1.5 \\times 10^{3}', '1.5 \\times 10^{3}', 'last_number'],
  ['18', '18', 'last_number'],
  ['I do not know.', null],
  ['', null],
];

describe('extractAnswer', () => {
  it.each(cases)('%j', (text, raw, rule?) => {
    const got = extractAnswer(text);
    if (raw === null) expect(got).toBeNull();
    else expect(got).toEqual({ raw, rule });
  });

  it('never falls back to an earlier box when the final \\boxed{ is cut off', () => {
    expect(extractAnswer('\\boxed{5}. Wait, that is wrong: \\boxed{\\frac{1}{')).toEqual({ raw: '\\frac{1}{', rule: 'boxed', cutOff: true });
    expect(extractAnswer('\\boxed{ \\boxed{5}')).toEqual({ raw: '\\boxed{5}', rule: 'boxed', cutOff: true });
    expect(extractAnswer('\\boxed{\\{1, 2\\}} then \\boxed{7}')).toEqual({ raw: '7', rule: 'boxed' });
  });

  it('takes boxed content as written even when it is not a number', () => {
    expect(extractAnswer('so \\boxed{A} is the choice, 12')).toEqual({ raw: 'A', rule: 'boxed' });
  });
});
