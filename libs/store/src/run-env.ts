import { join } from 'node:path';
import type { Store } from './store';

/** What every pipeline stage works in: the run's store and its folder (`data/runs/<name>/`). */
export interface RunEnv {
  store: Store;
  runDir: string;
}

/** Where a run keeps the checkpoint of model `id`: `<runDir>/models/<id>/`. */
export const modelFolder = (env: RunEnv, id: string): string => join(env.runDir, 'models', id);
