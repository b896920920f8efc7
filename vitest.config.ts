import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const libs = ['core', 'store', 'tasks', 'verify', 'dataset', 'model', 'sample', 'train', 'eval', 'inspect', 'pipeline'];
const alias = Object.fromEntries(libs.map((l) => [`@sieve/${l}`, `${root}libs/${l}/src/index.ts`]));

export default defineConfig({
  resolve: { alias },
  test: {
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
