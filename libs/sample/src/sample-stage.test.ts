import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixSeed } from '@sieve/core';
import { loadCheckpoint } from '@sieve/model';
import { Store, type SampleRow } from '@sieve/store';
import { verify } from '@sieve/verify';
import { generate } from './generate';
import { encodePrompt } from './prompt';
import { lanesToFillSlots, sampleStage, type SampleProgress, type SampleStageOptions } from './sample-stage';
import { tinyCheckpoint, useTestBackend } from './test-helpers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
let runDir: string;
let store: Store;

const base: Omit<SampleStageOptions, 'runName'> = {
  modelId: 'tiny',
  runDir: '',
  set: 'arith',
  split: 'train',
  k: 2,
  temperature: 1,
  topP: 1,
  topK: 0,
  maxNewTokens: 20,
  batchSize: 4,
  workers: 0,
  seed: 7,
  backend: 'wasm',
};

beforeAll(async () => {
  await useTestBackend();
  const ckpt = await tinyCheckpoint(5);
  runDir = path.dirname(ckpt); // the checkpoint is <runDir>/model
  base.runDir = runDir;
  store = Store.open(path.join(runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'tiny', kind: 'base', path: 'model', config: {}, parentId: null, meta: {} });
  // Single-digit golds: the random model's last digit matches now and then, so some samples are correct.
  const qs = (n: number, off: number) =>
    Array.from({ length: n }, (_, i) => ({ text: `what is ${i + off} mod 10`, goldAnswer: String((i + off) % 10), goldSolution: null, difficulty: null, meta: {} }));
  store.questions.insertMany('arith', 'train', 'test', qs(40, 0));
  store.questions.insertMany('arith', 'ood', 'test', qs(3, 100));
});
afterAll(() => store.close());

const byKey = (rows: SampleRow[]): Map<string, SampleRow> => new Map(rows.map((r) => [`${r.questionId}:${r.sampleIndex}`, r]));

function expectSameSamples(got: SampleRow[], want: SampleRow[]): void {
  expect(got.length).toBe(want.length);
  const w = byKey(want);
  for (const g of got) {
    const r = w.get(`${g.questionId}:${g.sampleIndex}`);
    expect(r, `sample ${g.questionId}:${g.sampleIndex}`).toBeDefined();
    expect({ text: g.text, seed: g.seed, n: g.tokenCount, f: g.finishReason }).toEqual({ text: r!.text, seed: r!.seed, n: r!.tokenCount, f: r!.finishReason });
    expect(g.logprobSum).toBeCloseTo(r!.logprobSum!, 3);
  }
}

