import { describe, expect, it } from 'vitest';
import { createRng } from '@sieve/core';
import { CharTokenizer } from '@sieve/model';
import { Sequence, type GenerateParams } from './sequence';
import { argmax, candidates, drawFrom, logProbOf, sampleToken } from './token-sampler';

// p = [0.1, 0.5, 0.05, 0.2, 0.15] as logits (any shift gives the same distribution).
const p = [0.1, 0.5, 0.05, 0.2, 0.15];
const logits = p.map((x) => Math.log(x) + 7);
const plain = { temperature: 1, topK: 0, topP: 1 };

describe('candidates', () => {
  it('top-p keeps the shortest most-likely set reaching p, renormalised', () => {
    const c = candidates(logits, { ...plain, topP: 0.75 }); // 0.5, 0.2 (=0.7 < 0.75), 0.15 → 0.85
    expect(c.ids).toEqual([1, 3, 4]);
    [0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85].forEach((want, i) => expect(c.probs[i]).toBeCloseTo(want, 12));
    expect(candidates(logits, { ...plain, topP: 0.6 }).ids).toEqual([1, 3]);
    expect(candidates(logits, { ...plain, topP: 0.3 }).ids).toEqual([1]); // at least the top token
    expect(candidates(logits, { ...plain, topP: 0.3 }).probs).toEqual([1]);
  });

  it('top-k and temperature: k most likely, probabilities ∝ p^(1/T)', () => {
    const c = candidates(logits, { temperature: 2, topK: 2, topP: 1 });
    expect(c.ids).toEqual([1, 3]);
    const a = Math.sqrt(0.5);
    const b = Math.sqrt(0.2);
    expect(c.probs[0]).toBeCloseTo(a / (a + b), 12);
    expect(c.probs[1]).toBeCloseTo(b / (a + b), 12);
    // top-k then top-p: of {0.5, 0.2, 0.15} renormalised (0.588, 0.235, 0.176), 0.8 needs two.
    expect(candidates(logits, { temperature: 1, topK: 3, topP: 0.8 }).ids).toEqual([1, 3]);
  });

  it('without cut-offs keeps every token in id order with the softmax probabilities', () => {
    const c = candidates(logits, plain);
    expect(c.ids).toEqual([0, 1, 2, 3, 4]);
    p.forEach((x, i) => expect(c.probs[i]).toBeCloseTo(x, 12));
  });

  it('ties are broken by the lower id, in argmax and in the candidate order', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(candidates([1, 3, 3, 2], { ...plain, topK: 2 }).ids).toEqual([1, 2]);
  });
});

describe('drawing', () => {
  it('inverse CDF over the candidate order', () => {
    const c = { ids: [4, 2, 9], probs: [0.5, 0.3, 0.2] };
    expect(drawFrom(c, 0)).toBe(4);
    expect(drawFrom(c, 0.49)).toBe(4);
    expect(drawFrom(c, 0.5)).toBe(2);
    expect(drawFrom(c, 0.79)).toBe(2);
    expect(drawFrom(c, 0.81)).toBe(9);
    expect(drawFrom(c, 0.9999999)).toBe(9);
  });

  it('frequencies follow the distribution; greedy takes no random number', () => {
    const rng = createRng(5);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[sampleToken(logits, plain, rng)]!++;
    counts.forEach((n, i) => expect(n / 20000).toBeCloseTo(p[i]!, 1));
    const a = createRng(9);
    const b = createRng(9);
    expect(sampleToken(logits, { ...plain, temperature: 0 }, a)).toBe(1);
    expect(sampleToken(logits, { ...plain, topK: 1 }, a)).toBe(1);
    expect(a.next()).toBe(b.next()); // the stream did not move
  });

  it('log-prob is the temperature-1 log softmax', () => {
    expect(logProbOf(logits, 3)).toBeCloseTo(Math.log(0.2), 12);
    expect(logProbOf([0, 0, 0, 0], 2)).toBeCloseTo(Math.log(0.25), 12);
  });
});

describe('Sequence', () => {
  const tok = CharTokenizer.fromCorpus(['abcQ:\n']); // ids: 4 '\n', 5 ':', 6 'Q', 7 'a', 8 'b', 9 'c'
  const id = (ch: string): number => tok.encode(ch)[0]!;
  const onehot = (t: number): number[] => Array.from({ length: tok.vocabSize }, (_, i) => (i === t ? 10 : 0));
  const greedy: GenerateParams = { temperature: 0, topK: 0, topP: 1, maxNewTokens: 10, stop: ['\nQ:'] };

  it('stops on a stop string and cuts the text before it', () => {
    const s = new Sequence([1, 7], 1, greedy, tok, 100);
    for (const ch of ['a', 'b', '\n', 'Q']) {
      s.step(onehot(id(ch)), 0, tok.vocabSize);
      expect(s.done).toBe(false);
    }
    s.step(onehot(id(':')), 0, tok.vocabSize);
    expect(s.result()).toMatchObject({ text: 'ab', finishReason: 'stop', tokens: [7, 8, 4, 6, 5] });
    expect(s.result().logprobs.length).toBe(5);
  });

  it('stops on EOS (kept as a token, not in the text) and at the budget', () => {
    const s = new Sequence([1], 1, greedy, tok, 100);
    s.step(onehot(id('c')), 0, tok.vocabSize);
    s.step(onehot(tok.eosId), 0, tok.vocabSize);
    expect(s.result()).toMatchObject({ text: 'c', finishReason: 'stop', tokens: [id('c'), tok.eosId] });
    const t = new Sequence([1, 7, 7], 1, greedy, tok, 5); // context 5, prompt 3: two tokens
    expect(t.budget).toBe(2);
    t.step(onehot(id('a')), 0, tok.vocabSize);
    t.step(onehot(id('a')), 0, tok.vocabSize);
    expect(t.result()).toMatchObject({ text: 'aa', finishReason: 'length' });
  });
});

describe('sampleToken without truncation', () => {
  it('picks exactly what drawFrom(candidates(…)) picks, for the same draw, on ordinary and degenerate rows', () => {
    const gen = createRng(11);
    const rows: number[][] = [
      logits,
      [3, 3, 3, 3], // ties
      [1e30, -1e30, 5, 0], // huge spread
      [0, Number.NaN, 1], // a NaN logit: both fall through to the last id
      [Number.POSITIVE_INFINITY, 0, 1],
      [-5, -5.000001, -4.999999],
      ...Array.from({ length: 200 }, () => Array.from({ length: 100 }, () => (gen.next() - 0.5) * 20)),
    ];
    let checked = 0;
    for (const row of rows) {
      for (const temperature of [1, 0.7, 1.3]) {
        const params = { temperature, topK: 0, topP: 1 };
        // padded on both sides, as rows of a batch's logits are
        const batch = [9, 9, ...row, 9];
        for (const u of [0, 0.25, 0.5, 0.999999, gen.next(), gen.next()]) {
          const rng = { ...createRng(1), next: () => u };
          const want = drawFrom(candidates(batch, params, 2, row.length), u);
          expect(sampleToken(batch, params, rng, 2, row.length)).toBe(want);
          checked++;
        }
      }
    }
    expect(checked).toBe(206 * 3 * 6);
  });
});
