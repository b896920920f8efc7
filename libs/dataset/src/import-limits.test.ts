import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset } from './import';
import { tempStores } from './test-helpers';

const stores = tempStores();
afterEach(() => stores.cleanup());

describe('dataset import size limit', () => {
  it('a response over the limit fails naming line and field, and nothing is written', async () => {
    const store = stores.open();
    const file = join(stores.dir(), 'pairs.jsonl');
    const rows = [{ prompt: 'p', response: 'short' }, { prompt: 'p', response: 'y'.repeat(100 * 1024 + 5) }];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await expect(importDataset(store, { file, name: 'big' })).rejects.toMatchObject({
      name: 'InputError',
      message: `field "response" has ${100 * 1024 + 5} bytes, more than the limit of ${100 * 1024}`,
      where: `${file}:2`,
    });
    expect(store.datasets.list()).toEqual([]);
    expect((await importDataset(store, { file, name: 'big', maxTextBytes: 1 << 20 })).rows).toBe(2);
  });
});
