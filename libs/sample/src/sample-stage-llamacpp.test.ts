/**
 * The sample stage with the llama.cpp engine SIGKILLed in the middle (a child process that kills
 * itself once its first chunk is stored, while another chunk is being decoded), then resumed:
 * exactly K samples per question, none duplicated, none lost, and the samples of an uninterrupted
 * run (per-sample seeds: the same text, tokens and log-probs).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, type SampleRow } from '@sieve/store';
import type { EngineConfig } from './engines/config';
import { sampleStage, type SampleStageOptions } from './sample-stage';
import { tinyCheckpoint, useTestBackend } from './test-helpers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const QUESTIONS = 12;
const K = 3;
const TOTAL = QUESTIONS * K;
const BATCH = 4;

let store: Store;
const engine: EngineConfig = { kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp', sequences: 2, threads: 1 };
const base: Omit<SampleStageOptions, 'runName'> = {
  modelId: 'tiny',
  runDir: '',
  set: 'arith',
  split: 'train',
  k: K,
  temperature: 1,
  topP: 1,
  topK: 0,
  maxNewTokens: 16,
  batchSize: BATCH,
  workers: 0,
  seed: 3,
  engine,
};

beforeAll(async () => {
  await useTestBackend();
  const ckpt = await tinyCheckpoint(5);
  base.runDir = path.dirname(ckpt); // the checkpoint is <runDir>/model; its GGUF export is cached in <runDir>/.gguf-cache, shared with the child
  store = Store.open(path.join(base.runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'tiny', kind: 'base', path: 'model', config: {}, parentId: null, meta: {} });
  store.questions.insertMany(
    'arith',
    'train',
    'test',
    Array.from({ length: QUESTIONS }, (_, i) => ({ text: `what is ${i} + ${i}`, goldAnswer: String(2 * i), goldSolution: null, difficulty: null, meta: {} })),
  );
});
afterAll(() => store?.close());

const rowsOf = (name: string): SampleRow[] => store.samples.list(store.samples.getRun(name)!.id);

/** Runs the stage in a child process that SIGKILLs itself once `killAfter` samples are stored. */
async function runKilledChild(opts: SampleStageOptions, killAfter: number): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'libs/sample/src/stage-child.ts'), store.path, JSON.stringify(opts), String(killAfter)], {
    cwd: repoRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repoRoot, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  return { signal, stderr };
}

describe('sample stage with the llama.cpp engine, killed and resumed', () => {
  it('a child SIGKILLed after its first stored chunk resumes to exactly K samples per question, the uninterrupted run’s', async () => {
    const reference = await sampleStage(store, { ...base, runName: 'reference' });
    expect(reference).toMatchObject({ generated: TOTAL, total: TOTAL, backend: 'llama.cpp model' });
    const want = rowsOf('reference');
    expect(store.samples.getRun('reference')!.params['engine']).toEqual({ kind: 'llama.cpp', dtype: 'f32', sampler: 'llama.cpp' });
    // The samples end at EOS as well as at the budget: the seeds decide their lengths.
    expect(new Set(want.map((r) => r.finishReason))).toEqual(new Set(['stop', 'length']));

    const opts = { ...base, runName: 'killed' };
    const { signal, stderr } = await runKilledChild(opts, 1);
    expect(signal, stderr).toBe('SIGKILL');
    const run = store.samples.getRun('killed')!;
    expect(run.status).toBe('running');
    const committed = store.samples.count(run.id);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(TOTAL);
    expect(committed % BATCH).toBe(0); // whole chunks only: one transaction each

    const resumed = await sampleStage(store, opts);
    expect(resumed).toMatchObject({ existing: committed, generated: TOTAL - committed, total: TOTAL });
    expect(store.samples.getRun('killed')!.status).toBe('done');
    const got = rowsOf('killed');
    expect(got).toHaveLength(TOTAL);
    const keys = got.map((r) => `${r.questionId}:${r.sampleIndex}`);
    expect(new Set(keys).size).toBe(TOTAL); // no duplicate
    const perQuestion = new Map<number, number[]>();
    for (const r of got) perQuestion.set(r.questionId, [...(perQuestion.get(r.questionId) ?? []), r.sampleIndex]);
    expect(perQuestion.size).toBe(QUESTIONS);
    for (const idx of perQuestion.values()) expect(idx.sort()).toEqual([0, 1, 2]); // none lost

    const byKey = new Map(want.map((r) => [`${r.questionId}:${r.sampleIndex}`, r]));
    for (const g of got) {
      const r = byKey.get(`${g.questionId}:${g.sampleIndex}`)!;
      expect({ seed: g.seed, text: g.text, n: g.tokenCount, f: g.finishReason }).toEqual({ seed: r.seed, text: r.text, n: r.tokenCount, f: r.finishReason });
      expect(Array.from(g.tokenLogprobs!)).toEqual(Array.from(r.tokenLogprobs!));
      expect(g.logprobSum).toBeCloseTo(r.logprobSum!, 5);
    }
  }, 120_000);
});
