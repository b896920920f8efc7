import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from './bench';
import { useTestBackend } from './test-helpers';
import { CharTokenizer } from './tokenizer';
import { createModel, type Transformer } from './transformer';

const STRINGS = ['cat=tac', 'dog=god', 'sun=nus', 'pen=nep'];

/** Greedy decoding with the KV cache from [bos, first char] until <eos>. */
function greedy(model: Transformer, tok: CharTokenizer, first: string, maxNew: number): string {
  const cache = model.createCache();
  try {
    const out = tok.encode(first);
    let input = tf.tensor2d([[tok.bosId, ...out]], undefined, 'int32');
    for (let i = 0; i < maxNew; i++) {
      const logits = model.forward(input, { cache, lastOnly: true });
      const next = tf.tidy(() => tf.argMax(tf.reshape(logits, [-1])).dataSync()[0]!);
      logits.dispose();
      input.dispose();
      if (next === tok.eosId) break;
      out.push(next);
      input = tf.tensor2d([[next]], undefined, 'int32');
    }
    input.dispose();
    return tok.decode(out);
  } finally {
    cache.dispose();
  }
}

describe('a tiny model learns a tiny task', () => {
  beforeAll(async () => {
    await useTestBackend();
  });

  it('fits four strings with Adam + cross-entropy and reproduces each by greedy decoding', () => {
    const tok = CharTokenizer.fromCorpus(STRINGS);
    const model = createModel(
      { vocabSize: tok.vocabSize, dim: 32, layers: 2, heads: 4, kvHeads: 2, mlpDim: 64, contextLength: 16 },
      { seed: 3 },
    );
    const seqs = STRINGS.map((s) => [tok.bosId, ...tok.encode(s), tok.eosId]);
    const inputs = tf.tensor2d(seqs.map((s) => s.slice(0, -1)), undefined, 'int32');
    const targets = tf.tensor2d(seqs.map((s) => s.slice(1)), undefined, 'int32');
    const opt = tf.train.adam(0.01);
    const vars = Object.values(model.params);
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      const loss = opt.minimize(() => crossEntropy(model.forward(inputs), targets), true, vars);
      losses.push(loss!.dataSync()[0]!);
      loss!.dispose();
    }
    // Start ≈ ln(vocab); the floor is ln(4)/8 ≈ 0.17 (the first character after <bos> is a 4-way guess).
    expect(losses[0]).toBeGreaterThan(2);
    expect(losses.at(-1)).toBeLessThan(0.4);
    for (const s of STRINGS) expect(greedy(model, tok, s[0]!, 10)).toBe(s);
    opt.dispose();
    inputs.dispose();
    targets.dispose();
    model.dispose();
  });
});
