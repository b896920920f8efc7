import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatPrompt } from '@sieve/dataset';
import { loadCheckpoint, UNK_ID } from '@sieve/model';
import { Store } from '@sieve/store';
import { generateQuestions, PRESETS } from '@sieve/tasks';
import { buildPretrainCorpus, excludedTexts, pretrain } from './pretrain';
import { useBackend } from './test-helpers';

describe('pretrain', () => {
  let dir = '';
  let store: Store;
  beforeAll(async () => {
    await useBackend();
  });
  const open = (): void => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-pretrain-'));
    store = Store.open(path.join(dir, 'sieve.sqlite'));
  };
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never puts a text of an excluded set in the corpus', () => {
    open();
    // The evaluation set is what the corpus generator would produce with the same seed and knobs.
    const spec = { count: 60, seed: 9, options: { ...PRESETS.id, styles: ['bare' as const] } };
    const evalQs = generateQuestions({ ...spec.options, count: 30, seed: 9 });
    store.questions.insertMany('eval', 'test', 'synthetic', evalQs);
    const evalPrompts = new Set(evalQs.map((q) => formatPrompt(q.text)));

    const unguarded = buildPretrainCorpus(spec, new Set());
    expect(unguarded.filter((e) => evalPrompts.has(e.prompt)).length).toBe(30);

    const corpus = buildPretrainCorpus(spec, excludedTexts(store, ['eval']));
    expect(corpus.length).toBe(60);
    expect(corpus.filter((e) => evalPrompts.has(e.prompt))).toEqual([]);
    expect(corpus.every((e) => e.response.includes('#### '))).toBe(true);
  });

  it('an unknown excluded set is an input error', () => {
    open();
    expect(() => excludedTexts(store, ['nope'])).toThrow(expect.objectContaining({ name: 'InputError', where: '--exclude-set' }));
  });

  it('trains a base model whose tokenizer knows every character of the excluded questions', async () => {
    open();
    store.questions.insertMany('eval', 'test', 'imported', [
      { text: 'A pen costs 3 € and a cap 4 €. Total?', goldAnswer: '7', goldSolution: null, difficulty: null, meta: {} },
    ]);
    const outDir = path.join(dir, 'models', 'base');
    const res = await pretrain(store, {
      modelId: 'base',
      outDir,
      config: { dim: 16, layers: 1, heads: 2, kvHeads: 1, mlpDim: 32, contextLength: 48 },
      corpus: { count: 40, seed: 3, options: { ...PRESETS.id, styles: ['bare'] } },
      excludeSets: ['eval'],
      steps: 4,
      batchSize: 4,
      lr: 3e-3,
      evalEvery: 2,
      checkpointEvery: 2,
      seed: 1,
    });
    expect(res.alreadyDone).toBe(false);
    expect(res.corpusSize).toBe(40);
    const { tokenizer, config, model } = await loadCheckpoint(outDir);
    model.dispose();
    expect(config.vocabSize).toBe(tokenizer.vocabSize);
    expect(tokenizer.encode('A pen costs 3 € and a cap 4 €. Total?')).not.toContain(UNK_ID);
    expect(tokenizer.encode('Q: What is 12 * (3 + 4)?\nA: 3+4=<<3+4=7>>7\n#### 84')).not.toContain(UNK_ID);
    expect(store.models.get('base')).toMatchObject({ kind: 'base', parentId: null, path: 'models/base' });
    const run = store.training.get('pretrain-base')!;
    expect(run).toMatchObject({ method: 'pretrain', status: 'done', step: 4, outModelId: 'base' });
    expect(store.training.metrics(run.id, 'train').map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(store.training.metrics(run.id, 'eval').map((m) => m.step)).toEqual([2, 4]);
  });
});
