import './gradients';
import * as tf from '@tensorflow/tfjs-core';
import { InputError, SieveError, createRng } from '@sieve/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeLoss, type TokenLossMethod } from './compute-loss';
import { tokenLogProbs } from './log-probs';
import { asftLoss, dftLoss, iwSftLoss, sftLoss } from './losses';
import { expectAllClose, float2d, int2d, useTestBackend, valueOf } from './test-helpers';

beforeAll(async () => {
  await useTestBackend();
});

function randomLogits(seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Array.from({ length: 2 * 3 * 4 }, () => rng.normal()), [2, 3, 4]);
}

describe('computeLoss', () => {
  const targets = [[0, 3, 1], [2, 1, 1]];
  const mask = [[0, 1, 1], [1, 1, 1]];

  it('dispatches to the same value as each loss function and hands back log p(y_t)', () => {
    const z = randomLogits(1);
    const refLogits = randomLogits(2);
    const t = int2d(targets);
    const m = float2d(mask);
    const refLogProbs = tokenLogProbs(refLogits, t);
    const direct: Record<TokenLossMethod, number> = {
      sft: valueOf(() => sftLoss(z, t, m)),
      dft: valueOf(() => dftLoss(z, t, m, { minProb: 0.1 })),
      'iw-sft': valueOf(() => iwSftLoss(z, t, m, refLogProbs, { maxWeight: 2 })),
      asft: valueOf(() => asftLoss(z, t, m, refLogits, { klWeight: 0.3, minProb: 0.1 })),
    };
    const lp = tokenLogProbs(z, t);
    const before = tf.memory().numTensors;
    for (const method of Object.keys(direct) as TokenLossMethod[]) {
      const out = computeLoss(method, { logits: z, targets: t, mask: m, refLogProbs, refLogits }, { minProb: 0.1, maxWeight: 2, klWeight: 0.3 });
      expect(out.loss.dataSync()[0]).toBeCloseTo(direct[method], 6);
      expectAllClose(out.logProbs.dataSync(), lp.dataSync(), 1e-6);
      tf.dispose([out.loss, out.logProbs]);
    }
    expect(tf.memory().numTensors).toBe(before);
    // the four methods really differ on this batch
    expect(new Set(Object.values(direct).map((v) => v.toFixed(4))).size).toBe(4);
    tf.dispose([z, refLogits, t, m, refLogProbs, lp]);
  });

  it('says what is missing or unknown', () => {
    const z = randomLogits(3);
    const t = int2d(targets);
    const m = float2d(mask);
    expect(() => computeLoss('iw-sft', { logits: z, targets: t, mask: m })).toThrow(SieveError);
    expect(() => computeLoss('asft', { logits: z, targets: t, mask: m })).toThrow(/needs refLogits/);
    expect(() => computeLoss('dpo' as TokenLossMethod, { logits: z, targets: t, mask: m })).toThrow(InputError);
    tf.dispose([z, t, m]);
  });
});
