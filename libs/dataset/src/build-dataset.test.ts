import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { buildDataset } from './build-dataset';
import { emptyDropCounts } from './rules-schema';
import { formatPrompt } from './prompt';
import { verifySamples } from './verify-stage';
import { seedRun, tempStores, thrown, type SeedQuestion } from './test-helpers';

const stores = tempStores();
afterEach(() => stores.cleanup());

const Q1 = 'Tom has 3 bags of 4 apples. How many apples?';
// lengths: '#### 12' 7, '#### 13' 7, '3*4=<<3*4=12>>12 #### 12' 24, '#### 7' 6, '#### 4' 6, '#### 6' 6
const QUESTIONS: SeedQuestion[] = [
  { text: Q1, gold: '12', samples: ['#### 12', '#### 12', '#### 13', '3*4=<<3*4=12>>12 #### 12'] },
  { text: 'What is 3+4?', gold: '7', samples: ['#### 7', ['#### 7', 'length']] },
  { text: 'What is 2+3?', gold: '5', samples: ['#### 4', '#### 6'] },
];

function verified() {
  const store = stores.open();
  const seeded = seedRun(store, 'r1', QUESTIONS);
  verifySamples(store, { runName: 'r1' });
  return { store, ...seeded };
}

describe('buildDataset', () => {
  it('includeGold adds one kept gold item per sampled question, even one with no correct sample', () => {
    const { store } = verified();
    const plain = buildDataset(store, { runName: 'r1', name: 'rft', rules: {} });
    const res = buildDataset(store, { runName: 'r1', name: 'rft', rules: { includeGold: true } });
    const gold = store.datasets.items(res.dataset.id, { kept: true }).filter((it) => it.sampleId === null);
    expect(gold.map((it) => [it.prompt, it.response])).toEqual([
      [formatPrompt(Q1), '#### 12'],
      [formatPrompt('What is 3+4?'), '#### 7'],
      [formatPrompt('What is 2+3?'), '#### 5'],
    ]);
    expect([res.counts.kept, res.gold, plain.gold]).toEqual([plain.counts.kept, 3, 0]);
    expect(res.dataset.stats['gold']).toBe(3);
    const pairs = buildDataset(store, { runName: 'r1', name: 'p', rules: { includeGold: true }, kind: 'pairs' });
    expect(store.datasets.items(pairs.dataset.id).every((it) => it.sampleId !== null)).toBe(true);
  });

  it('makes a new version per build, each intact, with its rules and hand-computed stats', () => {
    const { store, runId, ids } = verified();
    const v1 = buildDataset(store, { runName: 'r1', name: 'rft', rules: {} });
    const v2 = buildDataset(store, { runName: 'r1', name: 'rft', rules: { maxPerQuestion: 1 } });
    expect([v1.dataset.version, v2.dataset.version]).toEqual([1, 2]);
    expect(v1.dataset).toMatchObject({ name: 'rft', kind: 'rft', sampleRunId: runId });

    const [q1, q2, q3] = ids as [number[], number[], number[]];
    const reasons = (datasetId: number) => Object.fromEntries(store.datasets.items(datasetId).map((it) => [it.sampleId, it.dropReason ?? 'kept']));
    const v1Reasons = {
      [q1[0]!]: 'kept',
      [q1[1]!]: 'duplicate-exact',
      [q1[2]!]: 'incorrect',
      [q1[3]!]: 'kept',
      [q2[0]!]: 'kept',
      [q2[1]!]: 'truncated',
      [q3[0]!]: 'incorrect',
      [q3[1]!]: 'incorrect',
    };
    expect(reasons(v1.dataset.id)).toEqual(v1Reasons);
    expect(reasons(v2.dataset.id)).toEqual({ ...v1Reasons, [q1[3]!]: 'over-cap' });
    // building v2 left v1 as it was
    expect(reasons(store.datasets.byName('rft', 1)!.id)).toEqual(v1Reasons);

    expect(v1.counts).toEqual({ total: 8, kept: 3, dropped: { ...emptyDropCounts(), incorrect: 3, 'duplicate-exact': 1, truncated: 1 } });
    expect(v2.counts.dropped['over-cap']).toBe(1);
    expect(store.datasets.dropCounts(v1.dataset.id)).toEqual({ incorrect: 3, 'duplicate-exact': 1, truncated: 1 });

    expect(v1.dataset.stats).toEqual({
      questions: 3,
      samples: 8,
      kept: 3,
      acceptanceRate: 3 / 8,
      questionsWithKept: 2,
      // q1 has 3 correct, q2 2, q3 0; at most 4 samples per question
      correctPerQuestion: [1, 0, 1, 1, 0],
      dropped: { ...emptyDropCounts(), incorrect: 3, 'duplicate-exact': 1, truncated: 1 },
      meanLength: { kept: (7 + 24 + 6) / 3, dropped: (7 + 7 + 6 + 6 + 6) / 5 },
    });
    expect(v2.dataset.rules).toEqual({ requireSteps: false, finish: 'stop', dedup: 'none', maxPerQuestion: 1, verifier: 'numeric', promptFormat: 1 });

    const first = store.datasets.items(v1.dataset.id, { kept: true })[0]!;
    expect(first).toMatchObject({ sampleId: q1[0], prompt: `Q: ${Q1}\nA: `, response: '#### 12', kept: true, dropReason: null });
    expect(first.prompt).toBe(formatPrompt(Q1));
  });

  it('builds DPO pairs: each kept sample with a wrong one of its question', () => {
    const { store, ids } = verified();
    const [q1, q2] = ids as [number[], number[]];
    const { dataset, counts } = buildDataset(store, { runName: 'r1', name: 'dpo', kind: 'pairs' });
    expect(dataset.kind).toBe('pairs');
    const kept = store.datasets.items(dataset.id, { kept: true });
    expect(kept.map((it) => [it.sampleId, it.rejectedSampleId, it.rejectedResponse])).toEqual([
      [q1[0], q1[2], '#### 13'],
      [q1[3], q1[2], '#### 13'],
    ]);
    // q2's kept sample has no wrong sample to pair with
    expect(store.datasets.items(dataset.id).find((it) => it.sampleId === q2[0])!.dropReason).toBe('no-rejected');
    expect(counts.kept).toBe(2);
    expect(counts.dropped['no-rejected']).toBe(1);
    expect(dataset.stats.pairs).toBe(2);
  });

  it('refuses a run with unverified samples, an unknown run and bad rules', () => {
    const store = stores.open();
    seedRun(store, 'r1', QUESTIONS);
    expect(() => buildDataset(store, { runName: 'r1', name: 'rft' })).toThrow(InputError);
    expect(() => buildDataset(store, { runName: 'r1', name: 'rft' })).toThrow(/8 samples without a verdict of their question set's verifier \(numeric\)/);
    expect((thrown(() => buildDataset(store, { runName: 'r1', name: 'rft' })) as InputError).hint).toContain('sieve verify');
    verifySamples(store, { runName: 'r1' });
    expect(() => buildDataset(store, { runName: 'r1', name: 'rft', verifier: 'other' })).toThrow(/sieve verify|without/);
    expect(() => buildDataset(store, { runName: 'r9', name: 'rft' })).toThrow(/unknown sample run "r9"/);
    expect(() => buildDataset(store, { runName: 'r1', name: 'rft', rules: { maxPerQuestion: -1 } })).toThrow(/rules\.maxPerQuestion/);
    expect(store.datasets.list()).toEqual([]);
  });
});
