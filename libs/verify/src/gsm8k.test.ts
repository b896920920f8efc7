import { describe, expect, it } from 'vitest';
import { GSM8K_FIXTURE_DIR, gsm8kData, readGsm8kRows } from '@sieve/core';
import { checkSteps } from './steps';
import { verify } from './registry';

// The project's GSM8K-format fixture always; GSM8K itself too when present (SIEVE_GSM8K_DIR or ../shared/data/gsm8k).
const data = gsm8kData();
const load = (dir: string) => (['train', 'test'] as const).flatMap((split) => readGsm8kRows(dir, split).map((r) => ({ ...r, file: `${split}.jsonl` })));
type Row = ReturnType<typeof load>[number];
const fixture = load(GSM8K_FIXTURE_DIR);
const full = data.full ? load(data.dir) : [];

/** N+1 on the integer part, keeping commas out: `1,575` → `1576`, `129.75` → `130.75`, `-155` → `-154`. */
function bump(gold: string): string {
  const [int = '0', frac] = gold.replace(/,/g, '').split('.');
  const next = (BigInt(int) + 1n).toString();
  return frac === undefined ? next : `${next}.${frac}`;
}

/** Every solution must grade correct against its own `#### N` and incorrect against N+1 (under `numeric` or `math`). */
function gradeOwnAndBumped(rows: Row[], verifier = 'numeric'): string[] {
  const failures: string[] = [];
  for (const r of rows) {
    const m = /####\s*([^\n]+)\s*$/.exec(r.answer);
    if (!m) {
      failures.push(`${r.file}:${r.line}: no "#### N" line`);
      continue;
    }
    const gold = (m[1] ?? '').trim();
    // A generous time budget: this checks verdicts, not speed (budgets have their own tests).
    const own = verify(r.answer, gold, { verifier, timeBudgetMs: 10_000 });
    if (own.status !== 'correct' || own.extractedBy !== 'hashes') {
      failures.push(`${r.file}:${r.line}: own answer ${gold} → ${own.status} (${own.reason})`);
    }
    const bumped = bump(gold);
    const perturbed = r.answer.slice(0, m.index) + `#### ${bumped}`;
    const other = verify(perturbed, gold, { verifier, timeBudgetMs: 10_000 });
    if (other.status !== 'incorrect') {
      failures.push(`${r.file}:${r.line}: perturbed ${bumped} vs ${gold} → ${other.status} (${other.reason})`);
    }
  }
  return failures.slice(0, 10);
}

describe('GSM8K-format fixture (the project\'s own questions)', () => {
  it('grades every solution correct against its own #### N and incorrect against N+1', () => {
    expect(fixture.length).toBeGreaterThan(20);
    expect(gradeOwnAndBumped(fixture)).toEqual([]);
  });

  it('grades the same under the math verifier', () => {
    expect(gradeOwnAndBumped(fixture, 'math')).toEqual([]);
  });

  it('finds every calculator annotation right, and a wrong one wrong', () => {
    const rows = fixture;
    const reports = rows.map((r) => checkSteps(r.answer));
    const total = reports.reduce((n, rep) => n + rep.total, 0);
    expect(total).toBeGreaterThan(50);
    expect(reports.filter((rep) => rep.wrong > 0 || rep.unchecked > 0)).toEqual([]);
    const first = rows[0]?.answer ?? '';
    const broken = first.replace(/=(-?[\d.]+)>>/, (_, v: string) => `=${bump(v)}>>`);
    expect(checkSteps(broken).wrong).toBe(1);
  });

});

describe('GSM8K (full set, 8,792 solutions)', () => {
  it('has both splits loaded', (ctx) => {
    if (!data.full) ctx.skip(data.reason);
    expect(full.filter((r) => r.file === 'train.jsonl').length).toBe(7473);
    expect(full.filter((r) => r.file === 'test.jsonl').length).toBe(1319);
  });

  it('grades every solution correct against its own #### N and incorrect against N+1', (ctx) => {
    if (!data.full) ctx.skip(data.reason);
    expect(gradeOwnAndBumped(full)).toEqual([]);
  });

  it('grades the same under the math verifier: own answer correct, N+1 incorrect', (ctx) => {
    if (!data.full) ctx.skip(data.reason);
    expect(gradeOwnAndBumped(full, 'math')).toEqual([]);
  });

  it('finds few wrong calculator annotations', (ctx) => {
    if (!data.full) ctx.skip(data.reason);
    const rows = full;
    let total = 0;
    let wrong = 0;
    let unchecked = 0;
    const wrongExamples: string[] = [];
    for (const r of rows) {
      const rep = checkSteps(r.answer);
      total += rep.total;
      wrong += rep.wrong;
      unchecked += rep.unchecked;
      for (const s of rep.steps) if (s.ok === false && wrongExamples.length < 5) wrongExamples.push(`<<${s.expr}=${s.claimed}>>`);
    }
    console.log(
      `GSM8K annotations: ${total} checked, ${wrong} wrong (${((100 * wrong) / total).toFixed(3)}%), ` +
        `${unchecked} unchecked${wrongExamples.length ? `; e.g. ${wrongExamples.join(' ')}` : ''}`,
    );
    // Every solution line in GSM8K carries annotations: tens of thousands of them.
    expect(total).toBeGreaterThan(20_000);
    expect(wrong / total).toBeLessThan(0.02);
    expect(unchecked / total).toBeLessThan(0.01);
  });
});
