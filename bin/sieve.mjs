#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step) through tsx, with the workspace's path aliases.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
register({ tsconfig: `${root}tsconfig.base.json` });
await import('../apps/cli/src/main.ts');
