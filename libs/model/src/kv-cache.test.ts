import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from './test-helpers';
import { createModel, type Transformer } from './transformer';

const base = { vocabSize: 12, dim: 16, layers: 2, heads: 4, kvHeads: 4, mlpDim: 24, contextLength: 32 };
const i2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, undefined, 'int32');

/** logits[b, t, :] of a [B, T, V] tensor's values. */
function row(vals: Float32Array | number[], shape: number[], b: number, t: number): number[] {
  const [, tt, v] = shape as [number, number, number];
  return Array.from(vals.slice((b * tt + t) * v, (b * tt + t + 1) * v));
}

function expectClose(a: number[], b: number[], tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
  expect(worst).toBeLessThan(tol);
}

let mha: Transformer;
let gqa: Transformer;

beforeAll(async () => {
  await useTestBackend();
  mha = createModel(base, { seed: 11 });
  gqa = createModel({ ...base, kvHeads: 2 }, { seed: 12 });
});
afterAll(() => {
  mha.dispose();
  gqa.dispose();
});

describe('KV cache', () => {
  for (const [name, get] of [['MHA', () => mha], ['GQA', () => gqa]] as const) {
    it(`${name}: prefill + one-token steps give the full forward's logits`, () => {
      const m = get();
      const seq = [1, 5, 7, 9, 4, 6, 8];
      const full = m.forward(i2([seq]));
      const fv = full.dataSync() as Float32Array;
      const cache = m.createCache();
      const pre = m.forward(i2([seq.slice(0, 3)]), { cache });
      for (let t = 0; t < 3; t++) expectClose(row(pre.dataSync() as Float32Array, pre.shape, 0, t), row(fv, full.shape, 0, t));
      for (let t = 3; t < seq.length; t++) {
        const step = m.forward(i2([[seq[t]!]]), { cache });
        expect(step.shape).toEqual([1, 1, base.vocabSize]);
        expectClose(Array.from(step.dataSync()), row(fv, full.shape, 0, t));
        step.dispose();
      }
      expect(cache.length).toBe(seq.length);
      cache.dispose();
    });
  }

  it('left-padded batch: positions + keyMask give each row its unpadded logits, cached or not', () => {
    const m = mha;
    const short = [1, 5, 7, 9]; // padded on the left by 2
    const long = [1, 4, 6, 8, 10, 3];
    const tokens = i2([[0, 0, ...short], long]);
    const positions = i2([[0, 0, 0, 1, 2, 3], [0, 1, 2, 3, 4, 5]]);
    const keyMask = tf.tensor2d([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]);
    const batched = m.forward(tokens, { positions, keyMask });
    const bv = batched.dataSync() as Float32Array;

    const alone = m.forward(i2([short]));
    const av = alone.dataSync() as Float32Array;
    for (let t = 0; t < short.length; t++) expectClose(row(bv, batched.shape, 0, t + 2), row(av, alone.shape, 0, t));
    const longAlone = m.forward(i2([long]));
    for (let t = 0; t < long.length; t++) {
      expectClose(row(bv, batched.shape, 1, t), row(longAlone.dataSync() as Float32Array, longAlone.shape, 0, t));
    }

    // Same batch through the cache: prefill 3 columns, then one column per step with default positions.
    const cache = m.createCache();
    const pre = m.forward(i2([[0, 0, short[0]!], long.slice(0, 3)]), {
      cache,
      positions: i2([[0, 0, 0], [0, 1, 2]]),
      keyMask: tf.tensor2d([[0, 0, 1], [1, 1, 1]]),
    });
    expectClose(row(pre.dataSync() as Float32Array, pre.shape, 0, 2), row(bv, batched.shape, 0, 2));
    expectClose(row(pre.dataSync() as Float32Array, pre.shape, 1, 2), row(bv, batched.shape, 1, 2));
    for (let t = 3; t < 6; t++) {
      const step = m.forward(i2([[short[t - 2]!], [long[t]!]]), { cache });
      const sv = step.dataSync() as Float32Array;
      expectClose(row(sv, step.shape, 0, 0), row(bv, batched.shape, 0, t));
      expectClose(row(sv, step.shape, 1, 0), row(bv, batched.shape, 1, t));
    }
    expect(Array.from(cache.positions!.dataSync())).toEqual([0, 0, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5]);
    expect(Array.from(cache.keyMask!.dataSync())).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    cache.dispose();
  });

  it('selectRows compacts (or repeats) rows and decoding continues per row', () => {
    const m = mha;
    const a = [1, 5, 7, 9, 4];
    const b = [1, 4, 6, 8, 10];
    const cache = m.createCache();
    m.forward(i2([a.slice(0, 3), b.slice(0, 3)]), { cache }).dispose();
    cache.selectRows([1, 1, 0]); // drop nothing, fork row 1 into two
    expect(cache.batchSize).toBe(3);
    const step = m.forward(i2([[b[3]!], [b[3]!], [a[3]!]]), { cache });
    const fullB = m.forward(i2([b]));
    const fullA = m.forward(i2([a]));
    const sv = step.dataSync() as Float32Array;
    expectClose(row(sv, step.shape, 0, 0), row(fullB.dataSync() as Float32Array, fullB.shape, 0, 3));
    expectClose(row(sv, step.shape, 1, 0), row(fullB.dataSync() as Float32Array, fullB.shape, 0, 3));
    expectClose(row(sv, step.shape, 2, 0), row(fullA.dataSync() as Float32Array, fullA.shape, 0, 3));
    expect(() => cache.selectRows([3])).toThrow(/out of range/);
    expect(() => m.forward(i2([[1], [1]]), { cache })).toThrow(/batch 2 does not match the KV cache batch 3/);
    cache.dispose();
  });
});
