// Test-only helpers of libs/train (not exported from index.ts): backends, hand-made tensors and
// gradient checks, and fixtures (a real temp store with a tiny dataset and a base checkpoint).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { CharTokenizer, createModel, initBackend, loadCheckpoint, saveCheckpoint, type ModelConfigInput, type Tokenizer, type Transformer } from '@sieve/model';
import { Store } from '@sieve/store';
import { encodeExample, type SeqExample } from './examples';

/** Selects the wasm backend, or the cpu one if wasm cannot start. */
export async function useTestBackend(): Promise<string> {
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    console.warn('wasm backend failed to start, testing on cpu:', err);
  }
  if (!ok) await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}

/**
 * Logits whose softmax is the normalised weights: logits = log(weights), so the row
 * [1, 2, 5] has probabilities [1/8, 2/8, 5/8]. weights[b][t] is one row of V weights.
 */
export function logitsFromWeights(weights: number[][][]): tf.Tensor3D {
  return tf.tensor3d(weights.map((seq) => seq.map((row) => row.map(Math.log))));
}

/** Probabilities of a weight row: [1, 2, 5] → [0.125, 0.25, 0.625]. */
export function probs(row: number[]): number[] {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((w) => w / s);
}

export function int2d(values: number[][]): tf.Tensor2D {
  return tf.tensor2d(values, undefined, 'int32');
}

export function float2d(values: number[][]): tf.Tensor2D {
  return tf.tensor2d(values, undefined, 'float32');
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (!(Math.abs(a - e) <= tol)) throw new Error(`element ${i}: got ${a}, expected ${e} (±${tol})\nactual:   ${Array.from(actual).join(', ')}\nexpected: ${Array.from(expected).join(', ')}`);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return d;
}

/** Value of a scalar tensor function, tensors disposed. */
export function valueOf(f: () => tf.Tensor): number {
  const t = tf.tidy(f);
  const v = t.dataSync()[0] ?? NaN;
  t.dispose();
  return v;
}

/** Gradient of f at x as a flat array, tensors disposed. */
export function gradOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Float32Array {
  const g = tf.tidy(() => tf.grad(f)(x));
  const out = new Float32Array(g.dataSync());
  g.dispose();
  return out;
}

