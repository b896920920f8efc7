import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { buildDataset } from '../build-dataset';
import { verifySamples } from '../verify-stage';
import { seedRun, tempStores } from '../test-helpers';
import { exportForTrainer } from './export-trainer';
import { questionAsUser } from './items';
import { toYaml } from './yaml';

const stores = tempStores();
afterEach(() => stores.cleanup());

const Q1 = 'Tom has 3 bags, each with "4" apples.\nHow many?';
function built(): Store {
  const store = stores.open();
  seedRun(store, 'r1', [
    { text: Q1, gold: '12', samples: ['3*4=<<3*4=12>>12\n#### 12', 'He said "yes"\n#### 12', '#### 13'] },
    { text: 'What is 3+4?', gold: '7', samples: ['#### 7', 'seven, "#### 8"'] },
    { text: 'What is 1+1?', gold: '2', samples: ['#### 2'] }, // no wrong sample: no pair
  ]);
  verifySamples(store, { runName: 'r1' });
  buildDataset(store, { runName: 'r1', name: 'rft' });
  buildDataset(store, { runName: 'r1', name: 'dpo', kind: 'pairs' });
  return store;
}

const readJsonl = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const readYaml = (path: string): Record<string, unknown> => YAML.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const kept = (store: Store, name: string) => store.datasets.items(store.datasets.byName(name)!.id, { kept: true });

