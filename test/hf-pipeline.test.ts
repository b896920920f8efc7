/**
 * `sieve run --preset hf-tiny`, end to end: a tiny random Qwen2 with the real Qwen tokenizer is made
 * on first use, imported as the base model, and the chain (questions, sample, verify, filter with the
 * gold solutions, train sft and dft, eval, report) runs on it; `sieve sample --model hf:PATH` imports
 * the same folder into a run from the command line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPreset } from '@sieve/pipeline';
import { Store } from '@sieve/store';
import { sieve, tempDir } from './helpers';

let dir = '';
let cleanup = (): void => undefined;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('sieve-hf-pipeline-'));
});
afterAll(() => cleanup());

const runDir = (): string => join(dir, 'data', 'runs', 'hf-tiny');
const hfDir = (): string => join(dir, 'data', 'models', 'hf-tiny-qwen2');
// A loaded 2-core machine runs the chain in 2–7 minutes (a 151,669-token vocabulary makes every step wide).
const LONG = 900_000;

describe('sieve run --preset hf-tiny, end to end', { timeout: LONG }, () => {
  it('makes the tiny Qwen2, imports it as the base model and writes a report with sft and dft rows', () => {
    const res = sieve(dir, ['run', '--preset', 'hf-tiny'], {}, LONG);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^pretrain: made a tiny random qwen2 in /m);
    expect(res.stderr).toMatch(/^pretrain: model base-[0-9a-f]{8}: imported qwen2 from .* \(9,781,120 parameters, F32 → float32\)/m);
    expect(res.stderr).toMatch(/^train:sft\/s1: training memory: \d+\.\d\d GB \(9,781,120 parameters × 16 bytes/m);
    expect(res.stderr).toMatch(/^filter: .* plus 8 gold solutions$/m);
    expect(existsSync(join(hfDir(), 'model.safetensors'))).toBe(true);

    const md = readFileSync(join(runDir(), 'report', 'report.md'), 'utf8');
    for (const m of ['base', 'sft', 'dft']) {
      for (const split of ['test', 'ood']) expect(md).toMatch(new RegExp(`^\\| ${m} \\|.*\\| ${split} \\| \\d\\.\\d{3}`, 'm'));
    }
    const store = Store.open(join(runDir(), 'sieve.sqlite'), { readonly: true });
    try {
      const models = store.models.list();
      const base = models.find((m) => m.kind === 'base');
      expect(base?.meta['hfSource']).toMatchObject({ path: hfDir(), arch: 'qwen2', dtype: 'F32' });
      const trained = models.filter((m) => m.kind === 'trained');
      expect(trained.map((m) => m.meta['method']).sort()).toEqual(['dft', 'sft']);
      // The HF config.json travels with the trained models, so they export back as HF checkpoints.
      for (const m of trained) expect((m.meta['hfConfig'] as Record<string, unknown>)['model_type']).toBe('qwen2');
    } finally {
      store.close();
    }
  });

  it('a second run skips every stage (the made folder is not made again)', () => {
    const res = sieve(dir, ['run', '--preset', 'hf-tiny'], {}, LONG);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/made a tiny random/);
    const lines = res.stderr.split('\n').filter((l) => /^(questions|pretrain|sample|verify|filter|train|eval|report)(:\S+)?: /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const l of lines) expect(l).toMatch(/unchanged, skipped$/);
  });

  it('sieve sample --model hf:PATH imports the folder once into the run and samples from it', () => {
    const store = Store.open(join(runDir(), 'sieve.sqlite'), { readonly: true });
    const set = store.questions.summary()[0]?.set ?? '';
    store.close();
    const args = ['--run', 'hf-tiny', 'sample', '--model', `hf:${hfDir()}`, '--questions', set, '--split', 'test', '--k', '1', '--max-new-tokens', '3', '--workers', '0', '--json'];
    const res = sieve(dir, args, {}, LONG);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/model hf-hf-tiny-qwen2-[0-9a-f]{8}: imported qwen2 from /);
    expect(JSON.parse(res.stdout)).toMatchObject({ questions: 4, total: 4 });
    const again = sieve(dir, args, {}, LONG);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/model hf-hf-tiny-qwen2-[0-9a-f]{8}: already imported from /);
  });

  it('"prompt": "chat" reruns exactly the stages that read the prompt (not questions, not the import), and every one uses it', () => {
    const system = 'Answer with #### and the number.';
    const hf = loadPreset('hf-tiny');
    const config = join(dir, 'chat.json');
    writeFileSync(config, JSON.stringify({ ...hf, model: { ...hf.model, prompt: 'chat', systemPrompt: system } }));
    const res = sieve(dir, ['run', '--config', config], {}, LONG);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stderr.split('\n').filter((l) => /^(questions|pretrain|sample|verify|filter|train|eval|report)(:\S+)?: /.test(l));
    const skipped = new Set(lines.filter((l) => /unchanged, skipped$/.test(l)).map((l) => l.split(':')[0]));
    expect([...skipped].sort()).toEqual(['pretrain', 'questions']);
    for (const stage of ['sample', 'verify', 'filter', 'train', 'eval', 'report']) expect(lines.some((l) => l.startsWith(stage) && !/skipped$/.test(l)), stage).toBe(true);

    const spec = { format: 'chat', systemPrompt: system };
    const store = Store.open(join(runDir(), 'sieve.sqlite'), { readonly: true });
    try {
      const run = store.samples.listRuns().find((r) => r.params['prompt'] !== undefined);
      expect(run?.params['prompt']).toEqual(spec);
      const datasets = store.datasets.list().filter((d) => d.rules['prompt'] !== undefined);
      expect(datasets.map((d) => d.rules['prompt'])).toEqual([spec]);
      // A chat dataset's items store the bare question (the user turn), gold solutions included.
      const items = store.datasets.items(datasets[0]!.id, { kept: true });
      expect(items.length).toBeGreaterThanOrEqual(8);
      for (const it of items) expect(it.prompt).toBe(store.questions.get(it.questionId!)!.text);
      const trained = store.models.list().filter((m) => m.kind === 'trained' && m.meta['prompt'] !== undefined);
      expect(trained.map((m) => m.meta['method']).sort()).toEqual(['dft', 'sft']);
      for (const m of trained) expect(m.meta['prompt']).toEqual(spec);
      const chatEvals = store.evaluations.list({}).filter((e) => (e.settings as { prompt?: unknown }).prompt !== undefined);
      expect(chatEvals.length).toBe(3 * 2); // base, sft, dft × test, ood; the plain evaluations stay beside them
      expect(store.evaluations.list({}).length).toBeGreaterThan(chatEvals.length);
    } finally {
      store.close();
    }
  });
});
