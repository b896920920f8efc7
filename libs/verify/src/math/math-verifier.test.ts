import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { mathVerifier, parseMathGold } from './math-verifier';

// Correctness, not speed (the time budget has its own tests in math-bounds.test.ts): a loaded machine
// must not turn a slow verdict into a wrong one here.
const grade = (response: string, gold: string) => mathVerifier(response, gold, { timeBudgetMs: 10_000 });
const status = (answer: string, gold: string) => grade(`So the answer is $\\boxed{${answer}}$.`, gold).status;

// [kind, gold, equivalent answers, non-equivalent answers]
const kinds: [string, string, string[], string[]][] = [
  ['integer', '42', ['42', '42.0', '+42', '\\dfrac{84}{2}', '42 \\text{ cm}', '4.2 \\times 10^{1}'], ['41', '42.0001', '-42']],
  ['thousands separators', '1000000', ['1,000,000', '1{,}000{,}000', '10^6', '1\\,000\\,000'], ['1,000', '100000']],
  ['decimal', '0.25', ['\\frac{1}{4}', '1/4', '.25', '\\tfrac14'], ['0.26', '4']],
  ['fraction', '\\frac{1}{2^{10}}', ['\\frac{1}{1024}', '2^{-10}', '0.0009765625'], ['2^{10}', '1024']],
  ['radical', '\\frac{\\sqrt{3}}{2}', ['\\frac{1}{2}\\sqrt{3}', '\\sqrt{3}/2', '\\sqrt{\\frac{3}{4}}', '0.8660254'], ['\\sqrt{3}', '\\frac{\\sqrt{2}}{2}', '0.866']],
  ['cube root', '2\\sqrt[3]{2}', ['\\sqrt[3]{16}', '2^{4/3}'], ['\\sqrt[3]{2}']],
  ['pi', '2\\pi', ['2 \\pi', '\\pi \\cdot 2', '6.2831853'], ['\\pi', '6.28']],
  ['e', 'e^2', ['\\mathrm{e}^{2}', 'e \\cdot e'], ['2e', 'e^3']],
  ['right-associative powers', '81', ['3^2^2', '3^{2^2}'], ['9', '3^{2}']],
  ['percent', '50\\%', ['50', '50\\%', '0.5'], ['5', '49\\%']],
  ['degrees', '10^\\circ', ['10', '10^{\\circ}', '10°'], ['20', '\\frac{\\pi}{18}']],
  ['scientific notation', '3.2 \\times 10^{-4}', ['0.00032', '3.2e-4', '32 \\times 10^{-5}'], ['3.2 \\times 10^{4}']],
  ['expression', 'x^2+1', ['1+x^2', 'x \\cdot x + 1', '\\left(x^2+1\\right)'], ['x^2-1', 'x^2', '(x+1)^2']],
  ['expression, two variables', '\\frac{x+y}{2}', ['\\frac{y}{2}+\\frac{x}{2}', '0.5(x+y)'], ['\\frac{x-y}{2}', 'x+y']],
  ['tuple', '(4, 5)', ['(4,5)', '\\left(4, 5\\right)', '(\\frac{8}{2}, 5)'], ['(2, 5)', '(5, 4)', '(4, 5, 6)', '5']],
  ['closed-open interval', '[0, 9)', ['[0,9)', '\\left[0, 9\\right)'], ['(0, 9)', '[0, 9]', '[0, 8)']],
  ['open interval', '(-\\infty, 2)', ['(-\\infty,2)'], ['(-\\infty, 2]', '(\\infty, 2)']],
  ['union of intervals', '(-\\infty, 2] \\cup [3, \\infty)', ['[3, \\infty) \\cup (-\\infty, 2]'], ['(-\\infty, 2] \\cup (3, \\infty)', '(-\\infty, 2]']],
  ['set', '\\{-2, 1\\}', ['\\{1, -2\\}', '1, -2', '-2 \\text{ and } 1'], ['\\{-2\\}', '\\{-2, 1, 3\\}', '\\{2, 1\\}']],
  ['list of answers', '4 \\text{ and } 27', ['4, 27', '27, 4', '4 and 27'], ['27', '4', '4, 28']],
  ['equation', 'x = 5', ['5', 'x=5', 'x = \\frac{10}{2}'], ['6', 'x = 6']],
  ['subscripted assignment', 'a_3 = 2', ['2', 'a_3=2'], ['3']],
  ['line', 'y = 2x + 3', ['y=3+2x', '2x + 3'], ['y = 2x - 3']],
  ['ratio', '3:4', ['3 : 4', '\\frac{6}{2}:4'], ['4:3', '3/4']],
  ['time', '9:30', ['9:30'], ['30', '9', '10:30']],
  ['plus-minus', '\\pm 3', ['\\pm 3', '3, -3', '-3, 3', '\\{3, -3\\}'], ['3', '-3']],
  ['plus-minus inside', '\\frac{1 \\pm \\sqrt{5}}{2}', ['\\frac{1+\\sqrt{5}}{2}, \\frac{1-\\sqrt{5}}{2}', '\\frac{1}{2} \\pm \\frac{\\sqrt{5}}{2}'], ['\\frac{1+\\sqrt{5}}{2}']],
  ['multiple choice', '\\text{(C)}', ['C', '(C)', '\\textbf{(C)}', '\\text{C}'], ['B', '(D)']],
  ['text', '\\text{Monday}', ['Monday', '\\text{monday}', '\\textbf{Monday}'], ['Tuesday', '1']],
  ['dollars', '\\$18.50', ['18.5', '\\$18.50', '18.50 \\text{ dollars}'], ['18', '1850']],
];

