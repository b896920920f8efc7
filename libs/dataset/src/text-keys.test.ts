import { describe, expect, it } from 'vitest';
import { extractEquations, levenshtein, normaliseResponse, selectMostDifferent } from './text-keys';

describe('text keys', () => {
  it('normalises whitespace, case and thousands commas, but not list commas', () => {
    expect(normaliseResponse('  He paid $1,234,567\n\n for  3,4 BOXES ')).toBe('he paid $1234567 for 3,4 boxes');
  });

  it('reads annotations first, else the equations in the text, in a canonical spelling', () => {
    expect(extractEquations('pay 1,200 / 4 = <<1,200 / 4 = 300>>300 and <<300*2=600>>600 #### 600')).toEqual(['1200/4=300', '300*2=600']);
    expect(extractEquations('She buys 6 × 2 = 12 eggs, then 12 + 3 + 5 = 20. Year 2023. #### 20')).toEqual(['6*2=12', '12+3+5=20']);
    expect(extractEquations('$5 x 3 = $15 #### 15')).toEqual(['5*3=15']);
    expect(extractEquations('Since 6*2 = 12, the answer is 12 #### 12')).toEqual(['6*2=12']);
    expect(extractEquations('just 12 #### 12')).toEqual([]);
  });

  it('Levenshtein distance matches hand-computed edits', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('abc', 'abc')).toBe(0);
    expect(levenshtein('1+1=2', '9*9=81')).toBe(5);
  });

  it('greedy max-min picks the farthest keys first', () => {
    expect(selectMostDifferent(['aaaa', 'aaab', 'zzzz', 'aabb'], 2)).toEqual([0, 2]);
    expect(selectMostDifferent(['aaaa', 'aaab', 'zzzz', 'aabb'], 3)).toEqual([0, 2, 3]);
    expect(selectMostDifferent(['x', 'y'], 5)).toEqual([0, 1]);
  });
});
