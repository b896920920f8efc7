import { InputError } from '@sieve/core';
import type { SampleRunRow, Store } from '@sieve/store';

/** The sample run with this name, or an InputError that names the runs there are. */
export function findRun(store: Store, runName: string): SampleRunRow {
  const run = store.samples.getRun(runName);
  if (run) return run;
  const names = store.samples.listRuns().map((r) => r.name);
  throw new InputError(`unknown sample run "${runName}"`, {
    where: store.path,
    hint: names.length ? `existing runs: ${names.join(', ')}` : 'there are no sample runs yet: run `sieve sample` first',
  });
}
