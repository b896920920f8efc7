/**
 * Cuts a round of work into batches of at most `batchSize` and at most ceil(n / MIN_BATCHES)
 * items, so a small round still makes several batches and every worker has something to do. The cut
 * depends only on the work and the batch size, never on the worker count: batch composition (and
 * so every float of the results) is the same whatever the number of workers.
 */
export const MIN_BATCHES = 4;

export function splitIntoBatches<T>(items: readonly T[], batchSize: number): T[][] {
  const size = Math.max(1, Math.min(batchSize, Math.ceil(items.length / MIN_BATCHES)));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
