import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, initBackend, loadCheckpoint, saveCheckpoint } from '@sieve/model';
import { encodePrompt, generate, startModelServer } from '@sieve/sample';
import { Store } from '@sieve/store';
import { verify } from '@sieve/verify';
import { summarizeEvaluation } from '../summary';
import { evaluateModel, evaluationSeed, type EvaluateOptions, type EvaluateProgress } from './evaluate-model';

let runDir: string;
let store: Store;
const tok = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?QA\nabcdefghijklmnopqrstuvwxyz']);

beforeAll(async () => {
  try {
    await initBackend({ prefer: 'wasm' });
  } catch {
    await initBackend({ prefer: 'cpu' });
  }
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-eval-'));
  const model = createModel({ vocabSize: tok.vocabSize, dim: 16, layers: 1, heads: 2, kvHeads: 2, mlpDim: 24, contextLength: 64 }, { seed: 9 });
  await saveCheckpoint(path.join(runDir, 'models', 'base'), { config: model.config, tokenizer: tok, params: model.params });
  model.dispose();
  store = Store.open(path.join(runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  // Single-digit golds: the random model's last digit matches now and then.
  const qs = (n: number, off: number) => Array.from({ length: n }, (_, i) => ({ text: `${i + off} mod 10?`, goldAnswer: String((i + off) % 10), goldSolution: null, difficulty: null, meta: {} }));
  store.questions.insertMany('arith', 'id', 'test', qs(6, 0));
  store.questions.insertMany('arith', 'ood', 'test', qs(4, 50));
});
afterAll(() => store.close());

const opts: EvaluateOptions = { modelId: 'base', runDir: '', set: 'arith', splits: ['id', 'ood'], n: 4, temperature: 1, passAtK: [1, 2, 4], maxNewTokens: 16, batchSize: 5, workers: 0, seed: 3, backend: 'wasm' };

describe('evaluateModel', () => {
  it('stores avg@N, greedy accuracy and pass@k per split, equal to summarizeEvaluation of the regenerated outcomes', async () => {
    const progress: EvaluateProgress[] = [];
    const res = await evaluateModel(store, { ...opts, runDir, onProgress: (p) => progress.push(p) });
    expect(res.map((r) => r.split)).toEqual(['id', 'ood']);
    // 6 + 4 questions, 5 generations each (4 sampled + greedy); sampled and greedy ones in separate batches of ≤ 5.
    expect(progress.at(-1)).toMatchObject({ questionsDone: 10, questionsTotal: 10, split: 'ood', done: 20, total: 20, etaSeconds: 0 });
    expect(progress.filter((p) => p.split === 'id').map((p) => p.done)).toEqual([0, 5, 10, 15, 20, 24, 26, 28, 30]); // 24 sampled by 5, then 6 greedy in at least 4 batches
    // Regenerate every sample alone from the checkpoint with the documented seeds, verify, summarise.
    const ck = await loadCheckpoint(path.join(runDir, 'models', 'base'));
    const params = { temperature: 1, topK: 0, topP: 1, maxNewTokens: 16 };
    let anyCorrect = false;
    for (const split of ['id', 'ood']) {
      const questions = store.questions.list({ set: 'arith', split });
      const counts = questions.map((q) => {
        const prompt = encodePrompt(ck.tokenizer, q.text);
        const outs = generate(ck.model, ck.tokenizer, Array.from({ length: 4 }, (_, i) => ({ prompt, seed: evaluationSeed(3, q.id, i) })), params);
        return { n: 4, c: outs.filter((o) => verify(o.text, q.goldAnswer).status === 'correct').length };
      });
      const greedy = questions.map((q) => {
        const [g] = generate(ck.model, ck.tokenizer, [{ prompt: encodePrompt(ck.tokenizer, q.text), seed: 1 }], { ...params, temperature: 0 });
        return verify(g!.text, q.goldAnswer).status === 'correct';
      });
      anyCorrect ||= counts.some((c) => c.c > 0);
      const want = summarizeEvaluation(counts, greedy, [1, 2, 4]);
      const [row] = store.evaluations.list({ modelId: 'base', set: 'arith', split });
      expect(row).toMatchObject({ n: 4, questions: questions.length });
      expect(row!.avgAtN).toBeCloseTo(want.avgAtN!, 12);
      expect(row!.greedy).toBeCloseTo(want.greedy!, 12);
      for (const k of ['1', '2', '4']) expect(row!.passAtK[k]).toBeCloseTo(want.passAtK[k]!, 12);
      expect(row!.settings).toMatchObject({ n: 4, temperature: 1, greedy: true, passAtK: [1, 2, 4], maxNewTokens: 16, seed: 3 });
      const perQ = (row!.detail as { perQuestion: { questionId: number; n: number; c: number; greedy: boolean }[] }).perQuestion;
      expect(perQ.map((x) => ({ n: x.n, c: x.c }))).toEqual(counts);
      expect(perQ.map((x) => x.greedy)).toEqual(greedy);
    }
    ck.model.dispose();
    expect(anyCorrect).toBe(true); // the numbers are not all zero
    expect(store.samples.listRuns()).toEqual([]); // evaluation samples stay out of the samples table
  });

  it('a second evaluation with the same settings replaces the row; other settings get their own row', async () => {
    const before = store.evaluations.list({ modelId: 'base', split: 'id' });
    expect(before.length).toBe(1);
    const [again] = await evaluateModel(store, { ...opts, runDir, splits: ['id'] });
    const after = store.evaluations.list({ modelId: 'base', split: 'id' });
    expect(after.map((r) => r.id)).toEqual([again!.evaluationId]);
    expect(again!.evaluationId).not.toBe(before[0]!.id);
    expect(after[0]!.avgAtN).toBe(before[0]!.avgAtN); // same seeds, same numbers
    await evaluateModel(store, { ...opts, runDir, splits: ['id'], greedy: false, n: 2, passAtK: [2] });
    const both = store.evaluations.list({ modelId: 'base', split: 'id' });
    expect(both.length).toBe(2);
    expect(both[1]).toMatchObject({ n: 2, greedy: null, passAtK: { '2': expect.any(Number) } });
    expect(store.evaluations.list({ modelId: 'base', split: 'ood' }).length).toBe(1);
  });

  it('refuses pass@k with k > n, an unknown split or model, before sampling anything', async () => {
    await expect(evaluateModel(store, { ...opts, runDir, passAtK: [8] })).rejects.toThrow(/pass@8 needs an integer k in 1..n \(n = 4\)/);
    await expect(evaluateModel(store, { ...opts, runDir, splits: ['nope'] })).rejects.toThrow(/no questions in set "arith" split "nope"/);
    await expect(evaluateModel(store, { ...opts, runDir, modelId: 'other' })).rejects.toThrow(/unknown model "other"/);
    await expect(evaluateModel(store, { ...opts, runDir, n: 0, greedy: false, passAtK: [] })).rejects.toThrow(/nothing to evaluate/);
  });

  it('with the openai engine against sieve serve-model: the tfjs numbers, in a row of their own that names the served model', async () => {
    const server = await startModelServer({ checkpointDir: path.join(runDir, 'models', 'base'), port: 0, modelName: 'base', backend: 'wasm' });
    try {
      const [tfjs] = await evaluateModel(store, { ...opts, runDir, splits: ['ood'] });
      const [viaServer] = await evaluateModel(store, { ...opts, runDir, splits: ['ood'], engine: { kind: 'openai', endpoints: [{ baseUrl: server.url, concurrency: 4 }], model: 'base' } });
      expect(viaServer!.settings.engine).toEqual({ kind: 'openai', model: 'base', extra: {} });
      expect({ avg: viaServer!.avgAtN, greedy: viaServer!.greedy, pass: viaServer!.passAtK }).toEqual({ avg: tfjs!.avgAtN, greedy: tfjs!.greedy, pass: tfjs!.passAtK });
      const rows = store.evaluations.list({ modelId: 'base', set: 'arith', split: 'ood' });
      const served = rows.find((r) => r.id === viaServer!.evaluationId)!;
      expect(rows.map((r) => r.id)).toContain(tfjs!.evaluationId); // not replaced: other settings
      expect((served.detail as { engine: unknown; perQuestion: unknown }).engine).toEqual({ kind: 'openai', model: 'base' });
      expect((served.detail as { perQuestion: unknown }).perQuestion).toEqual((rows.find((r) => r.id === tfjs!.evaluationId)!.detail as { perQuestion: unknown }).perQuestion);
    } finally {
      await server.close();
    }
  });
});
