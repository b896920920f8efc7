import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { generateQuestions, generateSplits } from './generator/generate';
import { PRESETS } from './generator/options';
import { type NewQuestion } from './types';

const texts = (qs: NewQuestion[]) => qs.map((q) => q.text);
/** Numbers written in a question: with no commas and no digits in names, these are its operands. */
const numbersIn = (text: string) => (text.match(/\d+/g) ?? []).map(Number);
const annotations = (solution: string) => solution.match(/<<[^>]*>>/g) ?? [];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generateQuestions', () => {
  it('is deterministic: same seed and knobs give the same list, another seed another list', () => {
    const a = generateQuestions({ ...PRESETS.id, count: 200, seed: 7 });
    const b = generateQuestions({ ...PRESETS.id, count: 200, seed: 7 });
    const c = generateQuestions({ ...PRESETS.id, count: 200, seed: 8 });
    expect(b).toEqual(a);
    const shared = texts(c).filter((t) => new Set(texts(a)).has(t));
    expect(shared.length).toBeLessThan(10);
  });

  it('gives distinct texts and never one from exclude', () => {
    const qs = generateQuestions({ ...PRESETS.id, count: 1000, seed: 1 });
    expect(new Set(texts(qs)).size).toBe(1000);
    const exclude = new Set(texts(qs).slice(0, 500));
    const again = generateQuestions({ ...PRESETS.id, count: 1000, seed: 1, exclude });
    expect(again.filter((q) => exclude.has(q.text))).toEqual([]);
    expect(new Set(texts(again)).size).toBe(1000);
  });

  it('answers a one-operation bare sum correctly (checked by hand arithmetic)', () => {
    const qs = generateQuestions({ styles: ['bare'], operators: ['+'], minOperations: 1, maxOperations: 1, minDigits: 1, maxDigits: 1, count: 50, seed: 3 });
    for (const q of qs) {
      const m = /^(?:What is|Compute|Calculate|Find the value of|Evaluate) (\d) \+ (\d)[?.]$/.exec(q.text);
      expect(m, q.text).not.toBeNull();
      const sum = Number(m![1]) + Number(m![2]);
      expect(q.goldAnswer).toBe(String(sum));
      expect(q.goldSolution).toBe(`${m![1]}+${m![2]}=<<${m![1]}+${m![2]}=${sum}>>${sum}\n#### ${sum}`);
      expect(q.difficulty).toBe(1);
    }
  });

  it('follows the knobs: operation count, operand digits, operators, style, ASCII', () => {
    const o = { minOperations: 3, maxOperations: 4, minDigits: 2, maxDigits: 2, operators: ['*', '/'] as ('*' | '/')[], maxValue: 1_000_000 };
    const qs = generateQuestions({ ...o, count: 200, seed: 5 });
    for (const q of qs) {
      const anns = annotations(q.goldSolution!);
      expect(anns.length).toBeGreaterThanOrEqual(3);
      expect(anns.length).toBeLessThanOrEqual(4);
      expect(q.difficulty).toBe(anns.length);
      for (const a of anns) expect(a).toMatch(/^<<\d+[*/]\d+=\d+>>$/);
      for (const n of numbersIn(q.text)) expect(String(n).length, q.text).toBe(2);
      expect(q.text + q.goldSolution).toMatch(/^[\x20-\x7e\n]*$/);
    }
    const bare = generateQuestions({ ...o, styles: ['bare'], count: 50, seed: 5 });
    for (const q of bare) expect(q.text).toMatch(/^[A-Z][a-z ]+ [\d()*/ ]+[?.]$/);
    const word = generateQuestions({ ...o, styles: ['word'], count: 50, seed: 5 });
    for (const q of word) expect(q.text).toMatch(/[a-z]{3,} [a-z]{3,}.*\?$/);
  });

  it('keeps word problems varied: many step kinds, scenes and names', () => {
    const qs = generateQuestions({ ...PRESETS.id, styles: ['word'], count: 400, seed: 11 });
    const kinds = new Set(qs.flatMap((q) => q.meta.kinds as string[]));
    expect(kinds.size).toBeGreaterThanOrEqual(12);
    const firstWords = new Set(qs.map((q) => q.text.split(' ')[0]));
    expect(firstWords.size).toBeGreaterThanOrEqual(20);
    const objects = new Set(qs.map((q) => /How many (\w+)/.exec(q.text)?.[1]).filter(Boolean));
    expect(objects.size).toBeGreaterThanOrEqual(10);
  });

  it('records knobs, split, seed and index in meta', () => {
    const [q0, q1] = generateQuestions({ ...PRESETS.ood, count: 2, seed: 9, split: 'ood' });
    expect(q0!.meta).toMatchObject({ split: 'ood', seed: 9, index: 0, knobs: { minOperations: 4, maxOperations: 5, minDigits: 2, maxDigits: 3 } });
    expect(q1!.meta.index).toBe(1);
  });

  it('throws an InputError saying what to change when the knobs allow too few questions', () => {
    // a + b with one-digit a, b: 81 sums times 5 phrasings = 405 texts at most.
    const small = { styles: ['bare' as const], operators: ['+' as const], minOperations: 1, maxOperations: 1, minDigits: 1, maxDigits: 1 };
    expect(generateQuestions({ ...small, count: 300, seed: 1 })).toHaveLength(300);
    let err: unknown;
    try {
      generateQuestions({ ...small, count: 500, seed: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/too few distinct questions: got 40\d of the 500 requested/);
    expect((err as InputError).hint).toMatch(/more digits/);
  });

  it('rejects bad knobs with an InputError naming the knob', () => {
    expect(() => generateQuestions({ minDigits: 3, maxDigits: 2, count: 1, seed: 1 })).toThrow(/minDigits \(3\) > maxDigits \(2\)/);
    expect(() => generateQuestions({ operators: ['%' as '+'], count: 1, seed: 1 })).toThrow(InputError);
    expect(() => generateQuestions({ count: -1, seed: 1 })).toThrow(/count must be a non-negative integer/);
  });
});

