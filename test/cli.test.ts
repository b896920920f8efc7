import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GSM8K_FIXTURE_DIR, gsm8kData } from '@sieve/core';
import { sieve, tempDir } from './helpers';

const gsm8k = gsm8kData();

let dir = '';
let cleanup = (): void => undefined;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
});
afterAll(() => cleanup());

describe('sieve CLI as a user types it', () => {
  it('explains itself with --help and rejects unknown commands with exit 2', () => {
    const help = sieve(dir, ['--help']);
    expect(help.code).toBe(0);
    for (const c of ['questions', 'run', 'pretrain', 'sample', 'verify', 'filter', 'train', 'eval', 'export', 'datasets', 'inspect', 'serve', 'grade', 'doctor', 'bench']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    expect(help.stdout).toContain('--run <name>');
    const sub = sieve(dir, ['questions', 'import', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--skip-bad');
    const bad = sieve(dir, ['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('generates a synthetic set into data/runs/<run>/ deterministically and idempotently', () => {
    const first = sieve(dir, ['--run', 'gen', 'questions', 'generate', '--splits', 'train:id:30,ood:ood:10', '--seed', '3']);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir, 'data', 'runs', 'gen', 'sieve.sqlite'))).toBe(true);
    expect(first.stdout).toMatch(/train\s+id\s+30\s+30\s+0/);
    expect(first.stdout).toMatch(/ood\s+ood\s+10\s+10\s+0/);
    const again = sieve(dir, ['--run', 'gen', 'questions', 'generate', '--splits', 'train:id:30,ood:ood:10', '--seed', '3']);
    expect(again.stdout).toMatch(/train\s+id\s+30\s+0\s+30/);
    const list = sieve(dir, ['--run', 'gen', 'questions', 'list', '--set', 'synth', '--split', 'ood', '--json', '--limit', '100']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r.goldSolution).toContain(`#### ${r.goldAnswer}`);
  });

  it('imports GSM8K-format JSONL once, however many times it is run (the fixture)', () => {
    const file = join(GSM8K_FIXTURE_DIR, 'test.jsonl');
    const first = sieve(dir, ['--run', 'fix', 'questions', 'import', file, '--set', 'fix', '--split', 'test']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/fix\s+test\s+8\s+8\s+0\s+0/);
    const again = sieve(dir, ['--run', 'fix', 'questions', 'import', file, '--set', 'fix', '--split', 'test']);
    expect(again.stdout).toMatch(/fix\s+test\s+8\s+0\s+8\s+0/);
    const list = sieve(dir, ['--run', 'fix', 'questions', 'list', '--set', 'fix', '--json']);
    expect(list.stdout.trim().split('\n').map((l) => JSON.parse(l).goldAnswer)).toEqual(['12600', '1575', '-155', '270', '120', '129.75', '52020', '34']);
  });

  it('imports GSM8K JSONL once, however many times it is run (full test split)', (ctx) => {
    if (!gsm8k.full) ctx.skip(gsm8k.reason);
    const file = join(gsm8k.dir, 'test.jsonl');
    const first = sieve(dir, ['--run', 'imp', 'questions', 'import', file, '--set', 'gsm8k', '--split', 'test']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/gsm8k\s+test\s+1319\s+1319\s+0\s+0/);
    const again = sieve(dir, ['--run', 'imp', 'questions', 'import', file, '--set', 'gsm8k', '--split', 'test']);
    expect(again.stdout).toMatch(/gsm8k\s+test\s+1319\s+0\s+1319\s+0/);
    const list = sieve(dir, ['--run', 'imp', 'questions', 'list', '--set', 'gsm8k', '--limit', '1', '--json']);
    const first1 = JSON.parse(list.stdout.trim());
    expect(first1.text).toMatch(/^Janet.s ducks lay 16 eggs per day/);
    expect(first1.goldAnswer).toBe('18');
  });

  it('stops on a malformed CSV row with its line and writes nothing; --skip-bad imports the rest', () => {
    const csv = join(dir, 'q.csv');
    writeFileSync(csv, 'question,answer\n"What is 2+2?",4\n"Broken row with "" quote,5\n"What is 3+3?",abc\n"What is 1+1?",2\n');
    const res = sieve(dir, ['--run', 'csv', 'questions', 'import', csv]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/q\.csv:\d+/);
    const list = sieve(dir, ['--run', 'csv', 'questions', 'list', '--json']);
    expect(list.stdout.trim()).toBe('');
    const skip = sieve(dir, ['--run', 'csv', 'questions', 'import', csv, '--skip-bad']);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/skipped .*q\.csv:\d+/);
    const after = sieve(dir, ['--run', 'csv', 'questions', 'list', '--set', 'q', '--json']);
    const golds = after.stdout.trim().split('\n').map((l) => JSON.parse(l).goldAnswer);
    expect(golds).toContain('4');
    expect(golds).toContain('2');
  });

  it('grades a responses file against hand-labelled golds', () => {
    const file = join(dir, 'responses.jsonl');
    const rows = [
      { response: 'She has 16-3-4=<<16-3-4=9>>9 eggs, 9*2=<<9*2=18>>18 dollars.\n#### 18', gold: '18', want: 'correct' },
      { response: 'The answer is $1,200.', gold: 'Total 600*2=<<600*2=1200>>1200\n#### 1200', want: 'correct' },
      { response: 'So \\boxed{\\frac{1}{2}}', gold: '0.5', want: 'correct' },
      { response: '2+2=<<2+2=5>>5 so #### 5', gold: '4', want: 'incorrect' },
      { response: 'I do not know.', gold: '7', want: 'unparseable' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const out = join(dir, 'verdicts.jsonl');
    const res = sieve(dir, ['grade', file, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const verdicts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(verdicts.map((v) => v.status)).toEqual(rows.map((r) => r.want));
    expect(verdicts[3].steps.wrong).toBe(1);
    expect(res.stderr).toMatch(/graded 5 rows: 3 correct \(60\.00%\), 1 incorrect, 1 unparseable/);
    const missing = sieve(dir, ['grade', file, '--gold-field', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/responses\.jsonl:1/);
    expect(missing.stderr).toMatch(/nope/);
  });

  it('doctor reports Node and the backends', () => {
    const res = sieve(dir, ['doctor'], { SIEVE_BACKEND: '' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`node ${process.versions.node}`);
    expect(res.stdout).toMatch(/wasm\s+yes/);
    expect(res.stdout).toMatch(/tfjs-node-gpu\s+no/);
  });
});
