import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { decodeAttentionApplies, decodeScores, decodeValues } from './wasm-attention';
import { floatBits as bits, testValues as values } from './test-helpers';

describe('decode attention kernels (wasm SIMD) give the stock batched matMul bit for bit', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  // rows R = A·K, head size hd, block widths (the last is the new key's block of 1)
  const cases: [number, number, number[]][] = [
    [6, 32, [23, 1]],
    [96, 32, [64, 32, 16, 8, 2, 1]],
    [5, 16, [97, 48, 49, 1]],
    [7, 32, [3, 2, 1]],
    [3, 48, [7, 5, 3, 1]],
    [2, 16, [150, 1]],
  ];

  it.each(cases)('R=%i hd=%i blocks %j: scores K·q and Σ p·V as the per-block matMuls of decode-step', (rows, hd, widths) => {
    const before = tf.memory().numTensors;
    expect(decodeAttentionApplies(rows, hd, widths)).toBe(true);
    const tk = widths.reduce((a, b) => a + b, 0);
    const q = tf.tensor2d(values(rows * hd, 1), [rows, hd]);
    const ks = widths.map((w, i) => tf.tensor4d(values(rows * w * hd, 10 + i), [rows, 1, w, hd]));
    const vs = widths.map((w, i) => tf.tensor4d(values(rows * w * hd, 20 + i), [rows, 1, w, hd]));
    const p = tf.tensor2d(values(rows * tk, 3).map(Math.abs), [rows, tk]);
    // the stock composition decode-step used before: one loop-kernel matMul per block, concat, slice, add
    const want = tf.tidy(() => {
      const qT = tf.reshape(q, [rows, hd, 1]);
      const scores = tf.reshape(tf.concat(ks.map((k) => tf.matMul(tf.reshape(k, [rows, k.shape[2], hd]), qT)), 1), [rows, tk]);
      let o: tf.Tensor | null = null;
      let start = 0;
      for (const v of vs) {
        const w = v.shape[2];
        const part = tf.matMul(tf.slice(tf.reshape(p, [rows, 1, tk]), [0, 0, start], [rows, 1, w]), tf.reshape(v, [rows, w, hd]));
        o = o ? tf.add(o, part) : part;
        start += w;
      }
      return { scores, values: tf.reshape(o as tf.Tensor, [rows, hd]) };
    });
    const gotScores = decodeScores(q, ks);
    const gotValues = decodeValues(p, vs);
    expect(gotScores.shape).toEqual([rows, tk]);
    expect(gotValues.shape).toEqual([rows, hd]);
    expect(bits(gotScores)).toEqual(bits(want.scores));
    expect(bits(gotValues)).toEqual(bits(want.values));
    // and the values are right, not just equal: one score by hand
    const qv = q.dataSync();
    const k0 = ks[0]!.dataSync();
    let dot = 0;
    for (let d = 0; d < hd; d++) dot = Math.fround(dot + Math.fround(k0[d]! * qv[d]!));
    expect(gotScores.dataSync()[0]).toBe(dot);
    tf.dispose([q, p, ...ks, ...vs, want.scores, want.values, gotScores, gotValues]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is refused where the stock path does not use the loop kernel, or the layout does not fit', () => {
    expect(decodeAttentionApplies(1, 32, [10, 1])).toBe(false); // one row: XNNPACK
    expect(decodeAttentionApplies(8, 64, [10, 1])).toBe(false); // hd > 48
    expect(decodeAttentionApplies(8, 40, [10, 1])).toBe(false); // hd not a multiple of 16
    expect(decodeAttentionApplies(8, 32, [1024, 1])).toBe(false); // wide block: the fast bmm
  });
});
