import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockCache } from './block-cache';
import { parseModelConfig, type ModelConfigInput } from './config';
import { decodeStep } from './decode-step';
import { decodeAttentionApplies } from './wasm-attention';
import { useTestBackend } from './test-helpers';
import { createModel, type Transformer } from './transformer';

const tiny = { vocabSize: 14, dim: 16, layers: 2, heads: 4, kvHeads: 2, mlpDim: 24, contextLength: 48 };
const PAD = 0;

/** A random model with peaked attention (q/k weights × 8, others × 3) and random q/k/v biases if it has them. */
function scaledModel(over: Partial<ModelConfigInput>, seed: number): Transformer {
  const m = createModel(parseModelConfig({ ...tiny, ...over }), { seed });
  for (const [name, v] of Object.entries(m.params)) {
    if (/\.attn\.b[qkv]$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed)));
    else if (!name.endsWith('norm')) tf.tidy(() => v.assign(tf.mul(v, /attn\.w[qk]$/.test(name) ? 8 : 3)));
  }
  return m;
}

/** Logits [V] of the last token of `seq`, by a full forward pass over the sequence alone. */
function fullLast(m: Transformer, seq: number[]): number[] {
  return tf.tidy(() => Array.from(m.forward(tf.tensor2d([seq], undefined, 'int32'), { lastOnly: true }).dataSync()));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const models: Record<string, Transformer> = {};
beforeAll(async () => {
  await useTestBackend();
  models['MHA'] = scaledModel({ kvHeads: 4 }, 1);
  models['GQA'] = scaledModel({}, 2);
  models['GQA, q/k/v biases, untied lm_head'] = scaledModel({ qkvBias: true, tieEmbeddings: false }, 3);
  models['MHA, head size 16 (wasm SIMD decode attention)'] = scaledModel({ dim: 32, heads: 2, kvHeads: 2 }, 4);
});
afterAll(() => Object.values(models).forEach((m) => m.dispose()));

describe('prefill + decode session', () => {
  for (const name of ['MHA', 'GQA', 'GQA, q/k/v biases, untied lm_head', 'MHA, head size 16 (wasm SIMD decode attention)']) {
    it(`gives the full forward's logits at every step, through forking and compaction (${name})`, () => {
      const m = models[name]!;
      const v = tiny.vocabSize;
      const hd = m.config.dim / m.config.heads;
      // where the wasm backend runs, the head-size-16 model takes the SIMD kernels (down to 2 rows · 2 heads)
      if (tf.getBackend() === 'wasm') expect(decodeAttentionApplies(2 * m.config.kvHeads, hd, [7, 1])).toBe(hd === 16);
      const prompts = [[1, 5, 7, 9, 4, 6, 8], [1, 3], [1, 11, 12, 2, 5]]; // left-padded to 7
      const seqs = prompts.map((p) => [...p]);
      const before = tf.memory().numTensors;
      const { session, logits } = m.prefill(prompts, { padId: PAD, forwardTokens: 14 }); // two rows per forward: chunked
      prompts.forEach((p, r) => expect(maxDiff(logits.subarray(r * v, (r + 1) * v), fullLast(m, p))).toBeLessThan(1e-4));
      let live = [0, 1, 2]; // the sequence (index into seqs) of each cache row
      let compared = 0;
      for (let step = 0; step < 12; step++) {
        if (step === 3) {
          session.selectRows([0, 1, 2, 1]); // fork row 1 into a second sample
          seqs.push([...seqs[1]!]);
          live = [0, 1, 2, 3];
        }
        if (step === 7) {
          session.selectRows([3, 0]); // compact: drop rows 1 and 2, reorder
          live = [3, 0];
        }
        const tokens = Int32Array.from(live, (s, i) => 2 + ((s * 5 + step * 3 + i) % (v - 2)));
        const positions = Int32Array.from(live, (s) => seqs[s]!.length);
        live.forEach((s, i) => seqs[s]!.push(tokens[i]!));
        const out = session.step(tokens, positions); // [A·V]
        expect(out.length).toBe(live.length * v);
        live.forEach((s, i) => {
          expect(maxDiff(out.subarray(i * v, (i + 1) * v), fullLast(m, seqs[s]!))).toBeLessThan(1e-4);
          compared++;
        });
      }
      expect(compared).toBe(3 * 3 + 4 * 4 + 5 * 2);
      expect(session.batchSize).toBe(2);
      expect(session.length).toBe(7 + 12);
      session.dispose();
      expect(tf.memory().numTensors).toBe(before); // the session freed its cache and its transposed head, not the model's lm_head
      expect(m.params['embed']!.isDisposed).toBe(false);
      if (m.params['lm_head']) expect(m.params['lm_head'].isDisposed).toBe(false);
    });
  }

  it('refuses a wrong batch, empty prompts and out-of-range rows', () => {
    const m = models['GQA']!;
    expect(() => m.prefill([], { padId: PAD })).toThrow(/at least one prompt/);
    expect(() => m.prefill([[1, 2], []], { padId: PAD })).toThrow(/no empty prompt/);
    const { session } = m.prefill([[1, 2, 3], [1, 4]], { padId: PAD });
    try {
      expect(() => session.step(Int32Array.of(5), Int32Array.of(3))).toThrow(/1 tokens and 1 positions for a cache of 2 rows/);
      expect(() => session.selectRows([0, 2])).toThrow(/row 2 out of range/);
      expect(session.step(Int32Array.of(5, 6), Int32Array.of(3, 2)).length).toBe(2 * tiny.vocabSize); // still usable
    } finally {
      session.dispose();
    }
  });
});

describe('decode step', () => {
  it('holds no tensors across steps beyond the cache blocks it keeps', () => {
    const m = models['GQA, q/k/v biases, untied lm_head']!;
    const w = m.weights();
    const kv = m.createCache();
    m.forward(tf.tensor2d([[1, 5, 7], [1, 3, 4]], undefined, 'int32'), { cache: kv }).dispose();
    const cache = BlockCache.fromKVCaches([kv]);
    const base = tf.memory().numTensors - (2 * tiny.layers * cache.widths.length + 1); // everything but the cache's blocks and mask
    for (let step = 0; step < 20; step++) {
      decodeStep(w, m.config, cache, Int32Array.of(2 + (step % 9), 3), Int32Array.of(3 + step, 3 + step), w.lmHead!);
      // Blocks merge like a binary counter: a layer holds O(log T) of them.
      expect(cache.widths.length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(step + 2)));
      expect(tf.memory().numTensors).toBe(base + 2 * tiny.layers * cache.widths.length + 1);
    }
    expect(cache.length).toBe(23);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });
});
