import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QWEN_TOKENIZER_DIR, useTestBackend } from '../test-helpers';
import { makeTiny } from './make-tiny';
import { exportHfModel, loadHfModel } from './model';
import { SafetensorsFile } from './safetensors';
import { HfTokenizer } from './tokenizer';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint';
import type { ForwardOptions, Transformer } from '../transformer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-hf-'));
const tiny = { vocabFrom: QWEN_TOKENIZER_DIR, layers: 2, dim: 32, heads: 4, kvHeads: 2, mlpDim: 48, seed: 3 };
const dirs = {
  qwenF32: path.join(tmp, 'qwen-f32'),
  qwenBf16Sharded: path.join(tmp, 'qwen-bf16'),
  llamaF32: path.join(tmp, 'llama-f32'),
};

beforeAll(async () => {
  await useTestBackend();
  makeTiny(dirs.qwenF32, { ...tiny, arch: 'qwen2' });
  makeTiny(dirs.qwenBf16Sharded, { ...tiny, arch: 'qwen2', tie: false, dtype: 'BF16', shards: 3 });
  makeTiny(dirs.llamaF32, { ...tiny, arch: 'llama', dtype: 'F32' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every tensor's raw bytes in a checkpoint folder, by name (reads the files directly). */
function rawTensors(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.safetensors'))) {
    const st = SafetensorsFile.open(path.join(dir, f));
    const bytes = fs.readFileSync(path.join(dir, f));
    for (const e of st.entries.values()) out.set(e.name, `${e.dtype}:${e.shape}:${bytes.subarray(e.begin, e.end).toString('base64')}`);
    st.close();
  }
  return out;
}

/** forward on token rows, disposing the input tensor. */
function run(model: Transformer, rows: number[][], opts: ForwardOptions = {}): tf.Tensor3D {
  const x = tf.tensor2d(rows, undefined, 'int32');
  try {
    return model.forward(x, opts);
  } finally {
    x.dispose();
  }
}

describe('HF checkpoints', () => {
  it('make-tiny writes HF names and layouts; sharded checkpoints have an index', () => {
    const t = rawTensors(dirs.qwenF32);
    expect(t.get('model.layers.1.self_attn.k_proj.weight')?.startsWith('F32:16,32:')).toBe(true); // [kvHeads·hd, dim] = [out, in]
    expect(t.get('model.layers.0.self_attn.q_proj.bias')?.startsWith('F32:32:')).toBe(true);
    expect(t.has('lm_head.weight')).toBe(false); // tied
    expect(rawTensors(dirs.llamaF32).has('model.layers.0.self_attn.q_proj.bias')).toBe(false);
    const index = JSON.parse(fs.readFileSync(path.join(dirs.qwenBf16Sharded, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    expect(new Set(Object.values(index.weight_map)).size).toBe(3);
    expect(index.weight_map['lm_head.weight']).toBe('model-00003-of-00003.safetensors');
  });

  for (const [label, dir, dtype] of [
    ['F32 single file', dirs.qwenF32, 'F32'],
    ['BF16 sharded', dirs.qwenBf16Sharded, 'BF16'],
    ['LLaMA F32', dirs.llamaF32, 'F32'],
  ] as const) {
    it(`HF → sieve → HF is bit-identical (${label}), config.json keys preserved`, () => {
      const m = loadHfModel(dir);
      expect(m.dtype).toBe(dtype);
      const out = path.join(tmp, `rt-${path.basename(dir)}`);
      exportHfModel(m, out, { dtype });
      m.model.dispose();
      expect(rawTensors(out)).toEqual(rawTensors(dir));
      expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
      expect(fs.readdirSync(tmp).filter((n) => n.includes('.tmp-'))).toEqual([]);
    });
  }

  for (const [arch, dir] of [
    ['qwen2 (biases, tied)', dirs.qwenF32],
    ['qwen2 (untied, BF16)', dirs.qwenBf16Sharded],
    ['llama', dirs.llamaF32],
  ] as const) {
    it(`${arch}: KV-cached decoding equals the full forward`, () => {
      const { model } = loadHfModel(dir);
      const warm = model.createCache();
      run(model, [[1, 2]], { cache: warm }).dispose(); // warm-up: first calls create backend constants
      run(model, [[3]], { cache: warm }).dispose();
      warm.dispose();
      const before = tf.memory().numTensors;
      const seq = [785, 4226, 374, 220, 19, 23, 9, 17, 28];
      const full = run(model, [seq]);
      const fv = full.dataSync() as Float32Array;
      const v = full.shape[2];
      const cache = model.createCache();
      const pre = run(model, [seq.slice(0, 4)], { cache });
      let worst = 0;
      pre.dataSync().forEach((x, i) => (worst = Math.max(worst, Math.abs(x - (fv[i] ?? 0)))));
      pre.dispose();
      for (let t = 4; t < seq.length; t++) {
        const step = run(model, [[seq[t]!]], { cache });
        const sv = step.dataSync();
        for (let j = 0; j < v; j++) worst = Math.max(worst, Math.abs((sv[j] ?? 0) - (fv[t * v + j] ?? 0)));
        step.dispose();
      }
      cache.dispose();
      full.dispose();
      expect(worst).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});

describe('an HF model in a sieve checkpoint (what a trained model is saved as)', () => {
  it('saves and reloads with its HF tokenizer, padded vocabulary and original config.json in meta; logits identical', async () => {
    const dir = path.join(tmp, 'padded');
    makeTiny(dir, { ...tiny, arch: 'qwen2', vocabSize: 151936 }); // Qwen2.5-style padding beyond the tokenizer
    const m = loadHfModel(dir);
    const ck = path.join(tmp, 'sieve-ck');
    await saveCheckpoint(ck, { config: m.config.model, tokenizer: m.tokenizer, params: m.model.params, meta: { hfConfig: m.config.raw } });
    const back = await loadCheckpoint(ck);
    expect(back.tokenizer).toBeInstanceOf(HfTokenizer);
    expect(back.tokenizer.encode('48/2=<<48/2=24>>24')).toEqual(m.tokenizer.encode('48/2=<<48/2=24>>24'));
    expect(back.meta['hfConfig']).toEqual(m.config.raw);
    const [a, b] = [run(m.model, [[1, 2, 3]]), run(back.model, [[1, 2, 3]])];
    expect(Buffer.compare(Buffer.from(a.dataSync().buffer), Buffer.from(b.dataSync().buffer))).toBe(0);
    tf.dispose([a, b]);
    m.model.dispose();
    back.model.dispose();
  });
});

describe('bad HF input', () => {
  const copy = (from: string, name: string): string => {
    const to = path.join(tmp, name);
    fs.cpSync(from, to, { recursive: true });
    return to;
  };

  it('an unknown architecture names model_type and config.json', () => {
    const d = copy(dirs.qwenF32, 'bad-arch');
    const cfg = JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...cfg, model_type: 'mamba' }));
    expect(() => loadHfModel(d)).toThrow(/unsupported architecture: model_type "mamba"/);
  });

  it('a missing tensor names the tensor and the file', () => {
    const d = copy(dirs.qwenF32, 'bad-missing');
    const cfg = JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
    expect(() => loadHfModel(d)).toThrow(/tensor model\.layers\.2\.input_layernorm\.weight is missing from model\.safetensors/);
  });

  it('a misshapen tensor names the tensor, both shapes and the file', () => {
    const d = copy(dirs.qwenF32, 'bad-shape');
    const cfg = JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 40 }));
    expect(() => loadHfModel(d)).toThrow(/tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[48,32\] in model\.safetensors, config\.json implies \[40,32\]/);
  });

  it('a truncated shard names the shard', () => {
    const d = copy(dirs.qwenBf16Sharded, 'bad-trunc');
    const shard = path.join(d, 'model-00002-of-00003.safetensors');
    fs.truncateSync(shard, fs.statSync(shard).size - 10);
    expect(() => loadHfModel(d)).toThrow(/model-00002-of-00003\.safetensors is not a valid safetensors file: .*truncated/);
  });

  it('a tokenizer.json that does not parse names tokenizer.json', () => {
    const d = copy(dirs.qwenF32, 'bad-tok');
    fs.writeFileSync(path.join(d, 'tokenizer.json'), '{ not json');
    expect(() => loadHfModel(d)).toThrow(/tokenizer\.json is not valid JSON/);
  });

  it('a failed export leaves no half-written folder and the old one intact', () => {
    const m = loadHfModel(dirs.llamaF32);
    const out = path.join(tmp, 'export-fail');
    exportHfModel(m, out, { dtype: 'F32' });
    const before = rawTensors(out);
    m.model.params['final_norm']!.dispose(); // reading it during export now throws
    expect(() => exportHfModel(m, out, { dtype: 'BF16' })).toThrow();
    expect(rawTensors(out)).toEqual(before);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.export-fail'))).toEqual([]);
    m.model.dispose();
  });
});
