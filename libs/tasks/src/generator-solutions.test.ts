import { describe, expect, it } from 'vitest';
import { checkSteps, evaluateArithmetic, verify } from '@sieve/verify';
import { generateQuestions } from './generator/generate';
import { PRESETS } from './generator/options';

/** "a op b=<<a op b=c>>c": the visible calculation must match its annotation. */
const ANNOTATED = /(-?\d+[-+*/]\d+)=<<(-?\d+[-+*/]\d+)=(-?\d+)>>(-?\d+)/g;

describe.each(['id', 'ood'] as const)('generated solutions, %s preset', (preset) => {
  const qs = generateQuestions({ ...PRESETS[preset], count: 300, seed: 2024 });

  it('grade as correct against their own gold with @sieve/verify, every step right', () => {
    for (const q of qs) {
      const sol = q.goldSolution!;
      expect(verify(sol, q.goldAnswer).status, sol).toBe('correct');
      const steps = checkSteps(sol);
      expect(steps.wrong, sol).toBe(0);
      expect(steps.unchecked, sol).toBe(0);
      expect(steps.total).toBe(q.difficulty);
    }
  });

  it('write each step like GSM8K, one per line, with non-negative integer results and "#### gold" last', () => {
    for (const q of qs) {
      const lines = q.goldSolution!.split('\n');
      expect(lines.at(-1)).toBe(`#### ${q.goldAnswer}`);
      const body = lines.slice(0, -1);
      const known = new Set((q.text.match(/\d+/g) ?? []).map(Number));
      let steps = 0;
      for (const line of body) {
        const found = [...line.matchAll(ANNOTATED)];
        expect(found.length, line).toBeGreaterThanOrEqual(1);
        for (const [, shown, inside, claimed, after] of found) {
          expect(shown).toBe(inside);
          expect(after).toBe(claimed);
          const result = Number(claimed);
          expect(Number.isInteger(result) && result >= 0, line).toBe(true);
          // Each operand is a number from the question or an earlier result.
          for (const operand of inside!.split(/[-+*/]/).map(Number)) expect(known.has(operand), `${operand} in ${q.text}\n${q.goldSolution}`).toBe(true);
          known.add(result);
          steps++;
        }
      }
      expect(steps).toBe(q.difficulty);
      expect(Number(q.goldAnswer)).toBe(Number(/(\d+)>>\d+\D*$/.exec(body.at(-1)!)?.[1]));
    }
  });

  it('answer bare questions with the value of the expression they show', () => {
    const bare = qs.filter((q) => q.meta.style === 'bare');
    expect(bare.length).toBeGreaterThan(30);
    for (const q of bare) {
      const expr = /^[A-Za-z ]+ ([\d()+\-*/ ]+)[?.]$/.exec(q.text)?.[1];
      const r = evaluateArithmetic(expr ?? '');
      expect(r, q.text).toEqual({ ok: true, value: Number(q.goldAnswer) });
    }
  });
});

describe('negative intermediates', () => {
  it('appear only when allowed, and still check', () => {
    const base = { styles: ['bare' as const], operators: ['-' as const, '+' as const], minOperations: 3, maxOperations: 3, count: 300, seed: 4 };
    const hasNegative = (s: string) => /=-\d/.test(s);
    expect(generateQuestions(base).some((q) => hasNegative(q.goldSolution!))).toBe(false);
    const neg = generateQuestions({ ...base, allowNegative: true });
    expect(neg.filter((q) => hasNegative(q.goldSolution!)).length).toBeGreaterThan(20);
    for (const q of neg) {
      expect(verify(q.goldSolution!, q.goldAnswer).status).toBe('correct');
      expect(checkSteps(q.goldSolution!).wrong).toBe(0);
    }
  });
});
