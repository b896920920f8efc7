/**
 * The sample stage through the `openai` engine against a real `sieve serve-model` server on
 * 127.0.0.1, directly and through the fault-injecting proxy: K samples per question, none lost,
 * none duplicated, the same samples as the tfjs engine for the same seeds, a killed stage resumes,
 * and the API key never reaches the SQLite file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, type SampleRow } from '@sieve/store';
import type { EngineConfig } from './engines/config';
import { sampleStage, type SampleStageOptions } from './sample-stage';
import { startModelServer, type ModelServer } from './serve/server';
import { startFaultProxy, tinyCheckpoint, useTestBackend, type Fault, type FaultProxy } from './test-helpers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const QUESTIONS = 10;
const K = 3;
const KEY_ENV = 'SIEVE_TEST_OPENAI_KEY';
const KEY = 'sk-sieve-test-9f3c2a7b1e5d4c6a8b0e';

let runDir: string;
let store: Store;
let server: ModelServer;
const proxies: FaultProxy[] = [];

const base: Omit<SampleStageOptions, 'runName'> = {
  modelId: 'tiny',
  runDir: '',
  set: 'arith',
  split: 'train',
  k: K,
  temperature: 1,
  topP: 1,
  topK: 0,
  maxNewTokens: 12,
  batchSize: 4,
  workers: 0,
  seed: 11,
  backend: 'wasm',
};

/** Fast retries: the proxy's faults are retried within milliseconds. */
const openai = (baseUrl: string, over: Partial<Extract<EngineConfig, { kind: 'openai' }>> = {}): EngineConfig => ({
  kind: 'openai',
  endpoints: [{ baseUrl, concurrency: 3 }],
  model: 'tiny',
  retry: { maxRetries: 20, baseDelayMs: 1, maxDelayMs: 4 },
  ...over,
});

beforeAll(async () => {
  await useTestBackend();
  const ckpt = await tinyCheckpoint(5);
  runDir = path.dirname(ckpt);
  base.runDir = runDir;
  store = Store.open(path.join(runDir, 'sieve.sqlite'));
  store.models.upsert({ id: 'tiny', kind: 'base', path: 'model', config: {}, parentId: null, meta: {} });
  store.questions.insertMany(
    'arith',
    'train',
    'test',
    Array.from({ length: QUESTIONS }, (_, i) => ({ text: `what is ${i} + ${i}`, goldAnswer: String(2 * i), goldSolution: null, difficulty: null, meta: {} })),
  );
  server = await startModelServer({ checkpointDir: ckpt, port: 0, modelName: 'tiny', backend: 'wasm' });
  process.env[KEY_ENV] = KEY;
});
afterAll(async () => {
  delete process.env[KEY_ENV];
  await Promise.all(proxies.map((p) => p.close()));
  await server?.close();
  store?.close();
});

const rowsOf = (name: string): SampleRow[] => store.samples.list(store.samples.getRun(name)!.id);

/** Exactly K samples per question, indices 0..K-1, nothing twice. */
function expectComplete(rows: SampleRow[]): void {
  expect(rows).toHaveLength(QUESTIONS * K);
  expect(new Set(rows.map((r) => `${r.questionId}:${r.sampleIndex}`)).size).toBe(QUESTIONS * K);
  const perQ = new Map<number, number[]>();
  for (const r of rows) perQ.set(r.questionId, [...(perQ.get(r.questionId) ?? []), r.sampleIndex]);
  expect(perQ.size).toBe(QUESTIONS);
  for (const idx of perQ.values()) expect(idx.sort()).toEqual([0, 1, 2]);
}

/** Same seed, text, token count and finish reason per (question, index); log-probs within float32 rounding. */
function expectSameSamples(got: SampleRow[], want: SampleRow[]): void {
  const w = new Map(want.map((r) => [`${r.questionId}:${r.sampleIndex}`, r]));
  expect(got).toHaveLength(want.length);
  for (const g of got) {
    const r = w.get(`${g.questionId}:${g.sampleIndex}`)!;
    expect({ seed: g.seed, text: g.text, n: g.tokenCount, f: g.finishReason }).toEqual({ seed: r.seed, text: r.text, n: r.tokenCount, f: r.finishReason });
    expect(g.logprobSum).toBeCloseTo(r.logprobSum!, 4);
    expect(Array.from(g.tokenLogprobs!)).toEqual(Array.from(r.tokenLogprobs!));
  }
}

async function proxy(plan: (i: number) => Fault): Promise<FaultProxy> {
  const p = await startFaultProxy(server.url, plan, { retryAfter: '0.002', slowMs: 30 });
  proxies.push(p);
  return p;
}

