/**
 * `sieve bench forward` runs both sides (each in its own process) on a tiny random Qwen2 and
 * reports sane figures, on a tiny HF model and on a built-in char checkpoint (exported with
 * exportCheckpointGguf). Speeds are never asserted (benchmarks are not timed tests).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../checkpoint';
import { parseModelConfig } from '../config';
import { QWEN_TOKENIZER_DIR, useTestBackend } from '../test-helpers';
import { CharTokenizer } from '../tokenizer';
import { createModel } from '../transformer';
import { benchForward, type ForwardSideResult } from './bench-forward';
import { makeTiny } from './make-tiny';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-bench-forward-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectSane(s: ForwardSideResult, promptTokens: number, decodeTokens: number): void {
  expect(s.promptTokens).toBe(promptTokens);
  expect(s.decodeTokens).toBe(decodeTokens);
  for (const v of [s.loadSeconds, s.prefillSeconds, s.decodeSeconds, s.prefillTokensPerSecond, s.decodeTokensPerSecond]) {
    expect(Number.isFinite(v) && v > 0).toBe(true);
  }
  expect(s.decodeTokensPerSecond).toBeCloseTo(decodeTokens / s.decodeSeconds, 6);
  expect(s.peakRssBytes).toBeGreaterThan(50 * 1024 ** 2); // a Node process with a model loaded
  expect(s.peakRssBytes).toBeLessThan(8 * 1024 ** 3);
}

describe('benchForward', () => {
  it('measures sieve and llama.cpp on the GGUF export of a tiny HF model, with the ratio', async () => {
    const dir = path.join(tmp, 'qwen2');
    makeTiny(dir, { arch: 'qwen2', vocabFrom: QWEN_TOKENIZER_DIR, layers: 1, dim: 32, heads: 2, kvHeads: 1, mlpDim: 48, seed: 1 });
    const r = await benchForward({ model: `hf:${dir}`, promptTokens: 6, decodeTokens: 3, threads: 1 });
    expectSane(r.sieve, 6, 3);
    expect(r.sieve.engine).toMatch(/^sieve \(tfjs /);
    expectSane(r.llamaCpp, 6, 3);
    expect(r.llamaCpp.threads).toBe(1);
    expect(r.ratio.decode).toBeCloseTo(r.sieve.decodeTokensPerSecond / r.llamaCpp.decodeTokensPerSecond, 9);
    expect(r.ratio.prefill).toBeCloseTo(r.sieve.prefillTokensPerSecond / r.llamaCpp.prefillTokensPerSecond, 9);
    expect(r.loadAverage.before).toHaveLength(3);
  }, 120_000);

  it('on a built-in char checkpoint measures both sides on its GGUF export', async () => {
    await useTestBackend();
    const config = parseModelConfig({ layers: 1, dim: 16, heads: 2, kvHeads: 2, mlpDim: 32, vocabSize: 14, contextLength: 32 });
    const tokenizer = CharTokenizer.fromCorpus(['0123456789']);
    const model = createModel(config, { seed: 1 });
    const dir = path.join(tmp, 'char');
    await saveCheckpoint(dir, { config, tokenizer, params: model.params });
    model.dispose();
    const r = await benchForward({ model: dir, promptTokens: 4, decodeTokens: 2, threads: 1 });
    expectSane(r.sieve, 4, 2);
    expectSane(r.llamaCpp, 4, 2);
    expect(r.llamaCpp.engine).toBe('llama.cpp');
    expect(r.ratio.decode).toBeCloseTo(r.sieve.decodeTokensPerSecond / r.llamaCpp.decodeTokensPerSecond, 9);
  }, 120_000);

  it('refuses a folder that is no model, naming it', async () => {
    await expect(benchForward({ model: tmp, promptTokens: 4, decodeTokens: 1 })).rejects.toThrow(/neither a Hugging Face model folder .*nor a sieve checkpoint/);
  }, 60_000);
});
