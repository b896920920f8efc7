/**
 * A Hugging Face tokenizer behind sieve's `Tokenizer` interface: `tokenizer.json` through
 * @huggingface/tokenizers, the chat template from `tokenizer_config.json` through
 * @huggingface/jinja, and PAD/BOS/EOS from `tokenizer_config.json` and `generation_config.json`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import { z } from 'zod';
import { InputError, SieveError } from '@sieve/core';
import type { Tokenizer } from '../tokenizer';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

/** What `toJSON` gives: the three files' contents, enough to rebuild the tokenizer anywhere (worker threads). */
export const HfTokenizerJSONSchema = z.object({
  type: z.literal('hf'),
  version: z.literal(1),
  tokenizer: z.record(z.string(), z.unknown()),
  config: z.record(z.string(), z.unknown()),
  generation: z.record(z.string(), z.unknown()).nullable(),
});
export type HfTokenizerJSON = z.infer<typeof HfTokenizerJSONSchema>;

const TokenizerFileSchema = z
  .object({
    model: z.object({ type: z.string(), vocab: z.union([z.record(z.string(), z.number().int()), z.array(z.unknown())]) }).passthrough(),
    added_tokens: z.array(z.object({ id: z.number().int().nonnegative(), content: z.string(), special: z.boolean() }).passthrough()).default([]),
  })
  .passthrough();

/** A special token in tokenizer_config.json: a string or an AddedToken object `{content}`. */
const tokenName = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : null;

