import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const sieveBin = join(repoRoot, 'bin', 'sieve.mjs');

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
    timeout: 300_000,
  });
  if (res.error) throw res.error;
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

export function tempDir(prefix = 'sieve-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const SYSTEM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Headless Chromium for the viewer tests: the build that ships inside the npm package
 * @sparticuz/chromium (unpacked to the temp folder on first use, no root, no network), else a system
 * Chromium. Throws with every attempt's error when none starts: a missing browser fails tests.
 */
export async function launchBrowser(): Promise<{ browser: Browser; which: string }> {
  const errors: string[] = [];
  try {
    const exe = await sparticuz.executablePath();
    return { browser: await chromium.launch({ executablePath: exe, args: sparticuz.args, headless: true }), which: `@sparticuz/chromium (${exe})` };
  } catch (err) {
    errors.push(`@sparticuz/chromium: ${(err as Error).message}`);
  }
  for (const exe of SYSTEM_CHROMIUM.filter((p) => existsSync(p))) {
    try {
      return { browser: await chromium.launch({ executablePath: exe, args: SYSTEM_ARGS }), which: exe };
    } catch (err) {
      errors.push(`${exe}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no headless Chromium could start:\n${errors.join('\n') || 'no system Chromium found'}`);
}
