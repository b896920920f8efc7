/**
 * sieve's forward against llama.cpp (node-llama-cpp, the independent implementation) on GGUF
 * exports of tiny random Qwen2 and LLaMA checkpoints with the real Qwen tokenizer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QWEN_TOKENIZER_DIR, useTestBackend } from '../test-helpers';
import { checkAgainstLlamaCpp, MATH_STRINGS } from './check';
import { makeTiny, type MakeTinyOptions } from './make-tiny';
import { loadHfModel } from './model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-check-'));
beforeAll(async () => {
  await useTestBackend();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = { vocabFrom: QWEN_TOKENIZER_DIR, layers: 2, dim: 64, heads: 4, kvHeads: 2, mlpDim: 96 };
const cases: [string, Omit<MakeTinyOptions, 'vocabFrom'>][] = [
  ['qwen2 F32 tied', { arch: 'qwen2', dtype: 'F32', seed: 1 }],
  ['qwen2 BF16 untied, 2 shards', { arch: 'qwen2', dtype: 'BF16', tie: false, shards: 2, seed: 2 }],
  ['llama F32 untied', { arch: 'llama', dtype: 'F32', seed: 3 }],
  ['llama BF16 tied', { arch: 'llama', dtype: 'BF16', tie: true, seed: 4, heads: 8, kvHeads: 2 }],
];

describe('sieve vs llama.cpp on the GGUF export', () => {
  for (const [label, opts] of cases) {
    it(`${label}: log-probs agree within 1e-3 over the whole vocabulary at every position`, async () => {
      const dir = path.join(tmp, label.replace(/\W+/g, '-'));
      makeTiny(dir, { ...base, ...opts });
      const m = loadHfModel(dir);
      // one sequence with special tokens (the chat one), every position, the whole vocabulary
      const r = await checkAgainstLlamaCpp(m, { texts: [MATH_STRINGS[2]!], maxTokens: 10, tokenizerTexts: MATH_STRINGS, ggufPath: `${dir}.gguf` });
      m.model.dispose();
      expect(r.positions).toBe(10);
      expect(r.vocabSize).toBe(151669);
      expect(r.maxAbsLogprobDiff).toBeLessThan(1e-3);
      // llama.cpp's tokenizer reads only the GGUF (vocabulary, merges, pre-tokenizer name): same ids as tokenizer.json
      for (const c of r.tokenizer) expect(c.llamaCpp, c.text).toEqual(c.sieve);
      expect(r.tokenizer.find((c) => c.text.includes('<|im_start|>'))?.sieve[0]).toBe(151644);
    }, 180_000);
  }

  it('a wrong forward is caught: with two layers swapped on sieve\'s side the difference is far above the tolerance', async () => {
    const dir = path.join(tmp, 'qwen2-F32-tied'); // written and checked by the first case
    const m = loadHfModel(dir);
    const [a, b] = [m.model.params['layers.0.mlp.up']!, m.model.params['layers.1.mlp.up']!];
    const av = a.clone();
    a.assign(b);
    b.assign(av);
    av.dispose();
    const bad = await checkAgainstLlamaCpp(m, { texts: [MATH_STRINGS[0]!], maxTokens: 4, existingGguf: `${dir}.gguf`, tokenizerTexts: [] });
    m.model.dispose();
    expect(bad.maxAbsLogprobDiff).toBeGreaterThan(1e-2);
  }, 180_000);
});
