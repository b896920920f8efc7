import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const sieveBin = join(repoRoot, 'bin', 'sieve.mjs');
export const gsm8kDir = process.env['SIEVE_GSM8K_DIR'] ?? resolve(repoRoot, '..', 'shared', 'data', 'gsm8k');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sieve …` as a user types it, in cwd, with a small deterministic environment. */
export function sieve(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const res: SpawnSyncReturns<string> = spawnSync(process.execPath, [sieveBin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SIEVE_BACKEND: 'wasm', ...env },
    timeout: 120_000,
  });
  if (res.error) throw res.error;
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

export function tempDir(prefix = 'sieve-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
