/**
 * GGUF tokenizer metadata for sieve's character tokenizer, written so llama.cpp both loads it and
 * tokenizes text to the ids CharTokenizer gives.
 *
 * It is written as a byte-level BPE vocabulary (`gpt2`): each character is one token whose text is
 * its UTF-8 bytes in GPT-2's byte-to-unicode alphabet, and the merges join the bytes of each
 * multi-byte character (and nothing across characters: a merge's left side always starts with a
 * UTF-8 lead byte and its right side is a continuation byte). A SentencePiece (`llama`) vocabulary
 * was the other candidate; llama.cpp's SPM tokenizer falls back to `<0xXX>` byte tokens for an
 * unknown character and throws (std::out_of_range, aborting the process) when they are absent,
 * while its BPE tokenizer skips bytes it cannot map. An unknown character is `<unk>` for sieve and
 * absent for llama.cpp: the two agree on text made of the vocabulary's characters.
 * The four specials are control tokens with their ids (pad 0, bos 1, eos 2, unk 3).
 */
import type { CharTokenizer } from '../tokenizer';
import type { GgufValue } from './gguf';

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the others to U+0100 upwards. */
function byteAlphabet(): string[] {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++));
  return out;
}
const BYTE_CHARS = byteAlphabet();

/** A character's token text in the byte-level alphabet, one symbol per UTF-8 byte. */
export function byteLevelSymbols(ch: string): string[] {
  return Array.from(Buffer.from(ch, 'utf8'), (b) => BYTE_CHARS[b] as string);
}

const CONTROL = 3;
const NORMAL = 1;

/** tokenizer.* keys of a GGUF for a CharTokenizer with `vocabSize` ids (the model's embedding rows). */
export function charGgufTokenizerMetadata(tokenizer: CharTokenizer, vocabSize: number): [string, GgufValue][] {
  const tokens: string[] = [];
  const types: number[] = [];
  const merges = new Set<string>();
  for (let id = 0; id < vocabSize; id++) {
    const text = tokenizer.tokenText(id);
    if (id < 4) {
      tokens.push(text);
      types.push(CONTROL);
      continue;
    }
    const sym = byteLevelSymbols(text);
    for (let i = 1; i < sym.length; i++) merges.add(`${sym.slice(0, i).join('')} ${sym[i]}`);
    tokens.push(sym.join(''));
    types.push(NORMAL);
  }
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'gpt-2' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: [...merges] }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: tokenizer.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: tokenizer.eosId }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: tokenizer.unkId }],
    ['tokenizer.ggml.padding_token_id', { type: 'u32', value: tokenizer.padId }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
}
