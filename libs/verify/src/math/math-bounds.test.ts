import { describe, expect, it } from 'vitest';
import { mathVerifier, parseMathGold } from './math-verifier';

/** Grades and returns the verdict with the wall time it took. */
function timed(response: string, gold: string, timeBudgetMs?: number) {
  const t0 = performance.now();
  const v = mathVerifier(response, gold, timeBudgetMs === undefined ? {} : { timeBudgetMs });
  return { v, ms: performance.now() - t0 };
}

describe('math verifier: bounded time per verdict', () => {
  it('stops a power tower before compute-engine tries to compute it', () => {
    timed('\\boxed{x+1}', 'x+1'); // warm-up
    const { v, ms } = timed('\\boxed{9^{9^{9^{9}}}}', '9'); // compute-engine alone spends ~25 s here
    expect(v.status).toBe('unparseable');
    expect(v.reason).toMatch(/more than 10000 digits/);
    expect(ms).toBeLessThan(200);
  });

  it('turns a verdict that runs over its budget into unparseable with reason timeout', () => {
    // A set of 40 expressions in two variables against a gold set none of them matches: reading
    // it takes compute-engine a few ms and the matching tries 1,600 pairs, beyond a 2 ms budget.
    const members = Array.from({ length: 40 }, (_, i) => `x^{${i + 2}}+y`);
    const response = `\\boxed{\\{${members.join(', ')}\\}}`;
    const gold = `\\{${members.map((m) => `${m}+1`).join(', ')}\\}`;
    timed('\\boxed{x+1}', 'x+1'); // warm-up: compute-engine's first parse compiles its dictionaries
    parseMathGold(gold); // a gold is read once (within its own budget) and cached: time the response only
    const { v, ms } = timed(response, gold, 2);
    expect(v).toMatchObject({ status: 'unparseable', reason: 'timeout' });
    expect(ms).toBeLessThan(50);
    // With a generous budget the same verdict completes: the timeout was the budget, not a failure.
    expect(timed(response, gold, 60_000).v.status).toBe('incorrect');
  });

  it('refuses deep nesting and huge answers quickly', () => {
    const deep = timed(`\\boxed{${'('.repeat(2_000)}1${')'.repeat(2_000)}}`, '1');
    expect(deep.v.status).toBe('unparseable');
    expect(deep.ms).toBeLessThan(200);
    const huge = timed(`\\boxed{${'x+'.repeat(500_000)}1}`, '1');
    expect(huge.v).toMatchObject({ status: 'unparseable' });
    expect(huge.v.reason).toMatch(/longer than 1000 characters/);
    expect(huge.ms).toBeLessThan(500);
    const factorial = timed('\\boxed{100000!}', '1');
    expect(factorial.v.status).toBe('unparseable');
    expect(factorial.ms).toBeLessThan(200);
  });
});
