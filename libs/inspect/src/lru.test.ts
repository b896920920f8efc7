import { describe, expect, it } from 'vitest';
import { Lru } from './lru';

describe('Lru', () => {
  it('evicts the least recently used entry beyond its size, reporting it', () => {
    const evicted: string[] = [];
    const lru = new Lru<number, string>(2, (v) => evicted.push(v));
    lru.set(1, 'a');
    lru.set(2, 'b');
    expect(lru.get(1)).toBe('a'); // 1 is now the most recent
    lru.set(3, 'c');
    expect(evicted).toEqual(['b']);
    expect([lru.get(2), lru.get(1), lru.get(3), lru.size]).toEqual([undefined, 'a', 'c', 2]);
    lru.set(1, 'a2'); // replacing is not evicting
    expect(evicted).toEqual(['b']);
    lru.delete(1);
    expect(lru.values()).toEqual(['c']);
  });
});
