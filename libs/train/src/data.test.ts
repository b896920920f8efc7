import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CharTokenizer } from '@sieve/model';
import { collate, collatePairs } from './batch';
import { DataOrder } from './data-order';
import { encodeExample, encodeExamples } from './examples';
import { holdOut } from './holdout';
import { trainModel } from './train-model';
import { makeFixture, useBackend, type Fixture } from './test-helpers';

// Specials 0–3 (pad, bos, eos, unk), then the sorted characters: ' '=4, ':'=5, 'A'=6, 'Q'=7, 'a'=8, 'b'=9.
const tok = CharTokenizer.fromCorpus(['Q: A: ab']);

describe('examples and batches', () => {
  it('encodes BOS + prompt + response + EOS and marks where the response starts', () => {
    const e = encodeExample(tok, 'Q:', 'ab', 16);
    expect(e).toEqual({ ids: [1, 7, 5, 8, 9, 2], responseStart: 3, truncated: false });
  });

  it('truncates to context + 1 ids (the inputs fill the context) and drops examples with no response left', () => {
    const e = encodeExample(tok, 'Q:', 'abab', 4);
    expect(e).toEqual({ ids: [1, 7, 5, 8, 9], responseStart: 3, truncated: true });
    const set = encodeExamples(tok, [{ prompt: 'Q:', response: 'abab' }, { prompt: 'QQQQ', response: 'a' }, { prompt: 'Q', response: 'b' }], 4);
    expect(set.truncated).toBe(2);
    expect(set.dropped).toBe(1);
    expect(set.examples.map((x) => x.ids)).toEqual([[1, 7, 5, 8, 9], [1, 7, 9, 2]]);
  });

  it('right-pads rows; the mask covers response targets and EOS only', () => {
    const b = collate([encodeExample(tok, 'Q:', 'ab', 16), encodeExample(tok, 'Q', 'b', 16)], tok.padId);
    expect(b.length).toBe(5);
    expect(Array.from(b.inputs)).toEqual([1, 7, 5, 8, 9, /**/ 1, 7, 9, 0, 0]);
    expect(Array.from(b.targets)).toEqual([7, 5, 8, 9, 2, /**/ 7, 9, 2, 0, 0]);
    expect(Array.from(b.mask)).toEqual([0, 0, 1, 1, 1, /**/ 0, 1, 1, 0, 0]);
    expect([b.tokens, b.sequences, b.inputTokens]).toEqual([5, 2, 8]);
  });

  it('pairs put the chosen responses first, the rejected ones after', () => {
    const p = { chosen: encodeExample(tok, 'Q', 'a', 8), rejected: encodeExample(tok, 'Q', 'bb', 8) };
    const b = collatePairs([p], tok.padId);
    expect(b.rows).toBe(2);
    expect(Array.from(b.targets)).toEqual([7, 8, 2, 0, /**/ 7, 9, 9, 2]);
  });
});

describe('data order', () => {
  it('visits every example once per epoch, and depends only on (seed, step)', () => {
    const o = new DataOrder(5, 42);
    const epoch0 = o.indicesAt(0, 5);
    expect([...epoch0].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...o.indicesAt(5, 5)].sort()).toEqual([0, 1, 2, 3, 4]);
    // Step 2 with 2 micro-batches of 2 reads positions 4..7 = epoch 0's last, epoch 1's first three.
    const step2 = [...o.microBatch(2, 0, 2, 2), ...o.microBatch(2, 1, 2, 2)];
    expect(step2).toEqual([epoch0[4], ...o.indicesAt(5, 3)]);
    expect(new DataOrder(5, 42).indicesAt(3, 9)).toEqual(o.indicesAt(3, 9));
    expect(new DataOrder(5, 43).indicesAt(0, 10)).not.toEqual(o.indicesAt(0, 10));
    expect(o.positionAfter(3, 2, 2)).toEqual({ epoch: 2, position: 12 });
  });

  it('holds out whole prompts, chosen by hash, at least one', () => {
    const items = ['a', 'b', 'c', 'd'].flatMap((p) => [{ prompt: p, r: 1 }, { prompt: p, r: 2 }]);
    const s = holdOut(items, 0.05);
    expect(s.heldOut.length).toBe(2);
    expect(s.heldOut[0]!.prompt).toBe(s.heldOut[1]!.prompt);
    expect(s.train.some((x) => x.prompt === s.heldOut[0]!.prompt)).toBe(false);
    expect(holdOut([...items].reverse(), 0.05).heldOut[0]!.prompt).toBe(s.heldOut[0]!.prompt);
    expect(holdOut(items, 0.5).heldOut.length).toBe(4);
    expect(holdOut(items, 0).heldOut).toEqual([]);
  });
});

describe('learning-rate schedule in the metrics', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  it('warms up linearly, then decays by a half cosine to minLrRatio · lr', async () => {
    fx = await makeFixture();
    const res = await trainModel(fx.store, {
      runName: 'lr',
      method: 'sft',
      dataset: { name: 'tiny' },
      from: 'base',
      outDir: path.join(fx.dir, 'models', 'lr'),
      steps: 11,
      warmupSteps: 3,
      lr: 0.01,
      minLrRatio: 0.1,
      batchSize: 2,
      evalEvery: 0,
      checkpointEvery: 0,
    });
    const lr = fx.store.training.metrics(res.runId, 'train').map((m) => m.values['lr'] as number);
    // Warmup: 1/3, 2/3, 1 of the peak; cosine over the 8 remaining steps, halfway (step 7) at
    // 0.001 + 0.009 · 0.5 = 0.0055; the last step at the floor 0.001.
    expect(lr[0]).toBeCloseTo(0.01 / 3, 10);
    expect(lr[1]).toBeCloseTo(0.02 / 3, 10);
    expect(lr[2]).toBeCloseTo(0.01, 10);
    expect(lr[6]).toBeCloseTo(0.0055, 10);
    expect(lr[10]).toBeCloseTo(0.001, 10);
    for (let i = 3; i < 11; i++) expect(lr[i]!).toBeLessThan(lr[i - 1]!);
  });
});
