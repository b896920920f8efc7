/**
 * sieve checkpoints (the built-in char model, and an imported HF model) exported to GGUF and run
 * by llama.cpp (node-llama-cpp, the independent implementation): same log-probs over the whole
 * vocabulary at every position, same token ids from llama.cpp's tokenizer as from sieve's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { cachedCheckpointGguf, checkpointGgufKey, exportCheckpointGguf, ggufConfigOf } from './checkpoint-gguf';
import { checkAgainstLlamaCpp, mathStringsFor } from './hf/check';
import { makeTiny } from './hf/make-tiny';
import { loadHfModel } from './hf/model';
import { QWEN_TOKENIZER_DIR, useTestBackend } from './test-helpers';
import { CharTokenizer } from './tokenizer';
import { createModel } from './transformer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-ckgguf-'));
// the pretrain corpus' characters plus multi-byte ones (2, 3 and 4 UTF-8 bytes: the BPE merges)
const tokenizer = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?$<>()%QA\nabcdefghijklmnopqrstuvwxyzNW×½€東😀']);
let charDir: string;

beforeAll(async () => {
  await useTestBackend();
  // scaled-up random weights: peaked attention and spread logits, so a RoPE or layout slip shows
  const m = createModel({ vocabSize: tokenizer.vocabSize, dim: 32, layers: 2, heads: 4, kvHeads: 2, mlpDim: 48, contextLength: 128 }, { seed: 5 });
  for (const [name, v] of Object.entries(m.params)) if (!name.endsWith('norm')) tf.tidy(() => v.assign(tf.mul(v, /attn\.w[qk]$/.test(name) ? 6 : 3)));
  charDir = path.join(tmp, 'models', 'base');
  await saveCheckpoint(charDir, { config: m.config, tokenizer, params: m.params, meta: { pretrain: {} } });
  m.dispose();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('GGUF export of sieve checkpoints', () => {
  it('the char model: llama.cpp log-probs equal sieve forward within 1e-3 everywhere, and its tokenizer gives the char ids', async () => {
    const gguf = path.join(tmp, 'char.gguf');
    expect(await exportCheckpointGguf(charDir, gguf, { dtype: 'F32' })).toEqual({ arch: 'llama', vocabSize: tokenizer.vocabSize });
    const ck = await loadCheckpoint(charDir);
    const texts = ['Q: Weng earns $12 an hour. 12/60 = <<12/60=0.2>>0.2 × 50 = 10, ½ of 東😀\nA: #### 10', 'Q: 3+4*2?\nA: 4*2=<<4*2=8>>8\n3+8=<<3+8=11>>11\n#### 11'];
    const r = await checkAgainstLlamaCpp(
      { config: ggufConfigOf(ck.config), model: ck.model, tokenizer },
      { existingGguf: gguf, texts, maxTokens: 100, tokenizerTexts: [...texts, ...mathStringsFor(tokenizer)] },
    );
    ck.model.dispose();
    expect(r.vocabSize).toBe(tokenizer.vocabSize);
    expect(r.positions).toBe(texts[0]!.length - 1 + texts[1]!.length); // 😀 is one character of two UTF-16 units
    expect(r.maxAbsLogprobDiff).toBeLessThan(1e-3);
    for (const c of r.tokenizer) expect(c.llamaCpp, c.text).toEqual(c.sieve);
    expect(r.tokenizer[0]!.sieve).not.toContain(tokenizer.unkId);
  }, 120_000);

  it('an HF model imported as a sieve checkpoint exports with its own tokenizer (qwen2, biases, real vocabulary)', async () => {
    const hfDir = path.join(tmp, 'hf-qwen2');
    makeTiny(hfDir, { arch: 'qwen2', vocabFrom: QWEN_TOKENIZER_DIR, layers: 1, dim: 32, heads: 4, kvHeads: 2, mlpDim: 48, dtype: 'F32', seed: 9 });
    const hf = loadHfModel(hfDir);
    const ckDir = path.join(tmp, 'models', 'hf');
    await saveCheckpoint(ckDir, { config: hf.config.model, tokenizer: hf.tokenizer, params: hf.model.params, meta: { hfConfig: hf.config.raw } });
    const gguf = path.join(tmp, 'hf.gguf');
    expect((await exportCheckpointGguf(ckDir, gguf, { dtype: 'F32' })).arch).toBe('qwen2');
    const r = await checkAgainstLlamaCpp({ config: hf.config, model: hf.model, tokenizer: hf.tokenizer }, { existingGguf: gguf, maxTokens: 3, tokenizerTexts: mathStringsFor(hf.tokenizer).slice(0, 2) });
    hf.model.dispose();
    expect(r.maxAbsLogprobDiff).toBeLessThan(1e-3);
    expect(r.tokenizersAgree).toBe(true);
  }, 180_000);

  it('caches the export by content: reused when unchanged, exported again when the checkpoint changes', async () => {
    const cache = path.join(tmp, 'cache');
    const a = await cachedCheckpointGguf(charDir, cache, 'F16');
    expect(a.exported).toBe(true);
    const mtime = fs.statSync(a.path).mtimeMs;
    const b = await cachedCheckpointGguf(charDir, cache, 'F16');
    expect(b).toEqual({ path: a.path, exported: false });
    expect(fs.statSync(b.path).mtimeMs).toBe(mtime);
    expect(fs.statSync(a.path).size).toBeLessThan(fs.statSync(path.join(tmp, 'char.gguf')).size); // F16 matrices
    expect((await cachedCheckpointGguf(charDir, cache, 'F32')).path).not.toBe(a.path);
    // a retrained checkpoint in the same folder: new weights, new key, new export
    const ck = await loadCheckpoint(charDir);
    tf.tidy(() => ck.model.params['final_norm']!.assign(tf.mul(ck.model.params['final_norm']!, 2)));
    const copy = path.join(tmp, 'models', 'retrained');
    fs.cpSync(charDir, copy, { recursive: true });
    const before = checkpointGgufKey(copy, 'F16');
    await saveCheckpoint(copy, { config: ck.config, tokenizer, params: ck.model.params, meta: ck.meta });
    ck.model.dispose();
    expect(checkpointGgufKey(copy, 'F16')).not.toBe(before);
    const c = await cachedCheckpointGguf(copy, cache, 'F16');
    expect(c.exported).toBe(true);
    expect(c.path).not.toBe(a.path);
  });

  it('a missing or corrupt checkpoint is an error naming the file', async () => {
    const bad = path.join(tmp, 'models', 'corrupt');
    fs.cpSync(charDir, bad, { recursive: true });
    fs.appendFileSync(path.join(bad, 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    const err = await exportCheckpointGguf(bad, path.join(tmp, 'x.gguf'), { dtype: 'F32' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SieveError);
    expect((err as SieveError).where).toBe(path.join(bad, 'weights.bin'));
    expect(fs.existsSync(path.join(tmp, 'x.gguf'))).toBe(false);
    fs.rmSync(path.join(bad, 'manifest.json'));
    expect(() => checkpointGgufKey(bad, 'F32')).toThrow(/cannot read manifest.json/);
  });
});
