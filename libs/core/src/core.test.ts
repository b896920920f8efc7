import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from './rng';
import { InputError, formatError, exitCodeOf } from './errors';
import { fingerprint, stableStringify } from './hash';

describe('rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.next());
    const xb = Array.from({ length: 5 }, () => b.next());
    const xc = Array.from({ length: 5 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('int covers its inclusive range roughly uniformly', () => {
    const r = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(0, 2)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('shuffle is a permutation', () => {
    const xs = shuffleInPlace([1, 2, 3, 4, 5, 6], createRng(7));
    expect([...xs].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('errors', () => {
  it('formats message, where, hint and causes; input errors exit 2', () => {
    const err = new InputError('bad row', { where: 'a.csv:3', hint: 'fix it', cause: new Error('root') });
    expect(formatError(err)).toBe('error: bad row\n  at: a.csv:3\n  hint: fix it\n  caused by: root');
    expect(exitCodeOf(err)).toBe(2);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('fingerprint', () => {
  it('ignores key order but not values', () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});
