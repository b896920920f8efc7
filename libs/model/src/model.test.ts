import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchForwardBackward, forwardBackwardStep } from './bench';
import { paramShapes } from './architecture';
import { flopsPerToken, parseModelConfig } from './config';
import { applyRope, ropeTablePair, ropeTables } from './rope';
import { useTestBackend } from './test-helpers';
import { createModel, modelFromValues } from './transformer';

const tiny = { vocabSize: 12, dim: 16, layers: 2, heads: 4, kvHeads: 4, mlpDim: 24, contextLength: 32 };
const ids = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, undefined, 'int32');

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

beforeAll(async () => {
  await useTestBackend();
});

describe('config', () => {
  it('rejects shapes that cannot work, naming the field', () => {
    expect(() => parseModelConfig({ ...tiny, heads: 3 })).toThrow(/heads/);
    expect(() => parseModelConfig({ ...tiny, kvHeads: 3 })).toThrow(/kvHeads/);
    expect(() => parseModelConfig({ ...tiny, dim: 12, heads: 4 })).toThrow(/even/); // head dim 3
    expect(() => parseModelConfig({ ...tiny, layers: 1.5 })).toThrow(/layers/);
    expect(parseModelConfig(tiny).ropeTheta).toBe(10000);
  });

  it('counts training FLOPs per token as 6 × params + 12 × layers × seq × dim', () => {
    const c = parseModelConfig(tiny);
    expect(flopsPerToken(c, 10)).toBe(6 * 4624 + 12 * 2 * 10 * 16);
  });
});

