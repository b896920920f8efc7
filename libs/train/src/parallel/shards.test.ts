import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DataOrder } from '../data-order';
import { resolveHyper } from '../hyper';
import { replicaCount, splitEven, updateShards } from './shards';

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
