// Entry of a child process that runs one stage instance of `sieve run --jobs N`: the child starts
// without the parent's TypeScript loader, so register tsx (with the repo's tsconfig for the
// @sieve/* path aliases, passed as the first argument), then load the TS entry.
import { register } from 'tsx/esm/api';

register({ tsconfig: process.argv[2] });
await import('./instance-child.ts');
