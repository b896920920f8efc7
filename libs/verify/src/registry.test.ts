import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { synthesiseBenchRows } from './bench';
import { benchVerify } from './bench';
import { getVerifier, listVerifiers, registerVerifier, verify } from './registry';
import { type Verifier } from './numeric-verifier';

describe('verifier registry', () => {
  it('has the built-in numeric verifier as the default', () => {
    expect(listVerifiers()).toContain('numeric');
    expect(listVerifiers()).toContain('math');
    expect(verify('#### 7', '7', { verifier: 'numeric' }).status).toBe('correct');
    expect(getVerifier('numeric')('#### 7', '8', {}).status).toBe('incorrect');
  });

  it('names the known verifiers when asked for an unknown one', () => {
    registerVerifier('exact-text', (response, gold) => ({
      status: response.trim() === gold.trim() ? 'correct' : 'incorrect',
      extracted: response.trim(),
      extractedBy: null,
      gold,
      reason: 'compared text',
      steps: { total: 0, wrong: 0, unchecked: 0 },
    }));
    let err: unknown;
    try {
      getVerifier('symbolic');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('unknown verifier "symbolic"; known verifiers: exact-text, math, numeric');
    expect(() => verify('1', '1', { verifier: 'nope' })).toThrow(/known verifiers: exact-text, math, numeric/);
  });

  it('dispatches to a registered verifier and refuses duplicate names', () => {
    const seen: string[] = [];
    const recorder: Verifier = (response, gold, opts) => {
      seen.push(`${response}|${gold}|${opts.relTol}`);
      return getVerifier('numeric')(response, gold, opts);
    };
    registerVerifier('recorder', recorder);
    expect(verify('0.51', '0.5', { verifier: 'recorder', relTol: 0.05 }).status).toBe('correct');
    expect(seen).toEqual(['0.51|0.5|0.05']);
    expect(() => registerVerifier('numeric', recorder)).toThrow(InputError);
    expect(() => registerVerifier('bad name!', recorder)).toThrow(InputError);
  });
});

describe('benchVerify', () => {
  it('synthesises the same mixed rows from the same seed', () => {
    const rows = synthesiseBenchRows(2000, 3);
    expect(synthesiseBenchRows(2000, 3)).toEqual(rows);
    expect(synthesiseBenchRows(2000, 4)).not.toEqual(rows);
    const share = (label: string): number => rows.filter((r) => r.label === label).length / rows.length;
    expect(share('correct')).toBeGreaterThan(0.4);
    expect(share('incorrect')).toBeGreaterThan(0.2);
    expect(share('unparseable')).toBeGreaterThan(0.05);
    expect(rows.filter((r) => r.wrongSteps > 0).length).toBeGreaterThan(100);
    const rules = new Set(rows.map((r) => verify(r.response, r.gold).extractedBy));
    expect([...rules].sort()).toEqual(['a_colon', 'answer_is', 'boxed', 'hashes', 'last_number', null]);
  });

  it('grades its synthetic rows as they were made, deterministically per seed', () => {
    const a = benchVerify({ rows: 3000, seed: 7 });
    const b = benchVerify({ rows: 3000, seed: 7 });
    console.log(`bench 3000 rows: ${a.rowsPerSecond.toFixed(0)} rows/s`);
    expect(a.rows).toBe(3000);
    expect(a.accuracy).toBe(1);
    expect(b.accuracy).toBe(1);
    expect(a.seconds).toBeGreaterThan(0);
    expect(a.rowsPerSecond).toBeCloseTo(3000 / a.seconds, 6);
    expect(() => benchVerify({ rows: 0 })).toThrow(InputError);
  });

  it('grades MATH-style rows under math as they were made', () => {
    const r = benchVerify({ rows: 600, seed: 3, verifier: 'math' });
    console.log(`bench math 600 rows: ${r.rowsPerSecond.toFixed(0)} rows/s`);
    expect(r).toMatchObject({ verifier: 'math', rowKind: 'math-style', rows: 600, accuracy: 1 });
  });
});
