import { describe, expect, it } from 'vitest';
import { checkSteps } from './steps';
import { evaluateArithmetic } from './arith';
import { verify } from './registry';

const value = (src: string): number | null => {
  const r = evaluateArithmetic(src);
  return r.ok ? r.value : null;
};

describe('evaluateArithmetic', () => {
  it.each([
    ['2+3*4', 14],
    ['(2+3)*4', 20],
    ['10-4-3', 3], // left-associative
    ['48/2/3', 8],
    ['2^3^2', 512], // right-associative power
    ['2**3', 8],
    ['-2^2', -4], // unary minus binds looser than power
    ['(-2)^2', 4],
    ['-(3+4)*2', -14],
    ['--5', 5],
    ['2^-1', 0.5],
    ['7/2', 3.5],
    ['560//10', 56],
    ['7//2', 3],
    ['1,000*3', 3000],
    ['.5*10', 5],
    ['12 x 3', 36],
    ['12×3÷4', 9],
    ['200*5%', 10],
    ['$12.50*4', 50],
    ['((((1))))+1', 2],
  ])('%s = %d', (src, expected) => {
    expect(value(src)).toBeCloseTo(expected, 12);
  });

  it.each(['alert(1)', '2+', '(1+2', '1+2)', '3 4', '1,00+2', '2(3)', 'process.exit()', '', '1;2', '"1"+1', 'x'])(
    'refuses %j',
    (src) => {
      expect(evaluateArithmetic(src).ok).toBe(false);
    },
  );

  it('refuses nesting beyond the cap instead of recursing', () => {
    expect(evaluateArithmetic('('.repeat(200) + '1' + ')'.repeat(200)).ok).toBe(false);
    expect(evaluateArithmetic('-'.repeat(500) + '1').ok).toBe(false);
    expect(evaluateArithmetic('1+'.repeat(600) + '1').ok).toBe(false); // longer than the length cap
  });
});

describe('checkSteps', () => {
  it('reports right, wrong and unchecked annotations with offsets', () => {
    const text = 'a <<48/2=24>>24, b <<2+3=6>>6, c <<alert(1)=3>>, d <<5*(4-1)=15>>15';
    const rep = checkSteps(text);
    expect(rep).toMatchObject({ total: 4, wrong: 1, unchecked: 1 });
    expect(rep.steps.map((s) => s.ok)).toEqual([true, false, null, true]);
    expect(rep.steps[1]).toEqual({ expr: '2+3', claimed: '6', actual: 5, ok: false, index: text.indexOf('<<2+3') });
    expect(rep.steps[2]).toMatchObject({ expr: 'alert(1)', actual: null, ok: null });
  });

  it('accepts a claim rounded to cents and rejects other roundings', () => {
    const rep = checkSteps('<<10/3=3.33>> <<2/3=0.67>> <<10/3=3>> <<10/3=3.3333333>> <<1/8=0.125>>');
    expect(rep.steps.map((s) => s.ok)).toEqual([true, true, false, true, true]);
  });

  it('treats fraction and percent claims as values', () => {
    const rep = checkSteps('<<3/4=3/4>> <<1/2=50%>> <<20*5%=1>> <<2+2=five>>');
    expect(rep.steps.map((s) => s.ok)).toEqual([true, true, true, null]);
  });

  it('marks a finite claim for a division by zero wrong', () => {
    expect(checkSteps('<<5/0=3>>').steps[0]).toMatchObject({ actual: null, ok: false });
  });

  it('a response can have the right answer and a wrong step', () => {
    const response = 'He buys 3*4 = <<3*4=13>>12 pens, then 12+6 = <<12+6=18>>18.\n#### 18';
    const v = verify(response, '18');
    expect(v.status).toBe('correct');
    expect(v.steps).toEqual({ total: 2, wrong: 1, unchecked: 0 });
  });

  it('ignores an unterminated annotation', () => {
    expect(checkSteps('<<1+1=2>> then <<2+2=4').total).toBe(1);
  });
});
