import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transformer } from '@sieve/model';
import { generate } from './generate';
import { generateUncached } from './generate-uncached';
import { encodePrompt } from './prompt';
import type { GenerateParams, GenRequest } from './sequence';
import { tinyModel, tinyTokenizer, useTestBackend } from './test-helpers';

const tok = tinyTokenizer;
let model: Transformer;

beforeAll(async () => {
  await useTestBackend();
  model = tinyModel(3);
});
afterAll(() => model.dispose());

const sampled: GenerateParams = { temperature: 1, topK: 0, topP: 1, maxNewTokens: 12 };
const greedy: GenerateParams = { ...sampled, temperature: 0 };

// Prompts of 4, 9, 15 and 26 tokens, one repeated (the prefill forks it).
const prompts = ['1+1', 'what is 3*4', 'a', 'add 12 and 30, then halve it'].map((q) => encodePrompt(tok, q));
const requests: GenRequest[] = [
  { prompt: prompts[0]!, seed: 11 },
  { prompt: prompts[1]!, seed: 12 },
  { prompt: prompts[2]!, seed: 13 },
  { prompt: prompts[1]!, seed: 14 },
  { prompt: prompts[3]!, seed: 15 },
];

describe('cached decoding', () => {
  // Mixed prompt lengths (4 to 36 tokens); and short ones generating long enough that the
  // prefill block (with its padding) is merged with decoded blocks; on grouped-query and plain heads.
  const shortReqs: GenRequest[] = ['1+1', 'a', '12*3'].map((q, i) => ({ prompt: encodePrompt(tok, q), seed: 40 + i }));
  it.each([
    ['mixed prompts, GQA', 2, requests, 12, undefined],
    ['short prompts, long outputs, GQA', 2, shortReqs, 40, undefined],
    ['mixed prompts, one kv head per head, prefill in chunks of one or two rows', 4, requests, 20, 80],
  ] as const)('gives the logits of a full uncached forward pass, token by token (%s)', (_, kvHeads, reqs, maxNewTokens, forwardTokens) => {
    const m = kvHeads === 2 ? model : tinyModel(6, { kvHeads });
    const seen = reqs.map(() => [] as Float32Array[]); // per request, the logits row of each generated token
    const out = generate(m, tok, reqs, { ...sampled, maxNewTokens }, {
      ...(forwardTokens ? { forwardTokens } : {}),
      compactFraction: 0,
      onLogits: (rows, logits, v) => rows.forEach((r, i) => seen[r]!.push(logits.slice(i * v, (i + 1) * v))),
    });
    let compared = 0;
    let maxDiff = 0;
    out.forEach((res, r) => {
      const prompt = reqs[r]!.prompt;
      const full = [...prompt, ...res.tokens];
      const ref = tf.tidy(() => m.forward(tf.tensor2d([full], [1, full.length], 'int32')).arraySync()[0]!); // [T, V]
      expect(seen[r]!.length).toBe(res.tokens.length);
      res.tokens.forEach((_, g) => {
        const want = ref[prompt.length - 1 + g]!;
        const got = seen[r]![g]!;
        for (let v = 0; v < want.length; v++) maxDiff = Math.max(maxDiff, Math.abs(got[v]! - want[v]!));
        compared++;
      });
    });
    expect(compared).toBeGreaterThan(20);
    expect(maxDiff).toBeLessThan(1e-4);
    if (m !== model) m.dispose();
  });

  it('generates the same tokens as recomputing the whole sequence every step', () => {
    const cached = generate(model, tok, requests, sampled);
    const uncached = generateUncached(model, tok, requests, sampled, { forwardTokens: 40 }); // a row or two per forward
    expect(cached.map((r) => r.tokens)).toEqual(uncached.map((r) => r.tokens));
    cached.forEach((r, i) => {
      expect(r.text).toBe(uncached[i]!.text);
      expect(r.logprobSum).toBeCloseTo(uncached[i]!.logprobSum, 3);
    });
  });

  it('keeps one temperature-1 log-prob per generated token, and their sum', () => {
    const hot = generate(model, tok, requests, { ...sampled, temperature: 3, topK: 5 });
    for (const r of hot) {
      expect(r.logprobs.length).toBe(r.tokens.length);
      expect(r.logprobSum).toBeCloseTo(Array.from(r.logprobs).reduce((a, b) => a + b, 0), 4);
      for (const lp of r.logprobs) expect(lp).toBeLessThan(0);
    }
    // The first token's log-prob is log softmax of the prompt's last logits at temperature 1, whatever the sampling temperature.
    const first = hot[2]!;
    const full = [...requests[2]!.prompt];
    const logits = tf.tidy(() => model.forward(tf.tensor2d([full], [1, full.length], 'int32')).arraySync()[0]![full.length - 1]!);
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, x) => s + Math.exp(x - m), 0));
    expect(first.logprobs[0]).toBeCloseTo(logits[first.tokens[0]!]! - lse, 4);
  });
});

