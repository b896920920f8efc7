import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrainMethod } from '../methods';
import { stateDirFor } from '../run-record';
import { trainModel, type TrainModelOptions } from '../train-model';
import { makeFixture, maxParamDiff, paramsOf, useBackend, type Fixture } from '../test-helpers';

class Killed extends Error {}

// Rows of different lengths, so each micro-batch is ordered by length before it is cut into shards
// and the shards cost different amounts (assignShards balances them by cost, not by slot).
const ITEMS = [
  { prompt: 'Q: cat\nA: ', response: 'tac', rejected: 'cat' },
  { prompt: 'Q: dog\nA: ', response: 'godgodgod', rejected: 'dgo' },
  { prompt: 'Q: sun\nA: ', response: 'n', rejected: 'sunsun' },
  { prompt: 'Q: pen\nA: ', response: 'nepne', rejected: 'pne' },
  { prompt: 'Q: hat\nA: ', response: 'tahtahta', rejected: 'h' },
  { prompt: 'Q: bus\nA: ', response: 'su', rejected: 'bsubsu' },
];

// 2 micro-batches × 2 shards = 4 shards per update: with 2 replicas the main thread computes
// shards 0 and 2, the worker thread shards 1 and 3; with 1 they all run in the main thread.
describe('data-parallel training', () => {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    await useBackend();
  });
  afterEach(() => fx?.cleanup());

  const opts = (f: Fixture, method: TrainMethod, name: string, workers: number): TrainModelOptions => ({
    runName: name,
    method,
    dataset: { name: method === 'dpo' ? 'tiny-pairs' : 'tiny' },
    from: 'base',
    outDir: path.join(f.dir, 'models', name),
    seed: 3,
    steps: 3,
    batchSize: 2,
    gradAccum: 2,
    shards: 2,
    workers,
    lr: 1e-2,
    warmupSteps: 0,
    evalEvery: 0,
    checkpointEvery: 0,
  });

  it.each(['sft', 'dft', 'dpo'] as TrainMethod[])('%s: 1 and 2 workers train to bit-identical weights and log the same losses', async (method) => {
    fx = await makeFixture({ items: ITEMS });
    const f = fx;
    const lines: string[] = [];
    const one = await trainModel(f.store, opts(f, method, 'one', 1));
    const two = await trainModel(f.store, { ...opts(f, method, 'two', 2), log: (l) => lines.push(l) });
    expect(lines).toContain('gradients of 4 shards per update on 2 replicas (this thread + 1 workers)');
    const a = await paramsOf(one.outDir);
    const b = await paramsOf(two.outDir);
    expect(maxParamDiff(a, await paramsOf(f.baseDir))).toBeGreaterThan(1e-3); // it did train
    expect(a.size).toBeGreaterThan(0);
    for (const [name, x] of a) expect(Buffer.from(b.get(name)!.buffer).equals(Buffer.from(x.buffer)), name).toBe(true);
    const losses = (runId: number) => f.store.training.metrics(runId, 'train').map((m) => [m.values['loss'], m.values['gradNorm']]);
    expect(losses(two.runId)).toEqual(losses(one.runId));
    if (method === 'sft') {
      // The shard structure is part of the configuration: other shards, the same gradient up to rounding.
      const other = await paramsOf((await trainModel(f.store, { ...opts(f, method, 'other', 2), gradAccum: 1, shards: 1, batchSize: 4 })).outDir);
      const d = maxParamDiff(a, other);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(1e-4);
    }
  });

  it('a run killed with 2 workers resumes with 1 and ends bit-identical to an uninterrupted run', async () => {
    fx = await makeFixture({ items: ITEMS });
    const f = fx;
    const base = (name: string, workers: number): TrainModelOptions => ({ ...opts(f, 'iw-sft', name, workers), steps: 5, checkpointEvery: 2 });
    const straight = await trainModel(f.store, base('straight', 1));
    await expect(
      trainModel(f.store, {
        ...base('killed', 2),
        onProgress: (p) => {
          if (p.step === 3) throw new Killed('kill');
        },
      }),
    ).rejects.toBeInstanceOf(Killed);
    expect(fs.existsSync(path.join(stateDirFor(base('killed', 2).outDir), 'state.json'))).toBe(true);
    const resumed = await trainModel(f.store, base('killed', 1)); // another worker count is the same configuration
    expect(resumed.resumedFrom).toBe(2);
    const a = await paramsOf(straight.outDir);
    const b = await paramsOf(resumed.outDir);
    expect(maxParamDiff(a, b)).toBe(0);
  });
});
