import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { meanCI, pairedDiffCI } from './stats';
import { tQuantile } from './t-dist';

describe('Student-t quantiles', () => {
  it('match closed forms for df 1 and 2', () => {
    // df=1 is Cauchy: tan(π(p − ½)); df=2: (2p − 1)/√(2p(1 − p)).
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(tQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 7);
      expect(tQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 8);
    }
  });

  it('match the printed t table', () => {
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(tQuantile(0.975, 3)).toBeCloseTo(3.182, 3);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(tQuantile(0.995, 5)).toBeCloseTo(4.032, 3);
    expect(tQuantile(0.95, 10)).toBeCloseTo(1.812, 3);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.96, 3);
    expect(tQuantile(0.975, 1000)).toBeCloseTo(1.962, 3);
  });

  it('rejects impossible arguments', () => {
    expect(() => tQuantile(1, 3)).toThrow(InputError);
    expect(() => tQuantile(0.9, 0)).toThrow(InputError);
  });
});

describe('meanCI', () => {
  it('gives the hand-computed t interval', () => {
    const ci = meanCI([1, 2, 3]);
    expect(ci.mean).toBe(2);
    expect(ci.sd).toBeCloseTo(1, 12);
    expect(ci.n).toBe(3);
    expect(ci.halfWidth).toBeCloseTo(4.3027 / Math.sqrt(3), 4); // 2.484
    expect(ci.lo).toBeCloseTo(2 - 2.4841, 3);
    expect(ci.hi).toBeCloseTo(2 + 2.4841, 3);

    // [2, 4, 6, 8]: mean 5, sd √(20/3), half-width 3.1824·sd/2
    const b = meanCI([2, 4, 6, 8]);
    expect(b.mean).toBe(5);
    expect(b.sd).toBeCloseTo(Math.sqrt(20 / 3), 12);
    expect(b.halfWidth).toBeCloseTo((3.18245 * Math.sqrt(20 / 3)) / 2, 4);
  });

  it('uses the requested level', () => {
    // 99%, df=4: t = 4.604
    const ci = meanCI([1, 2, 3, 4, 5], 0.99);
    expect(ci.halfWidth).toBeCloseTo((4.6041 * Math.sqrt(2.5)) / Math.sqrt(5), 3);
    expect(ci.level).toBe(0.99);
  });

  it('is degenerate for a single value', () => {
    const ci = meanCI([0.42]);
    expect(ci).toMatchObject({ mean: 0.42, lo: 0.42, hi: 0.42, halfWidth: 0, n: 1 });
    expect(Number.isNaN(ci.sd)).toBe(true);
  });

  it('rejects empty input, NaN and bad levels', () => {
    expect(() => meanCI([])).toThrow(InputError);
    expect(() => meanCI([1, NaN])).toThrow(/value #1/);
    expect(() => meanCI([1, 2], 95)).toThrow(/level/);
  });
});

describe('pairedDiffCI', () => {
  it('computes the interval of per-seed differences', () => {
    // diffs 0.1, 0.15, 0.2: mean 0.15, sd 0.05, half-width 4.3027·0.05/√3 = 0.12421
    const d = pairedDiffCI([0.5, 0.6, 0.7], [0.4, 0.45, 0.5]);
    expect(d.mean).toBeCloseTo(0.15, 12);
    expect(d.sd).toBeCloseTo(0.05, 12);
    expect(d.halfWidth).toBeCloseTo(0.12421, 4);
    expect(d.lo).toBeCloseTo(0.02579, 4);
    expect(d.clearOfZero).toBe(true);
  });

  it('pairing removes the seed-to-seed spread an unpaired comparison would keep', () => {
    // Both methods vary a lot across seeds, but a − b is always 0.01..0.03.
    const a = [0.3, 0.5, 0.7, 0.4];
    const b = [0.27, 0.49, 0.68, 0.37];
    const d = pairedDiffCI(a, b);
    expect(d.mean).toBeCloseTo(0.0225, 12); // (0.03 + 0.01 + 0.02 + 0.03) / 4
    expect(d.clearOfZero).toBe(true);
    expect(meanCI(a).lo).toBeLessThan(meanCI(b).hi); // the separate intervals overlap
  });

  it('says when the interval straddles zero, and never claims it for one seed', () => {
    expect(pairedDiffCI([0.5, 0.4, 0.6], [0.4, 0.5, 0.55]).clearOfZero).toBe(false);
    const one = pairedDiffCI([0.9], [0.1]);
    expect(one.n).toBe(1);
    expect(one.clearOfZero).toBe(false);
    expect(() => pairedDiffCI([1, 2], [1])).toThrow(/equal lengths/);
  });
});
