import { describe, expect, it } from 'vitest';
import { BatchScheduler } from './batch-scheduler';

/** A generator that records its batches and answers item → item × 10, failing on a negative item. */
function recorder(): { batches: number[][]; run: (g: string, items: readonly number[]) => Promise<number[]> } {
  const batches: number[][] = [];
  return {
    batches,
    run: async (_g, items) => {
      batches.push([...items]);
      await new Promise((r) => setImmediate(r));
      if (items.some((x) => x < 0)) throw new Error(`bad item in [${items.join(',')}]`);
      return items.map((x) => x * 10);
    },
  };
}

describe('BatchScheduler', () => {
  it('merges requests of one key submitted together, up to batchSize, oldest key first', async () => {
    const g = recorder();
    const s = new BatchScheduler<string, number, number>({ batchSize: 4, run: g.run });
    const got = await Promise.all([s.submit('a', 'a', [1, 2]), s.submit('b', 'b', [3]), s.submit('a', 'a', [4, 5, 6]), s.submit('b', 'b', [7])]);
    expect(got).toEqual([[10, 20], [30], [40, 50, 60], [70]]);
    // key a first (oldest item), 4 of its 5 items; then b (now oldest), then a's last item
    expect(g.batches).toEqual([[1, 2, 4, 5], [3, 7], [6]]);
    expect(s.stats).toEqual({ batches: 3, items: 7, largest: 4, merged: 2 });
  });

  it('requests that arrive while a batch runs join the next batch', async () => {
    const g = recorder();
    const s = new BatchScheduler<string, number, number>({ batchSize: 8, run: g.run });
    const first = s.submit('k', 'k', [1]);
    await new Promise((r) => setImmediate(r)); // the first batch has started
    const later = [s.submit('k', 'k', [2]), s.submit('k', 'k', [3, 4])];
    expect(await Promise.all([first, ...later])).toEqual([[10], [20], [30, 40]]);
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with a queue delay, a batch waits for more items until it is full or its oldest item has waited that long', async () => {
    const g = recorder();
    const s = new BatchScheduler<string, number, number>({ batchSize: 3, maxDelayMs: 60_000, run: g.run });
    const first = s.submit('k', 'k', [1]);
    const other = s.submit('j', 'j', [9]);
    await new Promise((r) => setTimeout(r, 5)); // later turns: a full batch starts at once, not after the delay
    const rest = s.submit('k', 'k', [2, 3]);
    expect(await Promise.all([first, rest])).toEqual([[10], [20, 30]]);
    expect(g.batches).toEqual([[1, 2, 3]]);
    const short = new BatchScheduler<string, number, number>({ batchSize: 3, maxDelayMs: 5, run: g.run });
    expect(await short.submit('k', 'k', [4])).toEqual([40]); // alone, once its delay has passed
    expect(g.batches).toEqual([[1, 2, 3], [4]]);
    // j's batch is still waiting for company (not full, its delay is a minute): closing rejects it
    s.close();
    await expect(other).rejects.toThrow(/closed while the request was waiting/);
  });

  it('a failing batch of several requests is re-run per request: only the failing one is rejected', async () => {
    const g = recorder();
    const s = new BatchScheduler<string, number, number>({ batchSize: 8, run: g.run });
    const [ok1, bad, ok2] = await Promise.allSettled([s.submit('k', 'k', [1, 2]), s.submit('k', 'k', [3, -1]), s.submit('k', 'k', [4])]);
    expect(ok1).toEqual({ status: 'fulfilled', value: [10, 20] });
    expect(ok2).toEqual({ status: 'fulfilled', value: [40] });
    expect(bad.status).toBe('rejected');
    expect(((bad as PromiseRejectedResult).reason as Error).message).toBe('bad item in [3,-1]');
    expect(g.batches).toEqual([[1, 2, 3, -1, 4], [1, 2], [3, -1], [4]]);
    // the scheduler keeps serving
    expect(await s.submit('k', 'k', [5])).toEqual([50]);
  });

  it('a result count that does not match the batch rejects its request', async () => {
    const s = new BatchScheduler<string, number, number>({ batchSize: 8, run: async () => [1] });
    await expect(s.submit('k', 'k', [1, 2])).rejects.toThrow(/returned 1 results for a batch of 2/);
  });
});