describe('math verifier: every answer kind, both ways', () => {
  for (const [kind, gold, same, different] of kinds) {
    it.each(same)(`${kind}: %j matches gold ${gold}`, (a) => expect(status(a, gold)).toBe('correct'));
    it.each(different)(`${kind}: %j does not match gold ${gold}`, (a) => expect(status(a, gold)).toBe('incorrect'));
  }
});

describe('math verifier: regressions of the numeric verifier', () => {
  it('reads golds whole, never by their last number', () => {
    expect(parseMathGold('\\frac{1}{2^{10}}').answer.kind).toBe('number');
    expect(parseMathGold('9:30').answer.kind).toBe('ratio');
    expect(parseMathGold('4 and 27').answer).toMatchObject({ kind: 'set', from: 'list' });
    expect(parseMathGold('\\pm 3').answer).toMatchObject({ kind: 'set', from: 'pm' });
    expect(parseMathGold('(4, 5)').answer.kind).toBe('tuple');
    expect(parseMathGold('x^2+1').answer.kind).toBe('expression');
  });

  it('takes the last \\boxed{} of a MATH solution as its gold', () => {
    expect(parseMathGold('We get $x=2$, so the area is $\\boxed{\\frac{3}{4}}$.').text).toBe('\\frac{3}{4}');
  });

  it('names a gold it cannot read', () => {
    expect(() => parseMathGold('\\frac{1}{')).toThrow(InputError);
    expect(() => parseMathGold('\\frac{1}{')).toThrow(/gold answer cannot be read as one answer .*"\\frac\{1\}\{"/);
    expect(() => parseMathGold('so the answer is \\boxed{\\frac{1}{2}')).toThrow(/never closes/);
  });

  it('never falls back to an earlier box when the final \\boxed{ is cut off', () => {
    const v = grade('First guess $\\boxed{12}$. No: recomputing, the answer is $\\boxed{\\frac{25}{', '12');
    expect(v).toMatchObject({ status: 'unparseable', extractedBy: 'boxed', reason: 'the final \\boxed{ is cut off (never closed)' });
  });

  it('joins several boxes written as one answer, and only those', () => {
    expect(grade('The solutions are $\\boxed{2}$ and $\\boxed{3}$.', '2, 3').status).toBe('correct');
    expect(grade('The solutions are $\\boxed{2}$ and $\\boxed{3}$.', '3').status).toBe('incorrect');
    expect(grade('We guessed $\\boxed{2}$ first. After checking, it is $\\boxed{3}$.', '3').status).toBe('correct');
  });

  it('says why a response is unparseable', () => {
    expect(grade('I give up.', '5')).toMatchObject({ status: 'unparseable', reason: 'no answer in response' });
    expect(grade('\\boxed{\\frac{1}{}}', '5').status).toBe('unparseable');
  });
});
