import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from './engine';
import { encodePrompt } from './prompt';
import type { GenerateParams, GenRequest, GenResult } from './sequence';
import { tinyCheckpoint, tinyTokenizer, useTestBackend } from './test-helpers';

const params: GenerateParams = { temperature: 1, topK: 0, topP: 0.95, maxNewTokens: 16 };
const questions = ['1+1', 'what is 3*4', 'a', 'add 12 and 30', 'q', 'zz top', '7/7', 'abc'];
// Six batches of four: two samples of each of two questions per batch.
const batches: GenRequest[][] = Array.from({ length: 6 }, (_, b) =>
  Array.from({ length: 4 }, (_, i) => ({ prompt: encodePrompt(tinyTokenizer, questions[(2 * b + (i >> 1)) % questions.length]!), seed: 100 * b + i })),
);

async function runAll(engine: Engine): Promise<GenResult[][]> {
  return Promise.all(batches.map((b) => engine.run(b, params))); // all submitted at once: workers share them
}

let dir: string;
const engines: Engine[] = [];
beforeAll(async () => {
  await useTestBackend();
  dir = await tinyCheckpoint(4);
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe('engine', () => {
  it('2 worker threads produce exactly the same samples as 1 and as the main thread', async () => {
    const opened = await Promise.all([0, 1, 2].map((workers) => openEngine({ checkpointDir: dir, workers, backend: 'wasm' })));
    engines.push(...opened);
    const [main, one, two] = opened as [Engine, Engine, Engine];
    expect([main.workers, one.workers, two.workers]).toEqual([0, 1, 2]);
    expect(two.backend).toBe('wasm');
    expect(two.tokenizer.toJSON()).toEqual(tinyTokenizer.toJSON());
    const a = await runAll(main);
    const b = await runAll(one);
    const c = await runAll(two);
    expect(a.flat().length).toBe(24);
    const plain = (rs: GenResult[][]): unknown => rs.map((batch) => batch.map((r) => ({ ...r, logprobs: Array.from(r.logprobs) })));
    expect(plain(b)).toEqual(plain(a)); // bit-identical log-probs included
    expect(plain(c)).toEqual(plain(a));
    expect(new Set(a.flat().map((r) => r.text)).size).toBeGreaterThan(12);
  });

  it('reports a worker that cannot load its checkpoint, naming the folder', async () => {
    await expect(openEngine({ checkpointDir: `${dir}-missing`, workers: 1 })).rejects.toThrow(/checkpoint folder not found.*-missing/);
    await expect(openEngine({ checkpointDir: dir, workers: -1 })).rejects.toThrow(/workers/);
  });
});
