/**
 * The gradient shards of one update: micro-batch m (of `gradAccum`) split into `shards` parts of
 * consecutive examples, in the fixed order (m, j). The shard structure is part of the run's
 * configuration; the worker count is not: whichever replica computes a shard, the shards'
 * gradients are summed in this order, so any worker count gives the same update.
 */
import { availableParallelism } from 'node:os';
import type { TokenBatch } from '../batch';
import type { DataOrder } from '../data-order';

export interface ShardOptions {
  gradAccum: number;
  batchSize: number;
  shards: number;
}

/** Parts j = 0..S−1 of `items`, part j holding items [⌊j·n/S⌋, ⌊(j+1)·n/S⌋) (none empty when S ≤ n). */
export function splitEven<T>(items: readonly T[], parts: number): T[][] {
  const n = items.length;
  return Array.from({ length: parts }, (_, j) => items.slice(Math.floor((j * n) / parts), Math.floor(((j + 1) * n) / parts)));
}

/** Example indices of every shard of update `step` (1-based), in summation order. */
export function updateShards(order: DataOrder, step: number, o: ShardOptions): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < o.gradAccum; m++) out.push(...splitEven(order.microBatch(step, m, o.gradAccum, o.batchSize), o.shards));
  return out.filter((s) => s.length > 0);
}

/** The padded batches of update `step`'s shards. */
export function shardBatches(source: { batch(indices: number[]): TokenBatch }, order: DataOrder, step: number, o: ShardOptions): TokenBatch[] {
  return updateShards(order, step, o).map((idx) => source.batch(idx));
}

/** Model replicas worth running: `workers` (0 = every core), at most one per shard of an update. */
export function replicaCount(workers: number, o: ShardOptions): number {
  const wanted = workers === 0 ? availableParallelism() : workers;
  return Math.max(1, Math.min(wanted, o.gradAccum * Math.min(o.shards, o.batchSize)));
}
