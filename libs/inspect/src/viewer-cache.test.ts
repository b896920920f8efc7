import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '@sieve/store';
import { createViewerApp } from './app';
import { openReadonlyStore } from './open-store';
import { makeFixture, type Fixture } from './test-helpers';

let fx: Fixture;
let reader: Store;
beforeAll(() => {
  fx = makeFixture();
  reader = openReadonlyStore(fx.dbPath);
});
afterAll(() => {
  reader.close();
  fx.cleanup();
});

describe('viewer caches', () => {
  it('serve cached aggregates until another connection commits, then recompute', async () => {
    const app = createViewerApp({ store: reader, runDir: fx.dir });
    const page = async (p: string) => (await app.request(p)).text();
    expect(await page('/')).toContain('samples 14 ·');
    expect(await page('/runs/1?sort=id')).toContain('<td>train</td><td>2/4</td><td>50.0%</td>');

    // A pipeline stage (another connection) adds a correct sample of question 1.
    const writer = Store.open(fx.dbPath);
    writer.samples.insertMany(1, [{ questionId: 1, sampleIndex: 4, seed: 9, text: '#### 5', tokenCount: 7, logprobSum: -1, tokenLogprobs: null, finishReason: 'stop' }]);
    writer.verdicts.upsertMany([{ sampleId: 15, verifier: 'numeric', status: 'correct', extracted: '5', reason: 'ok', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} }]);
    // …and a re-verification changes a verdict in place (same row id).
    writer.verdicts.upsertMany([{ sampleId: 2, verifier: 'numeric', status: 'incorrect', extracted: '4', reason: 'changed', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} }]);
    writer.close();

    expect(await page('/')).toContain('samples 15 ·');
    // q1: samples 1..4 + 15; correct: 1 and 15 (2 turned incorrect) → 2/5
    expect(await page('/runs/1?sort=id')).toContain('<td>train</td><td>2/5</td><td>40.0%</td>');
  });
});