const ids = (v: unknown): number[] => (typeof v === 'number' ? [v] : Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Every id that ends generation (generation_config may list several, e.g. `<|im_end|>` and `<|endoftext|>`). */
  readonly eosIds: readonly number[];
  /** Whether prompts start with BOS (tokenizer_config `add_bos_token`; false for Qwen). */
  readonly addBos: boolean;
  /** The Jinja chat template, or null when the tokenizer has none. */
  readonly chatTemplate: string | null;
  /** Ids of the added tokens marked special (skipped by decode). */
  readonly specialIds: ReadonlySet<number>;
  private readonly impl: HfTokenizerImpl;
  private readonly idToToken: Map<number, string>;
  private template: Template | null = null;
  private endOfTurn: number | null = null;

  private constructor(private readonly json: HfTokenizerJSON, where: string) {
    const parsed = TokenizerFileSchema.safeParse(json.tokenizer);
    if (!parsed.success) {
      throw new InputError(`${TOKENIZER_FILE} is not a Hugging Face tokenizer: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        where,
      });
    }
    try {
      this.impl = new HfTokenizerImpl(json.tokenizer, json.config);
    } catch (err) {
      throw new InputError(`${TOKENIZER_FILE} could not be loaded: ${(err as Error).message}`, { where, cause: err });
    }
    const vocab = parsed.data.model.vocab;
    this.idToToken = new Map<number, string>();
    if (Array.isArray(vocab)) vocab.forEach((e, i) => this.idToToken.set(i, Array.isArray(e) ? String(e[0]) : String(e)));
    else for (const [tok, id] of Object.entries(vocab)) this.idToToken.set(id, tok);
    for (const t of parsed.data.added_tokens) this.idToToken.set(t.id, t.content);
    let maxId = -1;
    for (const id of this.idToToken.keys()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.specialIds = new Set(parsed.data.added_tokens.filter((t) => t.special).map((t) => t.id));

    const cfg = json.config;
    const gen = json.generation ?? {};
    const idOf = (key: string): number | null => {
      const name = tokenName(cfg[key]);
      if (name === null) return null;
      const id = this.impl.token_to_id(name);
      if (id === undefined) throw new InputError(`${key} "${name}" is not a token of ${TOKENIZER_FILE}`, { where: `${TOKENIZER_CONFIG_FILE}: ${key}` });
      return id;
    };
    const eosIds = [...new Set([...ids(gen['eos_token_id']), ...[idOf('eos_token')].filter((x): x is number => x !== null)])];
    const eos = eosIds[0];
    if (eos === undefined) {
      throw new InputError('no end-of-sequence token: neither eos_token in tokenizer_config.json nor eos_token_id in generation_config.json', {
        where: TOKENIZER_CONFIG_FILE,
      });
    }
    this.eosIds = eosIds;
    this.eosId = eos;
    this.bosId = idOf('bos_token') ?? ids(gen['bos_token_id'])[0] ?? eos;
    this.padId = idOf('pad_token') ?? ids(gen['pad_token_id'])[0] ?? eos;
    this.addBos = cfg['add_bos_token'] === true;
    this.chatTemplate = typeof cfg['chat_template'] === 'string' ? cfg['chat_template'] : null;
  }

  /**
   * Reads `dir`/tokenizer.json, tokenizer_config.json and (optional) generation_config.json.
   * @throws InputError naming the file that is missing or does not parse.
   */
  static fromDir(dir: string): HfTokenizer {
    const files = [TOKENIZER_FILE, TOKENIZER_CONFIG_FILE, GENERATION_CONFIG_FILE].map((f) => path.join(dir, f));
    const texts = files.map((f, i) => (i === 2 && !fs.existsSync(f) ? null : readText(f)));
    // Building the tokenizer (11 MB of JSON for Qwen) takes a second or two; identical files reuse it.
    const key = createHash('sha256').update(JSON.stringify(texts)).digest('hex');
    const cached = cache.get(key);
    if (cached) return cached;
    const [tokenizer, config, generation] = texts.map((t, i) => (t === null ? null : parseJsonObject(t, files[i] ?? '')));
    const tok = new HfTokenizer({ type: 'hf', version: 1, tokenizer: tokenizer ?? {}, config: config ?? {}, generation: generation ?? null }, files[0] ?? dir);
    cache.set(key, tok);
    if (cache.size > 4) cache.delete(cache.keys().next().value ?? '');
    return tok;
  }

  /** From `toJSON()` output. */
  static fromJSON(json: unknown, where = 'tokenizer'): HfTokenizer {
    const res = HfTokenizerJSONSchema.safeParse(json);
    if (!res.success) throw new InputError('invalid HF tokenizer JSON', { where });
    return new HfTokenizer(res.data, where);
  }

  /** Text → ids without BOS/EOS; special-token text such as `<|im_end|>` maps to its id. */
  encode(text: string): number[] {
    return this.impl.encode(text, { add_special_tokens: false }).ids;
  }

  /** Ids → text; special tokens are skipped. Throws on an id outside the vocabulary. */
  decode(ids: readonly number[]): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new SieveError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`, { hint: 'the model and tokenizer must come from the same checkpoint' });
      }
    }
    return this.impl.decode([...ids], { skip_special_tokens: true });
  }

  /** The token's vocabulary string (byte-level form for BPE, e.g. `Ġthe`). */
  tokenText(id: number): string {
    return this.idToToken.get(id) ?? '';
  }

  /**
   * The prompt text for `messages` through the model's chat template (as transformers'
   * `apply_chat_template(..., tokenize=False)`).
   * @throws InputError when the tokenizer has no chat template.
   */
  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    if (this.chatTemplate === null) throw new InputError('this tokenizer has no chat_template', { where: TOKENIZER_CONFIG_FILE, hint: 'use the plain prompt format' });
    this.template ??= new Template(this.chatTemplate);
    const cfg = this.json.config;
    return this.template.render({
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      bos_token: tokenName(cfg['bos_token']) ?? '',
      eos_token: tokenName(cfg['eos_token']) ?? '',
    });
  }

  /**
   * The token that ends an assistant turn in the chat template (Qwen/ChatML `<|im_end|>`, LLaMA 3
   * `<|eot_id|>`, zephyr-style templates the EOS): the first token the template writes after an
   * assistant message's content, when it is a special token; else `eosId`. Chat responses are trained
   * to end with it and generation stops at it.
   * @throws InputError when the tokenizer has no chat template.
   */
  get endOfTurnId(): number {
    if (this.endOfTurn !== null) return this.endOfTurn;
    const probe = 'SIEVE-END-OF-TURN-PROBE';
    const text = this.applyChatTemplate([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: probe },
    ]);
    const at = text.lastIndexOf(probe);
    const next = at < 0 ? undefined : this.encode(text.slice(at + probe.length))[0];
    this.endOfTurn = next !== undefined && this.specialIds.has(next) ? next : this.eosId;
    return this.endOfTurn;
  }

  /** The raw tokenizer.json, tokenizer_config.json and generation_config.json objects (for export and GGUF). */
  get files(): { tokenizer: Record<string, unknown>; config: Record<string, unknown>; generation: Record<string, unknown> | null } {
    return { tokenizer: this.json.tokenizer, config: this.json.config, generation: this.json.generation };
  }

  toJSON(): HfTokenizerJSON {
    return this.json;
  }
}

/** Tokenizers by the sha256 of their files' text (immutable, so sharing is safe). */
const cache = new Map<string, HfTokenizer>();

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path.basename(file)}`, { where: file, cause: err, hint: 'an HF model folder needs tokenizer.json and tokenizer_config.json' });
  }
}

function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path.basename(file)} is not valid JSON (${(err as Error).message})`, { where: file, cause: err });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`${path.basename(file)} is not a JSON object`, { where: file });
  return v as Record<string, unknown>;
}
