/**
 * Evaluation grades each response by the verifier its question's set was imported with
 * (`meta.verifier`, else numeric) unless one is given. A verifier registered here that accepts
 * every response makes the difference visible on a random tiny model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, initBackend, saveCheckpoint } from '@sieve/model';
import { Store } from '@sieve/store';
import { registerVerifier } from '@sieve/verify';
import { benchmarkSummary } from './benchmark-summary';
import { evaluateModel, type EvaluateOptions } from './evaluate-model';
import { evaluateSets } from './evaluate-sets';

let runDir: string;
let store: Store;
const tok = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?QA\nabcdefghijklmnopqrstuvwxyz']);

registerVerifier('accept-all-test', (_response, gold) => ({ status: 'correct', extracted: null, extractedBy: null, gold, reason: 'accepts all', steps: { total: 0, wrong: 0, unchecked: 0 } }));

beforeAll(async () => {
  try {
    await initBackend({ prefer: 'wasm' });
  } catch {
    await initBackend({ prefer: 'cpu' });
  }
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-eval-verifier-'));
  const model = createModel({ vocabSize: tok.vocabSize, dim: 16, layers: 1, heads: 2, kvHeads: 2, mlpDim: 24, contextLength: 48 }, { seed: 9 });
  await saveCheckpoint(path.join(runDir, 'models', 'base'), { config: model.config, tokenizer: tok, params: model.params });
  model.dispose();
  store = Store.open(path.join(runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  // Golds no random response gives: numeric grades every response incorrect.
  const qs = (verifier: string | null) => [1, 2, 3].map((i) => ({ text: `${i} ${verifier ?? 'x'}?`, goldAnswer: '987654321', goldSolution: null, difficulty: null, meta: verifier ? { verifier } : {} }));
  store.questions.insertMany('own', 'test', 'import', qs('accept-all-test'));
  store.questions.insertMany('plain', 'test', 'import', qs(null));
});
afterAll(() => {
  store.close();
  fs.rmSync(runDir, { recursive: true, force: true });
});

const opts = (set: string): EvaluateOptions => ({ modelId: 'base', runDir, set, splits: ['test'], n: 2, temperature: 1, maxNewTokens: 8, batchSize: 8, workers: 0, seed: 1, backend: 'wasm' });

describe('evaluateModel grading', () => {
  it('uses each question set\'s own verifier when none is given, numeric for a set without one', async () => {
    const [own] = await evaluateModel(store, opts('own'));
    expect([own?.avgAtN, own?.greedy]).toEqual([1, 1]);
    expect(own?.settings).not.toHaveProperty('verifier');
    const [plain] = await evaluateModel(store, opts('plain'));
    expect([plain?.avgAtN, plain?.greedy]).toEqual([0, 0]);
  });

  it('a given verifier overrides the set\'s own, and is recorded in the settings', async () => {
    const [own] = await evaluateModel(store, { ...opts('own'), verifier: 'numeric' });
    expect([own?.avgAtN, own?.greedy, own?.settings.verifier]).toEqual([0, 0, 'numeric']);
    await expect(evaluateModel(store, { ...opts('own'), verifier: 'nosuch' })).rejects.toThrow(/unknown verifier "nosuch"/);
  });

  it('evaluates several sets (benchmarks) in one call, each by its own verifier, with a column per set and their mean', async () => {
    const seen = new Set<string>();
    const res = await evaluateSets(store, { ...opts('own'), sets: ['own', 'plain'], onProgress: (p) => seen.add(`${p.set}/${p.split}`) });
    expect(res.map((r) => [r.set, r.split, r.avgAtN, r.greedy])).toEqual([['own', 'test', 1, 1], ['plain', 'test', 0, 0]]);
    expect([...seen]).toEqual(['own/test', 'plain/test']);
    expect(benchmarkSummary(res)).toEqual({ benchmarks: ['own', 'plain'], avgAtN: { values: [1, 0], avg: 0.5 }, greedy: { values: [1, 0], avg: 0.5 } });
    await expect(evaluateSets(store, { ...opts('own'), sets: ['own', 'nosuch'] })).rejects.toThrow(/no questions in set "nosuch"/);
  });
});