describe('generateSplits', () => {
  it('makes id and ood splits that share no text, with ood harder on average', () => {
    const s = generateSplits({ seed: 42, splits: [{ name: 'id', preset: 'id', count: 400 }, { name: 'ood', preset: 'ood', count: 400 }] });
    const id = s.id!;
    const ood = s.ood!;
    expect(id).toHaveLength(400);
    expect(ood).toHaveLength(400);
    const idTexts = new Set(texts(id));
    expect(ood.filter((q) => idTexts.has(q.text))).toEqual([]);
    const ops = (qs: NewQuestion[]) => qs.map((q) => annotations(q.goldSolution!).length);
    const digits = (qs: NewQuestion[]) => qs.flatMap((q) => numbersIn(q.text).map((n) => String(n).length));
    expect(Math.min(...ops(id))).toBe(2);
    expect(Math.max(...ops(id))).toBe(3);
    expect(Math.min(...ops(ood))).toBe(4);
    expect(Math.max(...ops(ood))).toBe(5);
    expect(mean(digits(ood))).toBeGreaterThan(mean(digits(id)) + 0.8);
    expect(id.every((q) => q.meta.split === 'id')).toBe(true);
  });

  it('keeps splits with the same knobs disjoint even in a small knob space', () => {
    const options = { styles: ['bare' as const], operators: ['+' as const], minOperations: 1, maxOperations: 1, minDigits: 1, maxDigits: 1 };
    const s = generateSplits({ seed: 1, splits: [{ name: 'a', options, count: 150 }, { name: 'b', options, count: 150 }] });
    const a = new Set(texts(s.a!));
    expect(s.b!.filter((q) => a.has(q.text))).toEqual([]);
    expect(new Set(texts(s.b!)).size).toBe(150);
  });

  it('gives a split the same questions whatever splits come after it', () => {
    const one = generateSplits({ seed: 3, splits: [{ name: 'id', preset: 'id', count: 50 }] });
    const two = generateSplits({ seed: 3, splits: [{ name: 'id', preset: 'id', count: 50 }, { name: 'ood', preset: 'ood', count: 10 }] });
    expect(two.id).toEqual(one.id);
  });

  it('rejects an unknown preset and a repeated split name', () => {
    expect(() => generateSplits({ seed: 1, splits: [{ name: 'x', preset: 'hard', count: 1 }] })).toThrow(/unknown generator preset "hard"/);
    expect(() => generateSplits({ seed: 1, splits: [{ name: 'x', count: 1 }, { name: 'x', count: 1 }] })).toThrow(/listed twice/);
  });
});