describe('transformer', () => {
  it('produces [B, T, V] logits ([B, 1, V] with lastOnly) and counts its parameters', () => {
    const m = createModel(tiny, { seed: 1 });
    const tokens = ids([[1, 4, 5, 6, 7], [1, 8, 9, 10, 11]]);
    const logits = m.forward(tokens);
    expect(logits.shape).toEqual([2, 5, 12]);
    const last = m.forward(tokens, { lastOnly: true });
    expect(last.shape).toEqual([2, 1, 12]);
    const all = values(logits);
    const lastVals = values(last);
    for (let b = 0; b < 2; b++) {
      for (let v = 0; v < 12; v++) expect(lastVals[b * 12 + v]).toBeCloseTo(all[(b * 5 + 4) * 12 + v]!, 5);
    }
    // embed 12·16 + 2 × (norms 2·16 + q,k,v,o 4·16·16 + gate,up,down 3·16·24) + final norm 16
    expect(m.paramCount()).toBe(192 + 2 * (32 + 1024 + 1152) + 16);
    expect(Object.keys(m.params)).toContain('layers.1.attn.wq');
    expect(Object.keys(m.params)).toContain('final_norm');
    m.dispose();
  });

  it('refuses more positions than the context length', () => {
    const m = createModel({ ...tiny, contextLength: 4 }, { seed: 1 });
    expect(() => m.forward(ids([[1, 2, 3, 4, 5]]))).toThrow(/exceed the context length 4/);
    m.dispose();
  });

  it('initialises deterministically from the seed', () => {
    const a = createModel(tiny, { seed: 5 });
    const b = createModel(tiny, { seed: 5 });
    const c = createModel(tiny, { seed: 6 });
    expect(values(a.params['layers.0.mlp.up']!)).toEqual(values(b.params['layers.0.mlp.up']!));
    expect(values(a.params['layers.0.mlp.up']!)).not.toEqual(values(c.params['layers.0.mlp.up']!));
    const embed = values(a.params['embed']!);
    const std = Math.sqrt(embed.reduce((s, v) => s + v * v, 0) / embed.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('is causal: changing a later token never changes an earlier position', () => {
    const m = createModel(tiny, { seed: 2 });
    const a = values(m.forward(ids([[1, 4, 5, 6, 7, 8]])));
    const b = values(m.forward(ids([[1, 4, 5, 11, 7, 8]]))); // position 3 differs
    const v = tiny.vocabSize;
    for (let i = 0; i < 3 * v; i++) expect(b[i]).toBe(a[i]);
    const diffAt3 = Math.max(...a.slice(3 * v, 4 * v).map((x, i) => Math.abs(x - b[3 * v + i]!)));
    expect(diffAt3).toBeGreaterThan(1e-6);
    m.dispose();
  });

  it('grouped-query attention: only wk/wv shapes change, and it equals MHA with each kv head repeated', () => {
    const gqaCfg = parseModelConfig({ ...tiny, kvHeads: 2 });
    const mhaCfg = parseModelConfig(tiny);
    const gShapes = new Map(paramShapes(gqaCfg));
    const differing = paramShapes(mhaCfg)
      .filter(([n, s]) => JSON.stringify(gShapes.get(n)) !== JSON.stringify(s))
      .map(([n]) => n);
    expect(differing).toEqual(['layers.0.attn.wk', 'layers.0.attn.wv', 'layers.1.attn.wk', 'layers.1.attn.wv']);
    expect(gShapes.get('layers.0.attn.wk')).toEqual([16, 8]);

    const gqa = createModel(gqaCfg, { seed: 3 });
    // MHA copy: query head h reads kv head floor(h / 2), so repeat each 4-column kv head twice.
    const vals = new Map<string, Float32Array>();
    for (const [name, v] of Object.entries(gqa.params)) {
      const data = v.dataSync() as Float32Array;
      if (/attn\.w[kv]$/.test(name)) {
        const out = new Float32Array(16 * 16);
        for (let r = 0; r < 16; r++) {
          for (let h = 0; h < 4; h++) {
            for (let d = 0; d < 4; d++) out[r * 16 + h * 4 + d] = data[r * 8 + Math.floor(h / 2) * 4 + d]!;
          }
        }
        vals.set(name, out);
      } else {
        vals.set(name, Float32Array.from(data));
      }
    }
    const mha = modelFromValues(mhaCfg, vals);
    const tokens = ids([[1, 4, 5, 6], [1, 9, 9, 2]]);
    const a = values(gqa.forward(tokens));
    const b = values(mha.forward(tokens));
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));
    gqa.dispose();
    mha.dispose();
  });

  it('rotary embedding rotates each half-pair by position · theta^(-2i/hd)', () => {
    // hd = 2: a 2-D vector at position p is rotated by p radians (θ_0 = 1).
    const t2 = ropeTables(tf.tensor1d([3], 'int32'), 2, 10000);
    const r2 = values(applyRope(tf.tensor3d([[[1, 0]]]), t2));
    expect(r2[0]).toBeCloseTo(Math.cos(3), 5);
    expect(r2[1]).toBeCloseTo(Math.sin(3), 5);
    // hd = 4, theta = 100: frequencies 1 and 0.1; x = [x1 | x2] = [1, 2 | 3, 4] at position 2.
    const t4 = ropeTables(tf.tensor1d([2], 'int32'), 4, 100);
    const r4 = values(applyRope(tf.tensor3d([[[1, 2, 3, 4]]]), t4));
    const [a0, a1] = [2 * 1, 2 * 0.1];
    const want = [
      1 * Math.cos(a0) - 3 * Math.sin(a0),
      2 * Math.cos(a1) - 4 * Math.sin(a1),
      3 * Math.cos(a0) + 1 * Math.sin(a0),
      4 * Math.cos(a1) + 2 * Math.sin(a1),
    ];
    r4.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    // Position 0 is the identity; the q scale multiplies everything.
    const r0 = values(applyRope(tf.tensor3d([[[1, 2, 3, 4]]]), ropeTables(tf.tensor1d([0], 'int32'), 4, 100, 0.5)));
    r0.forEach((x, i) => expect(x).toBeCloseTo([0.5, 1, 1.5, 2][i]!, 6));
    // The pair the decoder uses is ropeTables for q (scaled) and k (unscaled), bit for bit.
    const pos = tf.tensor1d([0, 5, 17, 191], 'int32');
    const pair = ropeTablePair(pos, 32, 10000, 1 / Math.sqrt(32));
    const [tq, tk] = [ropeTables(pos, 32, 10000, 1 / Math.sqrt(32)), ropeTables(pos, 32, 10000)];
    for (const [got, want] of [[pair.q, tq], [pair.k, tk]] as const) {
      expect(values(got.cos)).toEqual(values(want.cos));
      expect(values(got.sin)).toEqual(values(want.sin));
    }
    expect(values(pair.q.sin)).not.toEqual(values(pair.k.sin));
  });

  it('leaks no tensors across forward+backward steps or cached decoding', () => {
    const m = createModel(tiny, { seed: 4 });
    const tokens = ids([[1, 4, 5, 6], [1, 7, 8, 9]]);
    const targets = ids([[4, 5, 6, 2], [7, 8, 9, 2]]);
    const step = ids([[3], [3]]);
    forwardBackwardStep(m, tokens, targets); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) expect(Number.isFinite(forwardBackwardStep(m, tokens, targets))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const cache = m.createCache();
    m.forward(tokens, { cache }).dispose();
    for (let i = 0; i < 3; i++) m.forward(step, { cache }).dispose();
    expect(cache.length).toBe(7);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('benchForwardBackward reports consistent throughput figures', () => {
    const r = benchForwardBackward(tiny, { batch: 2, seq: 8, steps: 2, fastGrads: true });
    expect(r.msPerStep).toBeGreaterThan(0);
    expect(r.tokensPerSecond).toBeCloseTo((16 * 1000) / r.msPerStep, 6);
    expect(r.gflops).toBeCloseTo((r.tokensPerSecond * flopsPerToken(parseModelConfig(tiny), 8)) / 1e9, 6);
  });
});
