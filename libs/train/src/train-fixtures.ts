// Test-only fixtures (not exported from index.ts): a real temp store with a tiny dataset and a base checkpoint.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharTokenizer, createModel, initBackend, loadCheckpoint, saveCheckpoint, type ModelConfigInput, type Tokenizer, type Transformer } from '@sieve/model';
import { Store } from '@sieve/store';

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