describe('seeded sampling', () => {
  it('same seeds give the same samples, different seeds different ones', () => {
    const a = generate(model, tok, requests, sampled);
    const b = generate(model, tok, requests, sampled);
    expect(b.map((r) => r.text)).toEqual(a.map((r) => r.text));
    const c = generate(model, tok, requests.map((r) => ({ ...r, seed: r.seed + 100 })), sampled);
    expect(c.map((r) => r.text)).not.toEqual(a.map((r) => r.text));
    // Two samples of the same prompt with different seeds differ too.
    expect(a[1]!.text).not.toBe(a[3]!.text);
  });

  it('temperature → 0 and top-k 1 both equal greedy decoding', () => {
    const g = generate(model, tok, requests, greedy);
    expect(generate(model, tok, requests, { ...sampled, temperature: 1e-4 }).map((r) => r.tokens)).toEqual(g.map((r) => r.tokens));
    expect(generate(model, tok, requests, { ...sampled, topK: 1 }).map((r) => r.tokens)).toEqual(g.map((r) => r.tokens));
    // Greedy ignores the seed: both samples of the repeated prompt are the same.
    expect(g[1]!.tokens).toEqual(g[3]!.tokens);
  });

  it('a sample regenerated alone equals the same sample generated in a batch', () => {
    const batch = generate(model, tok, requests, sampled);
    requests.forEach((req, i) => {
      const [alone] = generate(model, tok, [req], sampled);
      expect(alone!.tokens).toEqual(batch[i]!.tokens);
      expect(alone!.text).toBe(batch[i]!.text);
      expect(alone!.finishReason).toBe(batch[i]!.finishReason);
      alone!.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(batch[i]!.logprobs[t]!, 4));
    });
  });

  it.each([
    ['GQA, head size 4 (stock attention kernels)', {}],
    ['one kv head per head, head size 16 (the wasm SIMD decode attention)', { dim: 32, heads: 2, kvHeads: 2 }],
  ] as const)('compacting the batch at every finish or never gives bit-identical tokens and log-probs (%s)', (_, over) => {
    const m = tinyModel(8, over);
    // Budgets long enough that rows finish at different steps.
    const reqs: GenRequest[] = [...requests, ...requests.map((r) => ({ ...r, seed: r.seed + 100 }))];
    const params = { ...sampled, maxNewTokens: 30 };
    const eager = generate(m, tok, reqs, params, { compactFraction: 0 });
    const never = generate(m, tok, reqs, params, { compactFraction: 1 });
    expect(new Set(eager.map((r) => r.tokens.length)).size).toBeGreaterThan(1); // rows did finish apart
    eager.forEach((r, i) => {
      expect(r.tokens).toEqual(never[i]!.tokens);
      expect(Array.from(r.logprobs)).toEqual(Array.from(never[i]!.logprobs)); // exact, not close
    });
    m.dispose();
  });
});

describe('stopping', () => {
  it('stops at max new tokens and at the context length, with finish reason length', () => {
    const short = generate(model, tok, requests, { ...greedy, maxNewTokens: 3 });
    for (const r of short) expect(r.tokens.length === 3 ? r.finishReason : 'length').toBe('length');
    const small = tinyModel(3, { contextLength: 20 });
    try {
      const out = generate(small, tok, requests, { ...sampled, maxNewTokens: 50 });
      out.forEach((r, i) => {
        const room = 20 - requests[i]!.prompt.length;
        if (r.finishReason === 'length') expect(r.tokens.length).toBe(Math.max(0, room));
        else expect(r.tokens.length).toBeLessThanOrEqual(room);
      });
      // The 26-token prompt does not fit: nothing is generated.
      expect(out[4]).toMatchObject({ tokens: [], text: '', finishReason: 'length' });
      // Rows stop at different steps here, so the cache drops finished rows and trims their padding:
      // still the same tokens as recomputing every sequence in full.
      expect(new Set(out.map((r) => r.tokens.length)).size).toBeGreaterThan(2);
      const ref = generateUncached(small, tok, requests, { ...sampled, maxNewTokens: 50 });
      expect(out.map((r) => r.tokens)).toEqual(ref.map((r) => r.tokens));
      out.forEach((r, i) => r.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(ref[i]!.logprobs[t]!, 4)));
    } finally {
      small.dispose();
    }
  });

  it('rejects bad settings, naming the field', () => {
    expect(() => generate(model, tok, requests, { ...sampled, topP: 0 })).toThrow(/top-p/);
    expect(() => generate(model, tok, requests, { ...sampled, temperature: -1 })).toThrow(/temperature/);
    expect(() => generate(model, tok, requests, { ...sampled, topK: 1.5 })).toThrow(/top-k/);
  });
});
