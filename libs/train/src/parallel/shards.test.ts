import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DataOrder } from '../data-order';
import { resolveHyper } from '../hyper';
import { byLength, replicaCount, splitEven, updateShards } from './shards';

describe('gradient shards', () => {
  it('splits evenly, in order, with no empty part when parts ≤ items', () => {
    expect(splitEven([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4, 5]]);
    expect(splitEven([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2], [3, 4], [5, 6, 7]]);
    expect(splitEven([1, 2], 1)).toEqual([[1, 2]]);
  });

  it("an update's shards are its micro-batches cut in order: together they read the same examples", () => {
    const order = new DataOrder(10, 42);
    const shards = updateShards(order, 3, { gradAccum: 2, batchSize: 3, shards: 2 });
    expect(shards.map((s) => s.length)).toEqual([1, 2, 1, 2]);
    expect(shards.flat()).toEqual([...order.microBatch(3, 0, 2, 3), ...order.microBatch(3, 1, 2, 3)]);
    expect(updateShards(order, 3, { gradAccum: 2, batchSize: 3, shards: 1 })).toEqual([order.microBatch(3, 0, 2, 3), order.microBatch(3, 1, 2, 3)]);
  });

  it('with lengths, cuts each micro-batch after ordering it by length (stable), so a shard holds rows of similar length', () => {
    expect(byLength([5, 1, 4, 2], (i) => [0, 3, 1, 0, 3, 2][i] ?? NaN)).toEqual([2, 5, 1, 4]); // 1 and 4 tie: given order
    const order = new DataOrder(12, 7);
    const len = (i: number): number => (i * 7) % 5; // lengths 0..4, ties included
    const o = { gradAccum: 2, batchSize: 6, shards: 2 };
    const shards = updateShards(order, 2, o, len);
    const micro = [order.microBatch(2, 0, 2, 6), order.microBatch(2, 1, 2, 6)];
    expect(shards).toEqual([...splitEven(byLength(micro[0] ?? [], len), 2), ...splitEven(byLength(micro[1] ?? [], len), 2)]);
    // the same examples per micro-batch, the short half first
    expect([...(shards[0] ?? []), ...(shards[1] ?? [])].sort()).toEqual([...(micro[0] ?? [])].sort());
    expect(Math.max(...(shards[0] ?? []).map(len))).toBeLessThanOrEqual(Math.min(...(shards[1] ?? []).map(len)));
    // one shard per micro-batch: the data order's rows, untouched (results of unsharded runs do not move)
    expect(updateShards(order, 2, { ...o, shards: 1 }, len)).toEqual(micro);
  });

  it('runs one replica per shard at most; 0 workers means every core', () => {
    expect(replicaCount(8, { gradAccum: 1, batchSize: 8, shards: 3 })).toBe(3);
    expect(replicaCount(2, { gradAccum: 2, batchSize: 8, shards: 2 })).toBe(2);
    expect(replicaCount(4, { gradAccum: 1, batchSize: 8, shards: 1 })).toBe(1);
    expect(replicaCount(0, { gradAccum: 64, batchSize: 8, shards: 1 })).toBe(Math.min(64, availableParallelism()));
  });

  it('refuses more shards than examples per micro-batch, naming the flag', () => {
    expect(() => resolveHyper({ batchSize: 2, shards: 3 })).toThrow(expect.objectContaining({ name: 'InputError', where: '--shards' }));
    expect(resolveHyper({ batchSize: 2, shards: 2 }).shards).toBe(2);
    expect(resolveHyper({}).workers).toBe(0);
  });
});
