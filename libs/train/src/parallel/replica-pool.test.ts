import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, type Transformer } from '@sieve/model';
import { collate, type TokenBatch } from '../batch';
import { disposeGrads, type Grads } from '../clip';
import { encodeExample } from '../examples';
import { accumulateGrads } from '../loop';
import type { ObjectiveContext } from '../objective';
import { TINY_CONFIG, TINY_ITEMS, useBackend } from '../test-helpers';
import { assignShards, ReplicaPool } from './replica-pool';
import type { ShardJob } from './protocol';
import { splitEven } from './shards';

const tok = CharTokenizer.fromCorpus(TINY_ITEMS.flatMap((i) => [i.prompt, i.response]));
const seqs = TINY_ITEMS.map((i) => encodeExample(tok, i.prompt, i.response, 24));
// Three shards of 2 examples: the main thread computes shards 0 and 2, the worker shard 1.
const shards: TokenBatch[] = splitEven(seqs, 3).map((s) => collate(s, tok.padId));

function flat(g: Grads | undefined): Map<string, Float32Array> {
  const out = new Map(Object.entries(g ?? {}).map(([k, t]) => [k, new Float32Array(t.dataSync())]));
  disposeGrads(g);
  return out;
}

describe('ReplicaPool (a worker thread beside the main thread)', () => {
  let model: Transformer;
  let ref: Transformer;
  let ctx: ObjectiveContext;
  let pool: ReplicaPool;
  beforeAll(async () => {
    await useBackend();
    model = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 1 });
    ref = createModel({ ...TINY_CONFIG, vocabSize: tok.vocabSize }, { seed: 2 });
    ctx = { model, ref, method: 'iw-sft', opts: { dftMinProb: 0, iwMaxWeight: 16, dpoBeta: 0.1, asftKl: 0 } };
    pool = await ReplicaPool.open(ctx, 2);
  });
  afterAll(async () => {
    await pool.close();
    model.dispose();
    ref.dispose();
  });

  it('sums the shards to exactly the gradient accumulateGrads computes in one thread, with the same statistics', async () => {
    expect(pool.replicas).toBe(2);
    const local = accumulateGrads(ctx, shards);
    const want = flat(local.grads);
    const got = await pool.accumulate(shards);
    expect([...Object.keys(got.grads!)]).toEqual([...want.keys()]); // the order the global norm sums in
    const have = flat(got.grads);
    for (const [name, x] of want) expect(Buffer.from(have.get(name)!.buffer).equals(Buffer.from(x.buffer)), name).toBe(true);
    expect(got.outs).toEqual(local.outs);
    expect(pool.workerTensors[0]).toBeGreaterThan(0); // the worker answered
  });

  it('follows the main model: after a parameter change the replicas compute at the new parameters', async () => {
    const before = flat((await pool.accumulate(shards)).grads);
    tf.tidy(() => {
      for (const v of Object.values(model.params)) v.assign(tf.mul(v, 0.9));
    });
    const local = flat(accumulateGrads(ctx, shards).grads);
    const got = flat((await pool.accumulate(shards)).grads);
    const name = [...local.keys()][0]!;
    expect(Buffer.from(got.get(name)!.buffer).equals(Buffer.from(local.get(name)!.buffer))).toBe(true);
    expect(Buffer.from(got.get(name)!.buffer).equals(Buffer.from(before.get(name)!.buffer))).toBe(false);
  });

  it('leaves no tensor behind, in this thread or in the worker', async () => {
    flat((await pool.accumulate(shards)).grads);
    const main = tf.memory().numTensors;
    const worker = pool.workerTensors[0];
    for (let i = 0; i < 3; i++) flat((await pool.accumulate(shards)).grads);
    expect(tf.memory().numTensors).toBe(main);
    expect(pool.workerTensors[0]).toBe(worker);
  });

  it("fails the update with the worker's own error (no hang), and with the main thread's", async () => {
    const bad = collate(seqs.slice(2, 4), tok.padId);
    bad.targets[0] = tok.vocabSize + 5;
    bad.mask[0] = 1;
    const main = tf.memory().numTensors;
    await expect(pool.accumulate([shards[0]!, bad, shards[2]!])).rejects.toThrow(/target id \d+ at \[0, 0\] is outside the vocabulary/);
    expect(tf.memory().numTensors).toBe(main);
    flat((await pool.accumulate(shards)).grads); // the worker's failed update leaves the pool usable
    // (tfjs itself leaks the forward's tensors when a loss throws inside variableGrads: not counted here)
    await expect(pool.accumulate([bad, shards[1]!])).rejects.toThrow(/outside the vocabulary/);
  });
});

describe('assignShards', () => {
  const config = { ...TINY_CONFIG, vocabSize: 16, dim: 32, heads: 2, kvHeads: 1, mlpDim: 64 } as Parameters<typeof assignShards>[2];
  const job = (slot: number, rows: number, length: number): ShardJob => ({ slot, weight: 1, batch: { rows, length } as TokenBatch });

  it('gives the largest shards out first, each to the least loaded replica, and keeps each replica in slot order', () => {
    // sorted shards of one micro-batch: lengths 10 < 20 < 30 < 40 rows of 4
    const jobs = [job(0, 4, 10), job(1, 4, 20), job(2, 4, 30), job(3, 4, 40)];
    const out = assignShards(jobs, 2, config);
    expect(out.map((r) => r.map((j) => j.slot))).toEqual([[0, 3], [1, 2]]); // 40 + 10 against 30 + 20
    expect(assignShards(jobs, 1, config).map((r) => r.map((j) => j.slot))).toEqual([[0, 1, 2, 3]]);
  });

  it('spreads equal shards round-robin, replica 0 first', () => {
    const out = assignShards([job(0, 2, 8), job(1, 2, 8), job(2, 2, 8)], 2, config);
    expect(out.map((r) => r.map((j) => j.slot))).toEqual([[0, 2], [1]]);
  });
});
