import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the tests read GSM8K-format data from, and whether it is the full set. */
export interface Gsm8kData {
  /** Folder holding `train.jsonl` and `test.jsonl`. */
  dir: string;
  /** True for GSM8K itself (7,473 + 1,319 rows); false for the project's own GSM8K-format fixture. */
  full: boolean;
  /** Why the full set is not used ('' when it is): shown as the skip note of full-data tests. */
  reason: string;
}

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** sieve's own questions written in GSM8K's format (commas, `$`, decimals, negatives, long annotations). */
export const GSM8K_FIXTURE_DIR = join(repoRoot, 'data', 'fixtures', 'gsm8k-format');

const hasBoth = (dir: string): boolean => existsSync(join(dir, 'train.jsonl')) && existsSync(join(dir, 'test.jsonl'));

/**
 * GSM8K (MIT, OpenAI) for the tests: `SIEVE_GSM8K_DIR`, else `<repo>/../shared/data/gsm8k`; when neither
 * holds it, the fixture. GSM8K is never copied into the repo. With `SIEVE_REQUIRE_GSM8K=1` (set by
 * `.ci/run`) a missing full set throws, so CI cannot pass with the full-data tests skipped.
 * @throws Error when `SIEVE_GSM8K_DIR` is set but lacks the files, or the full set is required and absent.
 */
export function gsm8kData(env: NodeJS.ProcessEnv = process.env): Gsm8kData {
  const given = env['SIEVE_GSM8K_DIR'];
  if (given && !hasBoth(given)) throw new Error(`SIEVE_GSM8K_DIR=${given} has no train.jsonl and test.jsonl: point it at GSM8K's folder or unset it`);
  const dir = given ?? resolve(repoRoot, '..', 'shared', 'data', 'gsm8k');
  if (hasBoth(dir)) return { dir, full: true, reason: '' };
  const reason = `full GSM8K not found (set SIEVE_GSM8K_DIR, or put it at ${dir}); ran on the GSM8K-format fixture only`;
  if (env['SIEVE_REQUIRE_GSM8K'] === '1') throw new Error(`SIEVE_REQUIRE_GSM8K=1 but ${reason}`);
  return { dir: GSM8K_FIXTURE_DIR, full: false, reason };
}

/** The non-empty lines of `<dir>/<split>.jsonl`, parsed, with their 1-based line numbers. */
export function readGsm8kRows(dir: string, split: 'train' | 'test'): { line: number; question: string; answer: string }[] {
  const file = join(dir, `${split}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter((r) => r.text.trim() !== '')
    .map(({ text, line }) => {
      const row = JSON.parse(text) as { question?: unknown; answer?: unknown };
      if (typeof row.question !== 'string' || typeof row.answer !== 'string') throw new Error(`${file}:${line}: expected string fields "question" and "answer"`);
      return { line, question: row.question, answer: row.answer };
    });
}
