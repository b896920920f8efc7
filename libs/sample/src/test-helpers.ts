/** For tests only: backend, a tiny char tokenizer and model. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharTokenizer, createModel, initBackend, saveCheckpoint, type ModelConfigInput, type Transformer } from '@sieve/model';

export async function useTestBackend(): Promise<void> {
  try {
    await initBackend({ prefer: 'wasm' });
  } catch {
    await initBackend({ prefer: 'cpu' });
  }
}

export const tinyTokenizer = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?QA\nabcdefghijklmnopqrstuvwxyz']);

export function tinyConfig(over: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return { vocabSize: tinyTokenizer.vocabSize, dim: 16, layers: 2, heads: 4, kvHeads: 2, mlpDim: 24, contextLength: 64, ...over };
}

/**
 * A random tiny model whose weights are scaled up (q/k by 8, the rest by 3) so attention is peaked
 * and logits spread out: with the default small init, attention is nearly uniform and a position
 * or mask bug would barely move the logits.
 */
export function tinyModel(seed = 1, over: Partial<ModelConfigInput> = {}): Transformer {
  const m = createModel(tinyConfig(over), { seed });
  for (const [name, v] of Object.entries(m.params)) {
    if (name.endsWith('norm')) continue;
    const scale = /attn\.w[qk]$/.test(name) ? 8 : 3;
    tf.tidy(() => v.assign(tf.mul(v, scale)));
  }
  return m;
}

/** Saves a tiny scaled random model as a checkpoint in a fresh temp folder; returns the folder. */
export async function tinyCheckpoint(seed = 1, over: Partial<ModelConfigInput> = {}): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-sample-')), 'model');
  const m = tinyModel(seed, over);
  try {
    await saveCheckpoint(dir, { config: m.config, tokenizer: tinyTokenizer, params: m.params });
  } finally {
    m.dispose();
  }
  return dir;
}
