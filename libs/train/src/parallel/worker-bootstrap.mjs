// Entry of a gradient worker thread: workers start without the parent's TypeScript loader, so
// register tsx (with the repo's tsconfig for the @sieve/* path aliases), then load the TS worker.
// (The same as libs/sample/src/worker-bootstrap.mjs.)
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register({ tsconfig: workerData.tsconfig });
await import(workerData.entry);