describe('sample stage', () => {
  it('writes k samples per question whose content is the engine output for seed mixSeed(run seed, question, index)', async () => {
    const progress: SampleProgress[] = [];
    const res = await sampleStage(store, { ...base, runName: 'ood', split: 'ood', k: 3, onProgress: (p) => progress.push(p) });
    expect(res).toMatchObject({ questions: 3, generated: 9, existing: 0, total: 9, correct: null });
    const rows = store.samples.list(res.runId);
    expect(rows.map((r) => r.sampleIndex)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(store.samples.getRun('ood')).toMatchObject({ status: 'done', modelId: 'tiny', set: 'arith', split: 'ood', seed: 7 });
    // Regenerate two samples alone, straight from the checkpoint.
    const ck = await loadCheckpoint(path.join(runDir, 'model'));
    const q = store.questions.list({ set: 'arith', split: 'ood' });
    for (const row of [rows[1]!, rows[8]!]) {
      const text = q.find((x) => x.id === row.questionId)!.text;
      const seed = mixSeed(7, row.questionId, row.sampleIndex);
      const [alone] = generate(ck.model, ck.tokenizer, [{ prompt: encodePrompt(ck.tokenizer, text), seed }], { temperature: 1, topK: 0, topP: 1, maxNewTokens: 20 });
      expect(row.seed).toBe(seed);
      expect(row.text).toBe(alone!.text);
      expect(row.tokenCount).toBe(alone!.tokens.length);
      expect(Array.from(row.tokenLogprobs!)).toEqual(Array.from(alone!.logprobs).map((x) => Math.fround(x)));
    }
    ck.model.dispose();
    // Progress: questions done goes up to 3, the last report has nothing remaining.
    expect(progress.at(-1)).toMatchObject({ questionsDone: 3, questionsTotal: 3, samples: 9, remaining: 0, etaSeconds: 0 });
    expect(progress[0]).toMatchObject({ questionsDone: 0, samples: 0, remaining: 9, etaSeconds: null });
    expect(progress.at(-1)!.tokensPerSecond).toBeGreaterThan(0);
    // A rerun adds nothing; other settings under the same name are refused.
    expect(await sampleStage(store, { ...base, runName: 'ood', split: 'ood', k: 3 })).toMatchObject({ generated: 0, existing: 9, total: 9 });
    await expect(sampleStage(store, { ...base, runName: 'ood', split: 'ood', k: 3, temperature: 0.5 })).rejects.toThrow(/already exists with different settings \(params\)/);
  });

  it('a killed run resumes without duplicates or gaps, with the same samples as an uninterrupted run', async () => {
    const opts = { ...base, workers: 1 };
    const reference = await sampleStage(store, { ...opts, runName: 'reference', workers: 0 });
    expect(reference.total).toBe(80);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'libs/sample/src/stage-child.ts'), store.path, JSON.stringify({ ...opts, runName: 'killed' })], {
      cwd: repoRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repoRoot, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let atKill = 0;
    let childExit: number | null | 'running' = 'running';
    void exited.then((c) => (childExit = c));
    while (childExit === 'running') {
      const run = store.samples.getRun('killed');
      const n = run ? store.samples.count(run.id) : 0;
      if (n > 0 && n < 80) {
        child.kill('SIGKILL');
        atKill = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    expect(stderr).not.toMatch(/error/i);
    expect(atKill, 'the child finished before it could be killed').toBeGreaterThan(0);
    const killedRun = store.samples.getRun('killed')!;
    const committed = store.samples.count(killedRun.id);
    expect(committed).toBeLessThan(80);
    expect(committed % 4).toBe(0); // whole batches only: one transaction each
    expect(killedRun.status).toBe('running');

    const resumed = await sampleStage(store, { ...opts, runName: 'killed' });
    expect(resumed).toMatchObject({ existing: committed, generated: 80 - committed, total: 80 });
    const rows = store.samples.list(killedRun.id);
    expect(new Set(rows.map((r) => `${r.questionId}:${r.sampleIndex}`)).size).toBe(80);
    expectSameSamples(rows, store.samples.list(reference.runId));
  });

  it('adaptive budget: rounds of k until N correct or M samples', async () => {
    const res = await sampleStage(store, { ...base, runName: 'adaptive', k: 2, untilCorrect: 1, maxK: 6 });
    const gold = new Map(store.questions.list({ set: 'arith', split: 'train' }).map((q) => [q.id, q.goldAnswer]));
    const rows = store.samples.list(res.runId);
    const perQ = new Map<number, SampleRow[]>();
    for (const r of rows) perQ.set(r.questionId, [...(perQ.get(r.questionId) ?? []), r]);
    expect(perQ.size).toBe(40);
    let correct = 0;
    let stoppedEarly = 0;
    for (const [q, list] of perQ) {
      const ok = list.map((r) => verify(r.text, gold.get(q)!).status === 'correct');
      correct += ok.filter(Boolean).length;
      const first = ok.indexOf(true);
      // The round holding the first correct sample is the last one; without one, M = 6 samples.
      const want = first < 0 ? 6 : Math.min(6, 2 * Math.ceil((first + 1) / 2));
      expect(list.map((r) => r.sampleIndex)).toEqual(Array.from({ length: want }, (_, i) => i));
      if (want < 6) stoppedEarly++;
    }
    expect(res.correct).toBe(correct);
    expect(stoppedEarly).toBeGreaterThan(0);
    expect(stoppedEarly).toBeLessThan(40);
    // Its first round equals the plain k = 2 run of the same seed.
    const plain = store.samples.list(store.samples.getRun('reference')!.id);
    expectSameSamples(rows.filter((r) => r.sampleIndex < 2), plain);
  });

  it('says what is wrong with a bad model, set or budget', async () => {
    await expect(sampleStage(store, { ...base, runName: 'x', modelId: 'nope' })).rejects.toThrow(/unknown model "nope"/);
    await expect(sampleStage(store, { ...base, runName: 'x', set: 'none' })).rejects.toThrow(/no questions in set "none"/);
    await expect(sampleStage(store, { ...base, runName: 'x', untilCorrect: 2 })).rejects.toThrow(/--max-k/);
  });

  it('a run that fails before storing a sample leaves no row; one that holds samples is kept, marked failed', async () => {
    // The char model has no chat template: refused after the run was opened.
    await expect(sampleStage(store, { ...base, runName: 'chat-x', prompt: { format: 'chat' } })).rejects.toThrow(/chat template/);
    expect(store.samples.getRun('chat-x')).toBeUndefined();
    // A run with samples, resumed with an engine that cannot open: kept, with its samples, status failed.
    const done = await sampleStage(store, { ...base, runName: 'keep-x', set: 'arith', split: 'ood', k: 1 });
    const id = done.runId;
    const before = store.samples.count(id);
    expect(before).toBe(3);
    await expect(sampleStage(store, { ...base, runName: 'keep-x', set: 'arith', split: 'ood', k: 1, backend: 'no-such-backend' as never })).rejects.toThrow();
    expect(store.samples.count(id)).toBe(before);
    expect(store.samples.getRun('keep-x')?.status).toBe('failed');
  });
});

describe('lanesToFillSlots', () => {
  it('keeps every slot of a llama.cpp engine or server busy with one chunk queued, however small the chunks', () => {
    // 64 samples, --batch-size 256: splitIntoBatches cuts 4 chunks of 16; 64 slots need all 4 in flight (+1 queued).
    expect(lanesToFillSlots(64, 16)).toBe(5);
    expect(lanesToFillSlots(8, 256)).toBe(2);
    expect(lanesToFillSlots(8, 3)).toBe(4); // 3 chunks of 3 cover 8 slots
    for (const [slots, chunk] of [[1, 1], [7, 2], [64, 16], [100, 7]] as const) {
      const lanes = lanesToFillSlots(slots, chunk);
      expect((lanes - 1) * chunk).toBeGreaterThanOrEqual(slots);
      expect((lanes - 2) * chunk).toBeLessThan(slots);
    }
  });
});
