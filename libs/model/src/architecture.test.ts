import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { architectureOf, paramShapes } from './architecture';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { parseModelConfig, type ModelConfig } from './config';
import { useTestBackend } from './test-helpers';
import { CharTokenizer } from './tokenizer';
import { createModel, type Transformer } from './transformer';

const tiny = { vocabSize: 12, dim: 16, layers: 2, heads: 4, kvHeads: 2, mlpDim: 24, contextLength: 32 };

beforeAll(async () => {
  await useTestBackend();
});

/**
 * The model written out naively in float64 from its definition (Qwen2: q/k/v biases before RoPE,
 * rotate-half RoPE, GQA with query head h on kv head ⌊h/G⌋, SwiGLU, RMSNorm, tied or `lm_head`
 * output), independent of block.ts: tokens [T] → logits [T][V].
 */
function referenceLogits(c: ModelConfig, m: Transformer, tokens: number[]): number[][] {
  const P = (n: string): Float32Array => m.params[n]!.dataSync() as Float32Array;
  const { dim: D, heads: H, kvHeads: K, mlpDim: M, vocabSize: V } = c;
  const hd = D / H;
  const G = H / K;
  const matvec = (x: number[], w: Float32Array, out: number): number[] =>
    Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * w[i * out + o]!, 0));
  const addBias = (x: number[], name: string): number[] => (c.qkvBias ? x.map((v, i) => v + P(name)[i]!) : x);
  const rmsNorm = (x: number[], g: Float32Array): number[] => {
    const r = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + c.normEps);
    return x.map((v, i) => v * r * g[i]!);
  };
  const rope = (x: number[], heads: number, pos: number): number[] => {
    const out = x.slice();
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = pos * Math.pow(c.ropeTheta, (-2 * i) / hd);
        const [x1, x2] = [x[h * hd + i]!, x[h * hd + i + hd / 2]!];
        out[h * hd + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[h * hd + i + hd / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
    return out;
  };
  const embed = P('embed');
  let xs = tokens.map((t) => Array.from(embed.slice(t * D, (t + 1) * D)));
  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}`;
    const hs = xs.map((x) => rmsNorm(x, P(`${p}.attn_norm`)));
    const qs = hs.map((h, t) => rope(addBias(matvec(h, P(`${p}.attn.wq`), H * hd), `${p}.attn.bq`), H, t));
    const ks = hs.map((h, t) => rope(addBias(matvec(h, P(`${p}.attn.wk`), K * hd), `${p}.attn.bk`), K, t));
    const vs = hs.map((h) => addBias(matvec(h, P(`${p}.attn.wv`), K * hd), `${p}.attn.bv`));
    xs = xs.map((x, t) => {
      const heads: number[] = [];
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / G);
        const dot = (a: number[], b: number[]): number => Array.from({ length: hd }, (_, d) => a[h * hd + d]! * b[kv * hd + d]!).reduce((s, v) => s + v, 0);
        const scores = ks.slice(0, t + 1).map((k) => dot(qs[t]!, k) / Math.sqrt(hd));
        const mx = Math.max(...scores);
        const w = scores.map((s) => Math.exp(s - mx));
        const z = w.reduce((s, v) => s + v, 0);
        for (let d = 0; d < hd; d++) heads.push(w.reduce((s, wj, j) => s + (wj / z) * vs[j]![kv * hd + d]!, 0));
      }
      const a = matvec(heads, P(`${p}.attn.wo`), D).map((v, i) => v + x[i]!);
      const hn = rmsNorm(a, P(`${p}.mlp_norm`));
      const g = matvec(hn, P(`${p}.mlp.gate`), M);
      const u = matvec(hn, P(`${p}.mlp.up`), M);
      const down = matvec(g.map((gi, i) => (gi / (1 + Math.exp(-gi))) * u[i]!), P(`${p}.mlp.down`), D);
      return a.map((v, i) => v + down[i]!);
    });
  }
  const head = c.tieEmbeddings === false ? P('lm_head') : null;
  return xs.map((x) => {
    const h = rmsNorm(x, P('final_norm'));
    return head ? matvec(h, head, V) : Array.from({ length: V }, (_, v) => h.reduce((s, hi, i) => s + hi * embed[v * D + i]!, 0));
  });
}

/**
 * A model whose biases (zero at init) get random values and whose weights are scaled up (q/k by 8,
 * the rest by 3), so attention is peaked and a wrong bias, position or head shows in the logits.
 */
function biasedModel(c: ModelConfig, seed: number): Transformer {
  const m = createModel(c, { seed });
  for (const [name, v] of Object.entries(m.params)) {
    if (/\.attn\.b[qkv]$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed)));
    else if (!name.endsWith('norm')) tf.tidy(() => v.assign(tf.mul(v, /attn\.w[qk]$/.test(name) ? 8 : 3)));
  }
  return m;
}

describe('architecture flags', () => {
  it('default to today’s model: no biases, tied embeddings, the same parameters', () => {
    const c = parseModelConfig(tiny);
    expect(c).not.toHaveProperty('qkvBias'); // configs and their fingerprints unchanged
    expect(architectureOf(c)).toEqual({ qkvBias: false, tiedEmbeddings: true });
    const names = paramShapes(c).map(([n]) => n);
    expect(names.filter((n) => /\.b[qkv]$|lm_head/.test(n))).toEqual([]);
    expect(names.length).toBe(1 + 2 * 9 + 1);
  });

  it('qkvBias adds q/k/v biases per layer (zeros at init); tieEmbeddings false adds lm_head [D, V]', () => {
    const c = parseModelConfig({ ...tiny, qkvBias: true, tieEmbeddings: false });
    const shapes = new Map(paramShapes(c));
    expect(shapes.get('layers.1.attn.bq')).toEqual([16]);
    expect(shapes.get('layers.1.attn.bk')).toEqual([8]); // kvHeads 2 × head dim 4
    expect(shapes.get('layers.1.attn.bv')).toEqual([8]);
    expect(shapes.get('lm_head')).toEqual([16, 12]);
    expect(shapes.size).toBe(1 + 2 * 12 + 2);
    const m = createModel(c, { seed: 1 });
    expect(Array.from(m.params['layers.0.attn.bk']!.dataSync())).toEqual(new Array(8).fill(0));
    expect(m.paramCount()).toBe(createModel(tiny, { seed: 1 }).paramCount() + 2 * (16 + 8 + 8) + 16 * 12);
    m.dispose();
    expect(() => parseModelConfig({ ...tiny, qkvBias: 'yes' })).toThrow(/qkvBias/);
  });

  for (const [name, flags] of [
    ['sieve (no biases, tied)', {}],
    ['Qwen2-style (q/k/v biases, untied lm_head)', { qkvBias: true, tieEmbeddings: false }],
  ] as const) {
    it(`forward equals a naive float64 implementation: ${name}`, () => {
      const c = parseModelConfig({ ...tiny, ...flags });
      const m = biasedModel(c, 3);
      const tokens = [1, 5, 7, 9, 4, 6];
      const got = tf.tidy(() => m.forward(tf.tensor2d([tokens], undefined, 'int32')).arraySync()[0]!);
      const want = referenceLogits(c, m, tokens);
      let worst = 0;
      want.forEach((row, t) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[t]![i]!)))));
      expect(Math.max(...want.flat().map(Math.abs))).toBeGreaterThan(0.5); // logits spread out: the comparison means something
      expect(worst).toBeLessThan(1e-4);
      m.dispose();
    });
  }

  it('the biases and lm_head are used: changing them changes the logits', () => {
    const c = parseModelConfig({ ...tiny, qkvBias: true, tieEmbeddings: false });
    const m = biasedModel(c, 4);
    const tokens = tf.tensor2d([[1, 5, 7, 9]], undefined, 'int32');
    const base = m.forward(tokens).dataSync();
    for (const name of ['layers.0.attn.bq', 'layers.0.attn.bk', 'layers.1.attn.bv']) {
      const v = m.params[name]!;
      const old = tf.clone(v);
      tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 1, 'float32', 9))));
      const moved = m.forward(tokens).dataSync();
      expect(Math.max(...Array.from(moved, (x, i) => Math.abs(x - base[i]!)))).toBeGreaterThan(1e-2);
      v.assign(old);
      old.dispose();
    }
    // Logits are linear in lm_head: doubling it doubles them.
    const head = m.params['lm_head']!;
    tf.tidy(() => head.assign(tf.mul(head, 2)));
    const doubled = m.forward(tokens).dataSync();
    doubled.forEach((x, i) => expect(x).toBeCloseTo(2 * base[i]!, 5));
    m.dispose();
  });

  it('checkpoints keep the flags and the extra parameters; default configs gain no keys', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-arch-'));
    try {
      const tokenizer = CharTokenizer.fromCorpus(['abcdefgh']);
      const base = { ...tiny, vocabSize: tokenizer.vocabSize };
      const plain = createModel(base, { seed: 1 });
      await saveCheckpoint(path.join(root, 'plain'), { config: plain.config, tokenizer, params: plain.params });
      expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'plain', 'config.json'), 'utf8')) as object)).not.toContain('tieEmbeddings');
      plain.dispose();

      const c = parseModelConfig({ ...base, qkvBias: true, tieEmbeddings: false });
      const m = biasedModel(c, 5);
      await saveCheckpoint(path.join(root, 'qwen'), { config: c, tokenizer, params: m.params });
      const loaded = await loadCheckpoint(path.join(root, 'qwen'));
      expect(loaded.config).toEqual(c);
      const tokens = tf.tensor2d([[1, 4, 6]], undefined, 'int32');
      expect(Array.from(loaded.model.forward(tokens).dataSync())).toEqual(Array.from(m.forward(tokens).dataSync()));
      m.dispose();
      loaded.model.dispose();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
