import { describe, expect, it } from 'vitest';
import { splitIntoBatches } from './batches';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('splitIntoBatches', () => {
  it('cuts at the batch size when there is plenty of work, keeping order', () => {
    const b = splitIntoBatches(range(10), 3);
    expect(b).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });
  it('cuts a small round into about 4 batches (size ceil(n / 4)) so two workers both get work', () => {
    expect(splitIntoBatches(range(6), 128).map((x) => x.length)).toEqual([2, 2, 2]);
    expect(splitIntoBatches(range(9), 128).map((x) => x.length)).toEqual([3, 3, 3]);
    expect(splitIntoBatches(range(100), 128).map((x) => x.length)).toEqual([25, 25, 25, 25]);
    expect(splitIntoBatches(range(2), 128)).toEqual([[0], [1]]);
    expect(splitIntoBatches([], 8)).toEqual([]);
  });
});
