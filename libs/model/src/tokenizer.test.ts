import { describe, expect, it } from 'vitest';
import { BOS_ID, CharTokenizer, EOS_ID, PAD_ID, UNK_ID, tokenizerFromJSON } from './tokenizer';

describe('CharTokenizer', () => {
  const tok = CharTokenizer.fromCorpus(['12+3=15', 'ab ba']);

  it('puts the specials first, then the sorted distinct characters', () => {
    expect([tok.padId, tok.bosId, tok.eosId, PAD_ID, BOS_ID, EOS_ID, UNK_ID]).toEqual([0, 1, 2, 0, 1, 2, 3]);
    // sorted: ' ', '+', '1', '2', '3', '5', '=', 'a', 'b'
    expect(tok.vocabSize).toBe(4 + 9);
    expect(tok.encode(' +1')).toEqual([4, 5, 6]);
    expect(tok.encode('ba')).toEqual([12, 11]);
    expect(tok.tokenText(1)).toBe('<bos>');
  });

  it('round-trips text, maps unknown characters to <unk> and skips specials when decoding', () => {
    expect(tok.decode(tok.encode('21+3=5 ab'))).toBe('21+3=5 ab');
    expect(tok.encode('1x')).toEqual([6, UNK_ID]);
    expect(tok.decode([BOS_ID, 6, UNK_ID, 7, EOS_ID, PAD_ID])).toBe('12');
    expect(() => tok.decode([99])).toThrow(/outside the vocabulary/);
  });

  it('treats a character outside the BMP as one token', () => {
    const t = CharTokenizer.fromCorpus(['a😀']);
    expect(t.vocabSize).toBe(6);
    expect(t.decode(t.encode('😀a'))).toBe('😀a');
  });

  it('survives JSON and rejects malformed JSON with a hint', () => {
    const back = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.encode('12+3=15')).toEqual(tok.encode('12+3=15'));
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(() => CharTokenizer.fromJSON({ type: 'char', version: 1, chars: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => CharTokenizer.fromJSON({ type: 'char', version: 1, chars: ['ab'] })).toThrow(/one character/);
    expect(() => CharTokenizer.fromJSON({ type: 'bpe' }, 'x/tokenizer.json')).toThrow(/invalid char tokenizer/);
  });
});
