import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDataset, formatPrompt, verifySamples } from '@sieve/dataset';
import { CharTokenizer, createModel, initBackend, parseModelConfig, saveCheckpoint } from '@sieve/model';
import { Store, type SampleInput } from '@sieve/store';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const sieveBin = join(repoRoot, 'bin', 'sieve.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sieve …` as a user types it, in cwd, with a small deterministic environment. */
export function sieve(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): CliResult {
  const res: SpawnSyncReturns<string> = spawnSync(process.execPath, [sieveBin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SIEVE_BACKEND: 'wasm', ...env },
    timeout: timeoutMs,
  });
  if (res.error) throw res.error;
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

export function tempDir(prefix = 'sieve-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const SYSTEM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Headless Chromium for the viewer tests: the build that ships inside the npm package
 * @sparticuz/chromium (unpacked to the temp folder on first use, no root, no network), else a system
 * Chromium. Throws with every attempt's error when none starts: a missing browser fails tests.
 */
export async function launchBrowser(): Promise<{ browser: Browser; which: string }> {
  const errors: string[] = [];
  try {
    const exe = await sparticuz.executablePath();
    return { browser: await chromium.launch({ executablePath: exe, args: sparticuz.args, headless: true }), which: `@sparticuz/chromium (${exe})` };
  } catch (err) {
    errors.push(`@sparticuz/chromium: ${(err as Error).message}`);
  }
  for (const exe of SYSTEM_CHROMIUM.filter((p) => existsSync(p))) {
    try {
      return { browser: await chromium.launch({ executablePath: exe, args: SYSTEM_ARGS }), which: exe };
    } catch (err) {
      errors.push(`${exe}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no headless Chromium could start:\n${errors.join('\n') || 'no system Chromium found'}`);
}

/**
 * A run folder for the viewer's end-to-end tests, written the way the pipeline would: questions
 * and samples through the store's repos, then the real verify and filter stages (verdicts with
 * wrong-step offsets, an RFT dataset with drop reasons), and a tiny checkpoint for the token view.
 * The browser test uses a real `sieve run --preset quick` run; the CLI tests use this one, which
 * takes a second and has hand-picked content (a known wrong step) to check the text output against.
 */
export const HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">';

const QUESTIONS = [
  { text: 'Tom has 3 boxes of 4 pens. How many pens?', goldAnswer: '12', goldSolution: 'Pens: 3*4=<<3*4=12>>12\n#### 12' },
  { text: 'Ann had 10 apples and ate 3. How many are left?', goldAnswer: '7', goldSolution: 'Left: 10-3=<<10-3=7>>7\n#### 7' },
  { text: 'A bus carries 5 rows of 6 kids. How many kids?', goldAnswer: '30', goldSolution: 'Kids: 5*6=<<5*6=30>>30\n#### 30' },
];
const RESPONSES: string[][] = [
  ['Pens: 3*4=<<3*4=12>>12\n#### 12', 'Pens: 3*4=<<3*4=13>>13\n#### 13', '#### 12', HOSTILE],
  ['Left: 10-3=<<10-3=7>>7\n#### 7', 'Left: 10-3=<<10-3=7>>7\n#### 7', 'Left: 10+3=<<10+3=13>>13\n#### 13', '#### 6'],
  ['Kids: 5*6=<<5*6=30>>30\n#### 30', 'Kids: 5*6=<<5*6=11>>11\n#### 11', 'I think #### 31', '#### 30'],
];

/** Writes run `name` under `<cwd>/data/runs/`; returns its folder and store path. */
export async function writeRun(cwd: string, name: string): Promise<{ runDir: string; dbPath: string }> {
  const runDir = join(cwd, 'data', 'runs', name);
  const dbPath = join(runDir, 'sieve.sqlite');
  await initBackend({ prefer: 'wasm' });
  const tokenizer = CharTokenizer.fromCorpus([...QUESTIONS.map((q) => formatPrompt(q.text)), ...RESPONSES.flat()]);
  const config = parseModelConfig({ vocabSize: tokenizer.vocabSize, dim: 16, layers: 1, heads: 2, kvHeads: 1, mlpDim: 32, contextLength: 128 });
  const model = createModel(config, { seed: 7 });
  await saveCheckpoint(join(runDir, 'models', 'base'), { config, tokenizer, params: model.params });
  model.dispose();

  const store = Store.open(dbPath);
  try {
    store.questions.insertMany('synth', 'train', 'hand', QUESTIONS.map((q) => ({ ...q, difficulty: null, meta: {} })));
    store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: { ...config }, parentId: null, meta: {} });
    const run = store.samples.ensureRun({ name: 'rft-samples', modelId: 'base', set: 'synth', split: 'train', params: { k: 4 }, seed: 1 });
    const samples: SampleInput[] = store.questions.list({ set: 'synth' }).flatMap((q, qi) =>
      (RESPONSES[qi] ?? []).map((text, i) => {
        const n = Array.from(text).length + 1; // characters + EOS
        return {
          questionId: q.id,
          sampleIndex: i,
          seed: i,
          text,
          tokenCount: n,
          logprobSum: -n,
          tokenLogprobs: Float32Array.from({ length: n }, (_, t) => Math.log(0.3 + (0.6 * ((t * 7) % 10)) / 10)),
          finishReason: 'stop' as const,
        };
      }),
    );
    store.samples.insertMany(run.id, samples);
    store.samples.setRunStatus(run.id, 'done');
    store.stages.start('sample', '', 'fp-sample');
    store.stages.finish('sample', '', 'done');
    verifySamples(store, { runName: 'rft-samples' });
    buildDataset(store, { runName: 'rft-samples', name: 'rft', rules: { requireSteps: true, dedup: 'equations' } });
  } finally {
    store.close();
  }
  return { runDir, dbPath };
}

/**
 * Everything a run computed, keyed by names (never by row ids or times, which depend on the order
 * stages ran in): every sample run's samples (texts, seeds, log-probs), every training run's
 * metrics (losses), every evaluation's numbers, and the sha256 of every checkpoint's weights.
 * Two runs of one config give equal contents whatever `--jobs` was.
 */
const TIMING_KEYS = new Set(['seconds', 'tokensPerSec']);
export function runContents(runDir: string): Record<string, unknown> {
  const store = Store.open(join(runDir, 'sieve.sqlite'), { readonly: true });
  try {
    const samples = Object.fromEntries(
      store.samples
        .listRuns()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => [
          r.name,
          { modelId: r.modelId, set: r.set, split: r.split, params: r.params, seed: r.seed, status: r.status, samples: store.samples.list(r.id).map(({ id: _id, runId: _run, tokenLogprobs, ...s }) => ({ ...s, tokenLogprobs: tokenLogprobs ? [...tokenLogprobs] : null })) },
        ]),
    );
    const training = Object.fromEntries(
      store.training
        .list()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => [r.name, { method: r.method, seed: r.seed, step: r.step, status: r.status, outModelId: r.outModelId, config: { ...r.config, fingerprint: 'of the config with its paths' }, metrics: store.training.metrics(r.id) }]),
    );
    const evaluations = store.evaluations
      .list()
      .map(({ id: _id, createdAt: _at, ...e }) => e)
      .sort((a, b) => `${a.modelId}/${a.set}/${a.split}`.localeCompare(`${b.modelId}/${b.set}/${b.split}`));
    const weights = Object.fromEntries(
      store.models
        .list()
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((m) => [m.id, createHash('sha256').update(readFileSync(join(runDir, 'models', m.id, 'weights.bin'))).digest('hex')]),
    );
    const stages = Object.fromEntries(store.stages.list().map((r) => [r.key ? `${r.stage}:${r.key}` : r.stage, { status: r.status, fingerprint: r.fingerprint }]));
    // Timings and the run folder's path are not results.
    const normal = JSON.parse(JSON.stringify({ samples, training, evaluations, weights, stages }).replaceAll(runDir, '<run>'), (k, v: unknown) => (TIMING_KEYS.has(k) ? undefined : v)) as Record<string, unknown>;
    return normal;
  } finally {
    store.close();
  }
}