/** Central finite differences of f at x (step h), computed through the backend in float32. */
export function finiteDiff(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, h = 1e-2): number[] {
  const base = Array.from(x.dataSync());
  return base.map((_, i) => {
    const at = (delta: number): number => {
      const shifted = base.slice();
      shifted[i] = (shifted[i] ?? 0) + delta;
      return valueOf(() => f(tf.tensor(shifted, x.shape, 'float32')));
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

/** The backend the tool picks (wasm here, with its custom kernels), else cpu. */
export async function useBackend(): Promise<string> {
  try {
    return (await initBackend({ prefer: 'wasm' })).tfBackend;
  } catch {
    return (await initBackend({ prefer: 'cpu' })).tfBackend;
  }
}

/** Prompt → response pairs a tiny model can memorise: the response reverses the prompt's word. */
export const TINY_ITEMS = [
  { prompt: 'Q: cat\nA: ', response: 'tac', rejected: 'cat' },
  { prompt: 'Q: dog\nA: ', response: 'god', rejected: 'dgo' },
  { prompt: 'Q: sun\nA: ', response: 'nus', rejected: 'sun' },
  { prompt: 'Q: pen\nA: ', response: 'nep', rejected: 'pne' },
  { prompt: 'Q: hat\nA: ', response: 'tah', rejected: 'hta' },
  { prompt: 'Q: bus\nA: ', response: 'sub', rejected: 'bsu' },
];

/** Four items whose prompts and responses differ in length, so micro-batches pad differently and hold different numbers of loss tokens. */
export const MIXED_ITEMS = [
  { prompt: 'Q: a\nA: ', response: 'b', rejected: 'cc' },
  { prompt: 'Q: bb\nA: ', response: 'cabca', rejected: 'a' },
  { prompt: 'Q: c\nA: ', response: 'ab', rejected: 'bca' },
  { prompt: 'Q: abc\nA: ', response: 'cbacbab', rejected: 'ab' },
];
/** The character tokenizer of MIXED_ITEMS. */
export const mixedTokenizer = CharTokenizer.fromCorpus(MIXED_ITEMS.flatMap((i) => [i.prompt, i.response, i.rejected]));
/** MIXED_ITEMS encoded (fresh objects on each call: the reference cache writes into them). */
export const mixedSeqs = (): SeqExample[] => MIXED_ITEMS.map((i) => encodeExample(mixedTokenizer, i.prompt, i.response, 24));
/** MIXED_ITEMS as dpo pairs (fresh objects on each call). */
export const mixedPairs = (): { chosen: SeqExample; rejected: SeqExample }[] =>
  MIXED_ITEMS.map((i) => ({ chosen: encodeExample(mixedTokenizer, i.prompt, i.response, 24), rejected: encodeExample(mixedTokenizer, i.prompt, i.rejected, 24) }));

export const TINY_CONFIG: Omit<ModelConfigInput, 'vocabSize'> = { dim: 32, layers: 1, heads: 2, kvHeads: 1, mlpDim: 64, contextLength: 24 };

export interface Fixture {
  dir: string;
  store: Store;
  baseDir: string;
  tokenizer: Tokenizer;
  cleanup(): void;
}

export async function makeFixture(opts: { seed?: number; items?: typeof TINY_ITEMS } = {}): Promise<Fixture> {
  const items = opts.items ?? TINY_ITEMS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-train-'));
  const store = Store.open(path.join(dir, 'sieve.sqlite'));
  const base = (it: (typeof TINY_ITEMS)[number]) => ({ sampleId: null, questionId: null, prompt: it.prompt, response: it.response, kept: true, dropReason: null });
  store.datasets.create({ name: 'tiny', kind: 'rft', sampleRunId: null, rules: {}, stats: {} }, items.map(base));
  store.datasets.create(
    { name: 'tiny-pairs', kind: 'pairs', sampleRunId: null, rules: {}, stats: {} },
    items.map((it) => ({ ...base(it), rejectedResponse: it.rejected })),
  );
  const tokenizer = CharTokenizer.fromCorpus(items.flatMap((it) => [it.prompt, it.response, it.rejected]));
  const config = { ...TINY_CONFIG, vocabSize: tokenizer.vocabSize };
  const model = createModel(config, { seed: opts.seed ?? 7 });
  const baseDir = path.join(dir, 'models', 'base');
  await saveCheckpoint(baseDir, { config: model.config, tokenizer, params: model.params });
  model.dispose();
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: config as unknown as Record<string, unknown>, parentId: null, meta: {} });
  return {
    dir,
    store,
    baseDir,
    tokenizer,
    cleanup: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** All parameters of a checkpoint as flat arrays by name (the model is disposed). */
export async function paramsOf(dir: string): Promise<Map<string, Float32Array>> {
  const { model } = await loadCheckpoint(dir);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of Object.entries(model.params)) out.set(name, new Float32Array(v.dataSync()));
  model.dispose();
  return out;
}

export function maxParamDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || y.length !== x.length) return Infinity;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs((x[i] ?? NaN) - (y[i] ?? NaN)));
  }
  return d;
}

/** Greedy decoding by re-running the full sequence (no cache): BOS + prompt, argmax until EOS. */
export function greedyDecode(model: Transformer, tok: Tokenizer, prompt: string, maxNew: number): string {
  const ids = [tok.bosId, ...tok.encode(prompt)];
  const out: number[] = [];
  for (let i = 0; i < maxNew; i++) {
    const next = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d([ids], undefined, 'int32')); // [1, T, V]
      const last = tf.slice(logits, [0, ids.length - 1, 0], [1, 1, model.config.vocabSize]);
      return tf.argMax(tf.reshape(last, [-1])).dataSync()[0] as number;
    });
    if (next === tok.eosId) break;
    out.push(next);
    ids.push(next);
  }
  return tok.decode(out);
}
