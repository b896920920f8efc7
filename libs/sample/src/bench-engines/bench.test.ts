/**
 * `sieve bench sample --engine …` runs the real sample stage per engine on a temp run: tfjs and
 * openai (a serve-model process on 127.0.0.1) give the same samples for the same seeds, so the
 * same token count; llama.cpp runs in the stage and raw on the same GGUF, with the same prompts,
 * seeds and settings, so the same token count.
 * Speeds are never asserted.
 */
import { describe, expect, it } from 'vitest';
import { useTestBackend } from '../test-helpers';
import { benchSampleEngines, type EngineFigure } from './bench';

describe('benchSampleEngines', () => {
  it('times tfjs, llama.cpp (in the stage and raw) and openai on the same questions', async () => {
    await useTestBackend();
    const r = await benchSampleEngines({ engines: ['tfjs', 'llama.cpp', 'openai'], questions: 2, k: 2, maxNewTokens: 8, batchSize: 4, workers: 0, replicas: [1], concurrency: 2 });
    expect(r.figures.map((f) => f.engine)).toEqual(['tfjs', 'llama.cpp', 'openai']);
    const [tfjs, llama, openai] = r.figures as [EngineFigure, EngineFigure, EngineFigure];
    const raw = r.llamaCppRaw as { sequences: number; tokens: number; tokensPerSecond: number };
    expect(raw.sequences).toBe(4);
    expect(raw.tokens).toBe(llama.tokens); // the stage's prompts, seeds and sampler settings: the same samples
    expect(r.llamaCppBindingSeconds).toBeGreaterThanOrEqual(0); // loaded before either llama.cpp figure is timed
    expect(r.llamaCppInStageOverRaw).toBeCloseTo(llama.tokensPerSecond / raw.tokensPerSecond, 9);
    // Like for like: the stage's time once its engine is open (it reports how long opening took).
    expect(llama.engineSeconds).toBeGreaterThan(0);
    expect(llama.engineSeconds).toBeLessThan(llama.seconds);
    expect(r.llamaCppInStageOverRawAfterSetup).toBeCloseTo(llama.tokens / (llama.seconds - llama.engineSeconds) / raw.tokensPerSecond, 9);
    for (const f of [tfjs, llama, openai]) {
      expect(f.samples).toBe(4);
      expect(f.tokens).toBeGreaterThanOrEqual(4);
      expect(f.tokens).toBeLessThanOrEqual(4 * 8);
      expect(f.tokensPerSecond).toBeCloseTo(f.tokens / f.seconds, 6);
    }
    expect(openai.tokens).toBe(tfjs.tokens); // per-sample seeds: the same samples through the server
    expect(r.openaiReplicaSpeedup).toBeNull(); // one replica count timed
  }, 120_000);
});
