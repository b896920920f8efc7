import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Transformer } from '@sieve/model';
import { collate, collatePairs } from './batch';
import { disposeGrads, type Grads } from './clip';
import { accumulateGrads } from './loop';
import type { ObjectiveContext } from './objective';
import type { TrainMethod } from './methods';
import { trainModel } from './train-model';
import { makeFixture, maxParamDiff, MIXED_ITEMS, mixedPairs, mixedSeqs, mixedTokenizer, paramsOf, TINY_CONFIG, useBackend, type Fixture } from './test-helpers';

// Responses of different lengths, so the two micro-batches hold different numbers of loss tokens.
const tok = mixedTokenizer;
const seqs = mixedSeqs();
const pairs = mixedPairs();

function flat(g: Grads): Map<string, Float32Array> {
  return new Map(Object.entries(g).map(([k, t]) => [k, new Float32Array(t.dataSync())]));
}

function maxAbs(m: Map<string, Float32Array>): number {
  let x = 0;
  for (const v of m.values()) for (const y of v) x = Math.max(x, Math.abs(y));
  return x;
}

describe('gradient accumulation', () => {
  let model: Transformer;
  let ref: Transformer;
  beforeAll(async () => {
    await useBackend();
    model = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 1 });
    ref = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 2 });
  });

  const grads = (method: TrainMethod, batches: ReturnType<typeof collate>[]): Map<string, Float32Array> => {
    const ctx: ObjectiveContext = { model, ref, method, opts: { dftMinProb: 0, iwMaxWeight: 16, dpoBeta: 0.5, asftKl: 0.2 } };
    const { grads: g } = accumulateGrads(ctx, batches);
    const out = flat(g!);
    disposeGrads(g);
    return out;
  };

  it.each(['sft', 'dft', 'iw-sft', 'asft'] as TrainMethod[])('%s: two micro-batches of 2 give the gradient of one batch of 4', (method) => {
    const one = grads(method, [collate(seqs, tok.padId)]);
    const two = grads(method, [collate(seqs.slice(0, 2), tok.padId), collate(seqs.slice(2), tok.padId)]);
    expect(maxAbs(one)).toBeGreaterThan(1e-3);
    expect(maxParamDiff(one, two)).toBeLessThan(1e-5 * Math.max(1, maxAbs(one)));
  });

  it('dpo: pairs are the unit, two micro-batches of 2 pairs give the gradient of 4 pairs', () => {
    const one = grads('dpo', [collatePairs(pairs, tok.padId)]);
    const two = grads('dpo', [collatePairs(pairs.slice(0, 2), tok.padId), collatePairs(pairs.slice(2), tok.padId)]);
    expect(maxAbs(one)).toBeGreaterThan(1e-4);
    expect(maxParamDiff(one, two)).toBeLessThan(1e-5 * Math.max(1, maxAbs(one)));
  });

  it('weights micro-batches by their token counts, not equally (sft)', () => {
    // Micro-batch token counts: (1+1)+(5+1) = 8 and (2+1)+(7+1) = 11. Equal weights would differ.
    const a = collate(seqs.slice(0, 2), tok.padId);
    const b = collate(seqs.slice(2), tok.padId);
    expect([a.tokens, b.tokens]).toEqual([8, 11]);
    const one = grads('sft', [collate(seqs, tok.padId)]);
    const ga = grads('sft', [a]);
    const gb = grads('sft', [b]);
    const naive = new Map([...ga].map(([k, v]) => [k, v.map((x, i) => 0.5 * x + 0.5 * gb.get(k)![i]!)]));
    const weighted = new Map([...ga].map(([k, v]) => [k, v.map((x, i) => (8 / 19) * x + (11 / 19) * gb.get(k)![i]!)]));
    expect(maxParamDiff(one, weighted)).toBeLessThan(1e-5);
    expect(maxParamDiff(one, naive)).toBeGreaterThan(1e-4);
  });

  it('leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    grads('dpo', [collatePairs(pairs.slice(0, 2), tok.padId), collatePairs(pairs.slice(2), tok.padId)]);
    grads('asft', [collate(seqs.slice(0, 2), tok.padId), collate(seqs.slice(2), tok.padId)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainModel with accumulation', () => {
  let fx: Fixture | undefined;
  afterEach(() => fx?.cleanup());

  it('3 updates of 2 × 2 examples end where 3 updates of 1 × 4 do', async () => {
    fx = await makeFixture({ items: MIXED_ITEMS });
    const run = async (name: string, batchSize: number, gradAccum: number) => {
      const outDir = path.join(fx!.dir, 'models', name);
      await trainModel(fx!.store, { runName: name, method: 'sft', dataset: { name: 'tiny' }, from: 'base', outDir, steps: 3, batchSize, gradAccum, lr: 1e-2, warmupSteps: 0, evalEvery: 0, checkpointEvery: 0 });
      return paramsOf(outDir);
    };
    const big = await run('big', 4, 1);
    const acc = await run('acc', 2, 2);
    const start = await paramsOf(fx.baseDir);
    expect(maxParamDiff(big, start)).toBeGreaterThan(1e-3); // it did train
    expect(maxParamDiff(big, acc)).toBeLessThan(1e-5);
  });
});
