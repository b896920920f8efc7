import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Transformer } from '@sieve/model';
import { collate, collatePairs, type TokenBatch } from './batch';
import { disposeGrads } from './clip';
import type { SeqExample } from './examples';
import { microEval, microGrads, type ObjectiveContext } from './objective';
import type { TrainMethod } from './methods';
import { cacheReference, MAX_CACHED_LOGITS_BYTES } from './reference-cache';
import { maxParamDiff, mixedPairs, mixedSeqs, mixedTokenizer, TINY_CONFIG, useBackend } from './test-helpers';

// Lengths differ, so the batches below pad rows to other lengths than the cache's chunks did.
const tok = mixedTokenizer;
const seqs = mixedSeqs;
const pairs = mixedPairs;
const OPTS = { dftMinProb: 0, iwMaxWeight: 16, dpoBeta: 0.5, asftKl: 0.2 };

function gradsOf(ctx: ObjectiveContext, b: TokenBatch): { grads: Map<string, Float32Array>; loss: number } {
  const { grads, out } = microGrads(ctx, b, 1);
  const flat = new Map(Object.entries(grads).map(([k, t]) => [k, new Float32Array(t.dataSync())]));
  disposeGrads(grads);
  return { grads: flat, loss: out.loss };
}

describe('reference cache', () => {
  let model: Transformer;
  let ref: Transformer;
  beforeAll(async () => {
    await useBackend();
    model = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 1 });
    ref = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 2 }); // differs from the policy
  });

  // The cache is filled in chunks of 3 rows; the batches mix rows of different chunks.
  it.each(['iw-sft', 'dpo', 'asft'] as TrainMethod[])('%s: a batch of cached examples gives the loss, gradients and statistics of a per-step reference forward', (method) => {
    const before = tf.memory().numTensors;
    const isDpo = method === 'dpo';
    const plain = isDpo ? collatePairs(pairs().slice(1, 4), tok.padId) : collate(seqs().slice(1, 4), tok.padId);
    const ps = pairs();
    const xs = seqs();
    expect(cacheReference(ref, method, isDpo ? ps.flatMap((p) => [p.chosen, p.rejected]) : xs, tok.padId, 3)).toBe(true);
    const cached = isDpo ? collatePairs(ps.slice(1, 4), tok.padId) : collate(xs.slice(1, 4), tok.padId);
    expect(plain.ref).toBeUndefined();
    expect(cached.ref).toBeDefined();

    const withRef: ObjectiveContext = { model, ref, method, opts: OPTS };
    const without: ObjectiveContext = { model, ref: null, method, opts: OPTS }; // must not need the model
    const a = gradsOf(withRef, plain);
    const b = gradsOf(without, cached);
    expect(Number.isFinite(a.loss)).toBe(true);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    expect(maxParamDiff(a.grads, b.grads)).toBeLessThan(1e-5);
    const ea = microEval(withRef, plain);
    const eb = microEval(without, cached);
    expect(eb.loss).toBeCloseTo(ea.loss, 5);
    if (isDpo) {
      expect(eb.dpo?.chosenReward).toBeCloseTo(ea.dpo?.chosenReward ?? NaN, 5);
      expect(eb.dpo?.rejectedReward).toBeCloseTo(ea.dpo?.rejectedReward ?? NaN, 5);
      expect(Math.abs(ea.dpo?.rewardMargin ?? 0)).toBeGreaterThan(1e-4); // the reference matters here
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stores exactly the reference log-probs of each example, 0 at the pads of a batch', () => {
    const xs = seqs();
    cacheReference(ref, 'iw-sft', xs, tok.padId, 4);
    const b = collate(xs, tok.padId);
    const expected = tf.tidy(() => {
      const one = collate([xs[0] as SeqExample], tok.padId); // the shortest row alone: no padding at all
      const logits = ref.forward(tf.tensor2d(one.inputs, [1, one.length], 'int32'));
      const lp = tf.sub(logits, tf.logSumExp(logits, -1, true)); // [1, T, V]
      const rows = lp.arraySync() as number[][][];
      return Array.from({ length: one.length }, (_, t) => rows[0]?.[t]?.[one.targets[t] as number] ?? NaN);
    });
    const row0 = Array.from(b.ref?.logProbs?.subarray(0, b.length) ?? []);
    const n0 = (xs[0] as SeqExample).ids.length - 1;
    row0.slice(0, n0).forEach((v, t) => expect(v).toBeCloseTo(expected[t] ?? NaN, 5));
    expect(row0.slice(n0).every((v) => v === 0)).toBe(true);
    expect(n0).toBeLessThan(b.length);
  });

  it('a batch with an uncached row falls back to the reference model, and says so when there is none', () => {
    const xs = seqs();
    cacheReference(ref, 'iw-sft', xs.slice(0, 2), tok.padId, 4);
    const mixed = collate(xs.slice(1, 3), tok.padId);
    expect(mixed.ref).toBeUndefined();
    expect(() => microEval({ model, ref: null, method: 'iw-sft', opts: OPTS }, mixed)).toThrow(/needs the reference model/);
    expect(Number.isFinite(microEval({ model, ref, method: 'iw-sft', opts: OPTS }, mixed).loss)).toBe(true);
  });

  it('caches nothing for methods without a reference, or asft logits beyond the memory cap', () => {
    const xs = seqs();
    expect(cacheReference(ref, 'sft', xs, tok.padId, 4)).toBe(false);
    expect(xs.every((e) => e.ref === undefined)).toBe(true);
    const bytes = 4 * tok.vocabSize * xs.reduce((a, e) => a + e.ids.length - 1, 0); // n·V float32 logits
    expect(MAX_CACHED_LOGITS_BYTES).toBeGreaterThanOrEqual(2 ** 28);
    expect(cacheReference(ref, 'asft', xs, tok.padId, 4, bytes - 4)).toBe(false);
    expect(xs.every((e) => e.ref === undefined)).toBe(true);
    expect(cacheReference(ref, 'asft', xs, tok.padId, 4, bytes)).toBe(true);
    expect(xs.every((e) => e.ref?.logits?.length === tok.vocabSize * (e.ids.length - 1))).toBe(true);
  });
});
