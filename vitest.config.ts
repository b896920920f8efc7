import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const libs = ['core', 'store', 'tasks', 'verify', 'dataset', 'model', 'sample', 'train', 'eval', 'inspect', 'pipeline'];
const alias = Object.fromEntries(libs.map((l) => [`@sieve/${l}`, `${root}libs/${l}/src/index.ts`]));

/** Prints each test skipped with a reason (e.g. full GSM8K absent), which the default reporter hides. */
const skipNotes = {
  onTestCaseResult(test: { fullName: string; module: { moduleId: string }; result(): { state: string; note?: string } }): void {
    const r = test.result();
    if (r.state === 'skipped' && r.note) process.stdout.write(`  ↓ skipped: ${test.module.moduleId.slice(root.length)} > ${test.fullName} — ${r.note}\n`);
  },
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', skipNotes],
    pool: 'forks',
    passWithNoTests: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      ...libs.map((name) => ({
        extends: true as const,
        test: { name, root: `${root}libs/${name}`, include: ['src/**/*.test.ts'] },
      })),
      { extends: true as const, test: { name: 'cli', root: `${root}apps/cli`, include: ['src/**/*.test.ts'] } },
      { extends: true as const, test: { name: 'e2e', root: `${root}test`, include: ['**/*.test.ts'] } },
    ],
  },
});
