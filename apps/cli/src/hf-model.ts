import { initBackend } from '@sieve/model';
import type { Store } from '@sieve/store';
import { hfPathOf, importHfModel } from '@sieve/train';
import { logLine } from './parse';

/**
 * `--model`/`--from` as given: `hf:PATH` imports the Hugging Face folder into the run's models/
 * (once per folder content) and gives its model id; anything else is returned unchanged.
 * Initialises the backend when it imports.
 */
export async function modelArg(store: Store, arg: string): Promise<string> {
  const dir = hfPathOf(arg);
  if (dir === null) return arg;
  await initBackend({ log: logLine });
  return (await importHfModel(store, { dir, log: logLine })).modelId;
}
