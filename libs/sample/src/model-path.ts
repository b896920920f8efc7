import * as path from 'node:path';
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';

/** The checkpoint folder of a registered model (its store path is relative to the run folder, or absolute). */
export function resolveModelDir(store: Store, modelId: string, runDir: string): string {
  const row = store.models.get(modelId);
  if (!row) {
    const ids = store.models.list().map((m) => m.id);
    throw new InputError(`unknown model "${modelId}"`, {
      where: store.path,
      hint: ids.length ? `models here: ${ids.join(', ')}` : 'there are no models yet: pretrain or import one first',
    });
  }
  return path.isAbsolute(row.path) ? row.path : path.resolve(runDir, row.path);
}