describe('export for trainers', () => {
  it('TRL: prompt/completion rows equal the kept items; DFT and plain SFT configs differ only in loss_type and output', async () => {
    const store = built();
    const out = stores.dir();
    const res = await exportForTrainer(store, { name: 'rft', trainer: 'trl', outDir: out, hyper: { baseModel: 'my/model', learningRate: 1e-7 } });
    expect(res).toEqual({ files: ['sft/train.jsonl', 'sft-dft.yaml', 'sft-rft.yaml'], rows: 4, kind: 'sft' });
    const items = kept(store, 'rft');
    expect(readJsonl(join(out, 'sft/train.jsonl'))).toEqual(items.map((it) => ({ prompt: it.prompt, completion: it.response })));
    expect(readJsonl(join(out, 'sft/train.jsonl'))[0]).toEqual({ prompt: `Q: ${Q1}\nA: `, completion: '3*4=<<3*4=12>>12\n#### 12' });
    const dft = readYaml(join(out, 'sft-dft.yaml'));
    const rft = readYaml(join(out, 'sft-rft.yaml'));
    expect(dft).toMatchObject({ loss_type: 'dft', model_name_or_path: 'my/model', dataset_name: 'sft', learning_rate: 1e-7, completion_only_loss: true });
    expect(rft.loss_type).toBe('nll');
    const differing = Object.keys(dft).filter((k) => JSON.stringify(dft[k]) !== JSON.stringify(rft[k]));
    expect(differing.sort()).toEqual(['loss_type', 'output_dir']);
    // PyYAML (YAML 1.1) needs a dot in a float: 1e-7 is written 1.0e-7
    expect(readFileSync(join(out, 'sft-dft.yaml'), 'utf8')).toContain('learning_rate: 1.0e-7\n');
  });

  it('TRL DPO: {prompt, chosen, rejected} rows match the pairs dataset in the store', async () => {
    const store = built();
    const out = stores.dir();
    const res = await exportForTrainer(store, { name: 'dpo', trainer: 'trl', outDir: out });
    expect(res).toEqual({ files: ['dpo/train.jsonl', 'dpo.yaml'], rows: 3, kind: 'dpo' });
    const rows = readJsonl(join(out, 'dpo/train.jsonl'));
    expect(rows).toEqual(kept(store, 'dpo').map((it) => ({ prompt: it.prompt, chosen: it.response, rejected: it.rejectedResponse })));
    // by hand: each accepted response of Q1 is paired with its one wrong response
    expect(rows.map((r) => [r.chosen, r.rejected])).toEqual([
      ['3*4=<<3*4=12>>12\n#### 12', '#### 13'],
      ['He said "yes"\n#### 12', '#### 13'],
      ['#### 7', 'seven, "#### 8"'],
    ]);
    expect(readYaml(join(out, 'dpo.yaml'))).toMatchObject({ dataset_name: 'dpo', beta: 0.1, loss_type: 'sigmoid' });
  });

  it('TRL chat hook: {"messages"} rows with the bare question as the user turn', async () => {
    const store = built();
    const out = stores.dir();
    await exportForTrainer(store, { name: 'rft', trainer: 'trl', outDir: out, style: questionAsUser('Solve it.') });
    expect(readJsonl(join(out, 'sft/train.jsonl'))[0]).toEqual({
      messages: [
        { role: 'system', content: 'Solve it.' },
        { role: 'user', content: Q1 },
        { role: 'assistant', content: '3*4=<<3*4=12>>12\n#### 12' },
      ],
    });
    await exportForTrainer(store, { name: 'dpo', trainer: 'trl', outDir: out, style: questionAsUser() });
    expect(readJsonl(join(out, 'dpo/train.jsonl'))[2]).toEqual({
      prompt: [{ role: 'user', content: 'What is 3+4?' }],
      chosen: [{ role: 'assistant', content: '#### 7' }],
      rejected: [{ role: 'assistant', content: 'seven, "#### 8"' }],
    });
  });

  it('LLaMA-Factory: alpaca JSON registered in dataset_info.json, YAMLs with stage sft and use_dft_loss', async () => {
    const store = built();
    const out = stores.dir();
    const res = await exportForTrainer(store, { name: 'rft', trainer: 'llamafactory', outDir: out });
    expect(res.files).toEqual(['sieve_sft.json', 'dataset_info.json', 'sft-dft.yaml', 'sft-rft.yaml']);
    const data = JSON.parse(readFileSync(join(out, 'sieve_sft.json'), 'utf8')) as unknown[];
    expect(data).toEqual(kept(store, 'rft').map((it) => ({ instruction: it.prompt, input: '', output: it.response })));
    expect(JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8'))).toEqual({
      sieve_sft: { file_name: 'sieve_sft.json', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output' } },
    });
    expect(readYaml(join(out, 'sft-dft.yaml'))).toMatchObject({ stage: 'sft', use_dft_loss: true, dataset: 'sieve_sft', dataset_dir: '.', template: 'empty', do_train: true });
    expect(readYaml(join(out, 'sft-rft.yaml'))).toMatchObject({ stage: 'sft', use_dft_loss: false, dataset: 'sieve_sft' });

    const pout = stores.dir();
    await exportForTrainer(store, { name: 'dpo', trainer: 'llamafactory', outDir: pout });
    const info = JSON.parse(readFileSync(join(pout, 'dataset_info.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(info['sieve_dpo']).toMatchObject({ file_name: 'sieve_dpo.json', ranking: true, columns: { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected' } });
    const pairs = JSON.parse(readFileSync(join(pout, 'sieve_dpo.json'), 'utf8')) as unknown[];
    expect(pairs).toEqual(kept(store, 'dpo').map((it) => ({ instruction: it.prompt, input: '', chosen: it.response, rejected: it.rejectedResponse })));
    expect(readYaml(join(pout, 'dpo.yaml'))).toMatchObject({ stage: 'dpo', dataset: 'sieve_dpo', pref_loss: 'sigmoid' });
  });

  it('ms-swift: messages JSONL and executable scripts, --enable_dft_loss true only in the DFT one', async () => {
    const store = built();
    const out = stores.dir();
    await exportForTrainer(store, { name: 'rft', trainer: 'swift', outDir: out });
    expect(readJsonl(join(out, 'sft.jsonl'))).toEqual(
      kept(store, 'rft').map((it) => ({ messages: [{ role: 'user', content: it.prompt }, { role: 'assistant', content: it.response }] })),
    );
    const dft = readFileSync(join(out, 'train-dft.sh'), 'utf8');
    const rft = readFileSync(join(out, 'train-rft.sh'), 'utf8');
    expect(dft).toMatch(/^swift sft \\\n/m);
    expect(dft).toContain('--enable_dft_loss true');
    expect(rft).toContain('--enable_dft_loss false');
    expect(dft.replace('out/sft-dft', 'X').replace('--enable_dft_loss true', '')).toBe(rft.replace('out/sft-rft', 'X').replace('--enable_dft_loss false', '').replace('The RFT baseline: plain SFT on the same data, same settings.', 'Dynamic Fine-Tuning (Wu et al. 2025) on the sieve RFT dataset.'));
    expect(statSync(join(out, 'train-dft.sh')).mode & 0o111).not.toBe(0);

    const pout = stores.dir();
    await exportForTrainer(store, { name: 'dpo', trainer: 'swift', outDir: pout });
    expect(readJsonl(join(pout, 'dpo.jsonl'))).toEqual(
      kept(store, 'dpo').map((it) => ({ messages: [{ role: 'user', content: it.prompt }, { role: 'assistant', content: it.response }], rejected_response: it.rejectedResponse })),
    );
    expect(readFileSync(join(pout, 'train-dpo.sh'), 'utf8')).toMatch(/swift rlhf \\\n {2}--rlhf_type dpo/);
  });

  it('treats an imported dataset with rejected responses as preference pairs', async () => {
    const store = built();
    const items = kept(store, 'dpo');
    store.datasets.create({ name: 'imp', kind: 'imported', sampleRunId: null, rules: {}, stats: {} }, items.map((it) => ({ ...it, sampleId: null, questionId: null })));
    const res = await exportForTrainer(store, { name: 'imp', trainer: 'trl', outDir: stores.dir() });
    expect(res.kind).toBe('dpo');
    expect(res.rows).toBe(3);
  });

  it('names unknown datasets and trainers', async () => {
    const store = built();
    await expect(exportForTrainer(store, { name: 'nope', trainer: 'trl', outDir: stores.dir() })).rejects.toThrow(/unknown dataset "nope"/);
    const err = await exportForTrainer(store, { name: 'rft', trainer: 'axolotl' as 'trl', outDir: stores.dir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe('--for');
  });

  it('writes YAML that any text survives', () => {
    const text = 'a "quoted" #not-a-comment: value\nline 2 \\ é 🎉';
    expect(YAML.parse(toYaml([{ comment: 'c1\nc2' }, { key: 'k', value: text }, { key: 'n', value: 5e-5 }, { key: 'b', value: false }, { key: 'z', value: null }]))).toEqual({
      k: text,
      n: 5e-5,
      b: false,
      z: null,
    });
  });

  it('a dataset sampled with the chat prompt format stores bare questions and exports as chat with its system prompt, --chat or not', async () => {
    const store = stores.open();
    seedRun(store, 'chat', [{ text: 'What is 3+4?', gold: '7', samples: ['#### 7', '#### 8'] }], { prompt: { format: 'chat', systemPrompt: 'Be brief.' } });
    verifySamples(store, { runName: 'chat' });
    const { dataset } = buildDataset(store, { runName: 'chat', name: 'rft-chat', rules: { includeGold: true } });
    expect(dataset.rules['prompt']).toEqual({ format: 'chat', systemPrompt: 'Be brief.' });
    expect(kept(store, 'rft-chat').map((it) => [it.prompt, it.response])).toEqual([
      ['What is 3+4?', '#### 7'],
      ['What is 3+4?', '#### 7'], // the gold solution (includeGold), also under the question
    ]);
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 3+4?' },
      { role: 'assistant', content: '#### 7' },
    ];
    for (const style of [undefined, { kind: 'plain' as const }, questionAsUser()]) {
      const out = stores.dir();
      await exportForTrainer(store, { name: 'rft-chat', trainer: 'swift', outDir: out, ...(style ? { style } : {}) });
      expect(readJsonl(join(out, 'sft.jsonl'))).toEqual([{ messages }, { messages }]);
    }
  });
});
