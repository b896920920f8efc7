/**
 * `sieve bench sample --engine …` runs the real sample stage per engine on a temp run: tfjs and
 * openai (a serve-model process on 127.0.0.1) give the same samples for the same seeds, so the
 * same token count; llama.cpp, not there yet, is reported with its message and the rest goes on.
 * Speeds are never asserted.
 */
import { describe, expect, it } from 'vitest';
import { useTestBackend } from '../test-helpers';
import { benchSampleEngines, type EngineFigure } from './bench';

describe('benchSampleEngines', () => {
  it('times tfjs and openai on the same samples and reports llama.cpp’s absence cleanly', async () => {
    await useTestBackend();
    const r = await benchSampleEngines({ engines: ['tfjs', 'llama.cpp', 'openai'], questions: 2, k: 2, maxNewTokens: 8, batchSize: 4, workers: 0, replicas: [1], concurrency: 2 });
    expect(r.figures.map((f) => f.engine)).toEqual(['tfjs', 'llama.cpp', 'openai']);
    const [tfjs, llama, openai] = r.figures as [EngineFigure, { error: string }, EngineFigure];
    expect(llama.error).toMatch(/llama\.cpp engine is not available yet/);
    expect(r.llamaCppRaw).toEqual({ error: expect.stringMatching(/character model.*no GGUF export/) });
    expect(r.llamaCppInStageOverRaw).toBeNull();
    for (const f of [tfjs, openai]) {
      expect(f.samples).toBe(4);
      expect(f.tokens).toBeGreaterThanOrEqual(4);
      expect(f.tokens).toBeLessThanOrEqual(4 * 8);
      expect(f.tokensPerSecond).toBeCloseTo(f.tokens / f.seconds, 6);
    }
    expect(openai.tokens).toBe(tfjs.tokens); // per-sample seeds: the same samples through the server
    expect(r.openaiReplicaSpeedup).toBeNull(); // one replica count timed
  }, 120_000);
});
