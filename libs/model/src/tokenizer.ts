/**
 * Tokenizers. `Tokenizer` is the interface the rest of the tool uses; `CharTokenizer` is the
 * offline default: four specials, then one id per distinct character (Unicode code point) of a
 * training corpus, sorted. `HfTokenizer` (hf/tokenizer.ts) implements the same interface for
 * Hugging Face checkpoints.
 */
import { z } from 'zod';
import { InputError, SieveError } from '@sieve/core';
import { HfTokenizer, type HfTokenizerJSON } from './hf/tokenizer';

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

export const CharTokenizerJSONSchema = z
  .object({
    type: z.literal('char'),
    version: z.literal(1),
    /** The non-special vocabulary in id order (ids start after the specials). */
    chars: z.array(z.string().refine((s) => Array.from(s).length === 1, 'each entry must be one character')),
  })
  .strict()
  .refine((j) => new Set(j.chars).size === j.chars.length, { message: 'characters must be distinct', path: ['chars'] });

export const TokenizerJSONSchema = CharTokenizerJSONSchema;
export type CharTokenizerJSON = z.infer<typeof CharTokenizerJSONSchema>;
/** A tokenizer's serialised form: the char vocabulary, or an HF tokenizer's files. */
export type TokenizerJSON = CharTokenizerJSON | HfTokenizerJSON;

export interface Tokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Whether prompts start with BOS (absent = true; HF tokenizers: `add_bos_token`, false for Qwen). Use `bosPrefix`. */
  readonly addBos?: boolean;
  /** Every id that ends generation (absent = [eosId]; HF: generation_config may list several). Use `isEos`. */
  readonly eosIds?: readonly number[];
  /** Text → ids, without bos/eos (callers add them). Unknown characters map to `<unk>`. */
  encode(text: string): number[];
  /** Ids → text; special tokens are skipped. Throws on an id outside the vocabulary. */
  decode(ids: readonly number[]): string;
  toJSON(): TokenizerJSON;
}

export class CharTokenizer implements Tokenizer {
  readonly padId = PAD_ID;
  readonly bosId = BOS_ID;
  readonly eosId = EOS_ID;
  readonly unkId = UNK_ID;
  private readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  private constructor(chars: readonly string[]) {
    this.chars = chars;
    this.ids = new Map(chars.map((c, i) => [c, i + SPECIAL_TOKENS.length]));
  }

  /** Vocabulary = the sorted distinct characters of `texts`. */
  static fromCorpus(texts: Iterable<string>): CharTokenizer {
    const set = new Set<string>();
    for (const t of texts) for (const ch of t) set.add(ch);
    return new CharTokenizer([...set].sort());
  }

  /** From a parsed tokenizer.json; `where` names the source in errors. */
  static fromJSON(json: unknown, where = 'tokenizer.json'): CharTokenizer {
    const res = CharTokenizerJSONSchema.safeParse(json);
    if (!res.success) {
      const issues = res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new InputError(`invalid char tokenizer: ${issues}`, {
        where,
        hint: 'expected {"type":"char","version":1,"chars":[...]}; re-create it from the corpus (re-run pretrain)',
      });
    }
    return new CharTokenizer(res.data.chars);
  }

  get vocabSize(): number {
    return SPECIAL_TOKENS.length + this.chars.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of text) out.push(this.ids.get(ch) ?? UNK_ID);
    return out;
  }

  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new SieveError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`, {
          hint: 'the model and tokenizer must come from the same checkpoint',
        });
      }
      if (id >= SPECIAL_TOKENS.length) s += this.chars[id - SPECIAL_TOKENS.length];
    }
    return s;
  }

  /** The token's text (`<bos>` etc. for specials), for debugging and viewers. */
  tokenText(id: number): string {
    return id < SPECIAL_TOKENS.length ? (SPECIAL_TOKENS[id] ?? '') : (this.chars[id - SPECIAL_TOKENS.length] ?? '');
  }

  toJSON(): CharTokenizerJSON {
    return { type: 'char', version: 1, chars: [...this.chars] };
  }
}

/** The ids every sequence starts with: `[bosId]`, or none when the tokenizer adds no BOS (Qwen). */
export function bosPrefix(tok: Tokenizer): number[] {
  return tok.addBos === false ? [] : [tok.bosId];
}

/** Whether `id` ends generation: `eosId` or any of `eosIds` (e.g. Qwen's `<|im_end|>` and `<|endoftext|>`). */
export function isEos(tok: Tokenizer, id: number): boolean {
  return id === tok.eosId || (tok.eosIds?.includes(id) ?? false);
}

/** Any tokenizer from its JSON (dispatches on `type`). */
export function tokenizerFromJSON(json: unknown, where = 'tokenizer.json'): Tokenizer {
  if (typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'hf') return HfTokenizer.fromJSON(json, where);
  return CharTokenizer.fromJSON(json, where);
}