describe('sample stage with the openai engine (sieve serve-model on 127.0.0.1)', () => {
  let reference: SampleRow[];

  it('gives the tfjs engine’s samples for the same seeds, K per question, and records the engine with the run', async () => {
    await sampleStage(store, { ...base, runName: 'tfjs' });
    reference = rowsOf('tfjs');
    expectComplete(reference);

    const res = await sampleStage(store, { ...base, runName: 'direct', engine: openai(server.url) });
    expect(res).toMatchObject({ generated: QUESTIONS * K, existing: 0, total: QUESTIONS * K, backend: 'openai tiny' });
    const rows = rowsOf('direct');
    expectComplete(rows);
    expectSameSamples(rows, reference);
    const run = store.samples.getRun('direct')!;
    expect(run.status).toBe('done');
    expect(run.params['engine']).toEqual({ kind: 'openai', model: 'tiny', extra: {} });
    expect(store.samples.getRun('tfjs')!.params).not.toHaveProperty('engine');
    // Another engine under the same run name is other settings, not a resume.
    await expect(sampleStage(store, { ...base, runName: 'tfjs', engine: openai(server.url) })).rejects.toThrow(/different settings \(params\)/);
  });

  it('through dropped connections, 500s, 429s with Retry-After, slow and truncated bodies: 0 lost, 0 duplicated, same samples', async () => {
    const faults: Fault[] = ['drop', 'pass', 'error500', 'rate429', 'pass', 'truncate', 'slow', 'pass'];
    const p = await proxy((i) => (i === 0 ? 'pass' : (faults[i % faults.length] as Fault))); // the first is GET /v1/models
    const res = await sampleStage(store, { ...base, runName: 'faulty', engine: openai(p.url, { apiKeyEnv: KEY_ENV }) });
    expect(res.total).toBe(QUESTIONS * K);
    for (const f of ['drop', 'error500', 'rate429', 'truncate', 'slow'] as const) expect(p.counts[f], f).toBeGreaterThan(0);
    const rows = rowsOf('faulty');
    expectComplete(rows);
    expectSameSamples(rows, reference);
    expect(p.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
  });

  it('a server that returns no log-probs: the stage succeeds and stores null log-probs, the token count from usage', async () => {
    const p = await proxy(() => 'noLogprobs');
    const res = await sampleStage(store, { ...base, runName: 'no-logprobs', engine: openai(p.url) });
    expect(res.total).toBe(QUESTIONS * K);
    expect(p.counts.noLogprobs).toBeGreaterThan(QUESTIONS * K); // every sampling request (and GET /v1/models)
    expect(store.samples.getRun('no-logprobs')!.status).toBe('done');
    const rows = rowsOf('no-logprobs');
    expectComplete(rows);
    const want = new Map(reference.map((r) => [`${r.questionId}:${r.sampleIndex}`, r]));
    for (const g of rows) {
      const r = want.get(`${g.questionId}:${g.sampleIndex}`)!;
      expect({ text: g.text, n: g.tokenCount, f: g.finishReason, lp: g.logprobSum, lps: g.tokenLogprobs }).toEqual({ text: r.text, n: r.tokenCount, f: r.finishReason, lp: null, lps: null });
    }
  });

  it('a stage killed after its first chunk resumes with no duplicate and no lost sample', async () => {
    const opts = { ...base, runName: 'aborted', engine: openai(server.url, { endpoints: [{ baseUrl: server.url, concurrency: 1 }] }) };
    let chunks = 0;
    await expect(
      sampleStage(store, {
        ...opts,
        onProgress: (pr) => {
          if (pr.samples > 0 && ++chunks === 1) throw new Error('killed after the first chunk');
        },
      }),
    ).rejects.toThrow(/killed/);
    const run = store.samples.getRun('aborted')!;
    const stored = store.samples.count(run.id);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(QUESTIONS * K);
    expect(stored % 4).toBe(0); // whole chunks only
    const res = await sampleStage(store, opts);
    expect(res).toMatchObject({ existing: stored, generated: QUESTIONS * K - stored, total: QUESTIONS * K });
    expectComplete(rowsOf('aborted'));
    expectSameSamples(rowsOf('aborted'), reference);
  });

  it('a child process SIGKILLed mid-run (through the proxy) resumes with no duplicate and no lost sample', async () => {
    const p = await proxy((i) => (i % 5 === 3 ? 'error500' : 'slow'));
    const opts = { ...base, runName: 'sigkilled', engine: openai(p.url, { apiKeyEnv: KEY_ENV }) };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'libs/sample/src/stage-child.ts'), store.path, JSON.stringify(opts)], {
      cwd: repoRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repoRoot, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exit: number | null | 'running' = 'running';
    const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exit = code), resolve())));
    let atKill = 0;
    while (exit === 'running') {
      const run = store.samples.getRun('sigkilled');
      const n = run ? store.samples.count(run.id) : 0;
      if (n > 0 && n < QUESTIONS * K) {
        child.kill('SIGKILL');
        atKill = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    expect(stderr).not.toMatch(/error/i);
    expect(atKill, 'the child finished before it could be killed').toBeGreaterThan(0);
    const run = store.samples.getRun('sigkilled')!;
    expect(run.status).toBe('running');
    const committed = store.samples.count(run.id);
    const res = await sampleStage(store, opts);
    expect(res).toMatchObject({ existing: committed, generated: QUESTIONS * K - committed, total: QUESTIONS * K });
    expectComplete(rowsOf('sigkilled'));
    expectSameSamples(rowsOf('sigkilled'), reference);
  }, 60_000);

  it('never writes the API key, the key variable or the URLs to the store', async () => {
    const bytes = Buffer.concat(['', '-wal', '-shm'].map((s) => store.path + s).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from('faulty'))).toBe(true); // the search does find what is there
    expect(bytes.includes(Buffer.from(KEY))).toBe(false);
    expect(bytes.includes(Buffer.from(KEY_ENV))).toBe(false);
    expect(bytes.includes(Buffer.from('127.0.0.1'))).toBe(false);
  });

  it('names the problem: a model the server does not serve, an unset key variable', async () => {
    await expect(sampleStage(store, { ...base, runName: 'x1', engine: openai(server.url, { model: 'nope' }) })).rejects.toThrow(/does not serve a model named "nope"/);
    await expect(sampleStage(store, { ...base, runName: 'x2', engine: openai(server.url, { apiKeyEnv: 'SIEVE_UNSET_KEY_VAR' }) })).rejects.toThrow(/SIEVE_UNSET_KEY_VAR is not set/);
  });
});
