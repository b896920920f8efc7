import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSteps, verify } from './index';

// libs/verify/src → repo root is three levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = process.env['SIEVE_GSM8K_DIR'] ?? path.resolve(repoRoot, '../shared/data/gsm8k');

interface Row {
  file: string;
  line: number;
  answer: string;
}

function loadRows(): Row[] {
  const rows: Row[] = [];
  for (const name of ['train.jsonl', 'test.jsonl']) {
    const file = path.join(dataDir, name);
    if (!fs.existsSync(file)) {
      throw new Error(
        `GSM8K file missing: ${file}. Set SIEVE_GSM8K_DIR to the folder holding train.jsonl and test.jsonl ` +
          `(default: <repo>/../shared/data/gsm8k).`,
      );
    }
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const row = JSON.parse(text) as { question?: unknown; answer?: unknown };
      if (typeof row.answer !== 'string' || typeof row.question !== 'string') {
        throw new Error(`${file}:${i + 1}: expected string fields "question" and "answer"`);
      }
      rows.push({ file: name, line: i + 1, answer: row.answer });
    });
  }
  return rows;
}

describe('GSM8K gold solutions', () => {
  const rows = loadRows();

  it('has both splits loaded', () => {
    expect(rows.filter((r) => r.file === 'train.jsonl').length).toBeGreaterThan(7000);
    expect(rows.filter((r) => r.file === 'test.jsonl').length).toBeGreaterThan(1000);
  });

  it('grades every solution correct against its own #### N and incorrect against N+1', () => {
    const failures: string[] = [];
    for (const r of rows) {
      const m = /####\s*([^\n]+)\s*$/.exec(r.answer);
      if (!m) {
        failures.push(`${r.file}:${r.line}: no "#### N" line`);
        continue;
      }
      const gold = (m[1] ?? '').trim();
      const own = verify(r.answer, gold);
      if (own.status !== 'correct' || own.extractedBy !== 'hashes') {
        failures.push(`${r.file}:${r.line}: own answer ${gold} → ${own.status} (${own.reason})`);
      }
      const bumped = (BigInt(gold.replace(/,/g, '')) + 1n).toString();
      const perturbed = r.answer.slice(0, m.index) + `#### ${bumped}`;
      const other = verify(perturbed, gold);
      if (other.status !== 'incorrect') {
        failures.push(`${r.file}:${r.line}: perturbed ${bumped} vs ${gold} → ${other.status} (${other.reason})`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('finds few wrong calculator annotations in the gold solutions', () => {
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
