/**
 * An HF-layout model (Qwen2 or LLaMA) as a GGUF file llama.cpp loads: tensor names mapped as
 * llama.cpp's convert_hf_to_gguf.py does, the q/k rows of LLaMA permuted back to interleaved
 * RoPE pairs (HF un-interleaves them; Qwen2 uses NEOX RoPE in llama.cpp and needs nothing),
 * the architecture's hyper-parameters and the byte-level BPE tokenizer (`gpt2` model:
 * tokens, token types, merges, special ids, chat template).
 */
import { InputError } from '@sieve/core';
import { CharTokenizer } from '../tokenizer';
import type { ModelConfig } from '../config';
import type { HfArchitecture } from './config';
import { charGgufTokenizerMetadata } from './gguf-char-vocab';
import { writeGguf, type GgmlType, type GgufTensor, type GgufValue } from './gguf';
import type { TensorToWrite } from './safetensors';
import { HfTokenizer } from './tokenizer';

/** llama.cpp token types. */
const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

/** HF tensor name → GGUF tensor name. */
export function ggufTensorName(hfName: string): string {
  const top: Record<string, string> = {
    'model.embed_tokens.weight': 'token_embd.weight',
    'model.norm.weight': 'output_norm.weight',
    'lm_head.weight': 'output.weight',
  };
  const t = top[hfName];
  if (t) return t;
  const m = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hfName);
  const part: Record<string, string> = {
    input_layernorm: 'attn_norm',
    'self_attn.q_proj': 'attn_q',
    'self_attn.k_proj': 'attn_k',
    'self_attn.v_proj': 'attn_v',
    'self_attn.o_proj': 'attn_output',
    post_attention_layernorm: 'ffn_norm',
    'mlp.gate_proj': 'ffn_gate',
    'mlp.up_proj': 'ffn_up',
    'mlp.down_proj': 'ffn_down',
  };
  const p = m ? part[m[2] ?? ''] : undefined;
  if (!m || !p) throw new InputError(`no GGUF name for tensor ${hfName}`);
  return `blk.${m[1]}.${p}.${m[3]}`;
}

/**
 * Rows of an HF q/k projection [heads·hd, in] reordered from rotate-half to interleaved pairs
 * (convert_hf_to_gguf.py `LlamaModel.permute`): new row h·hd + 2i + j ← old row h·hd + j·hd/2 + i.
 */
export function permuteRope(w: Float32Array, heads: number, cols: number): Float32Array {
  const rows = w.length / cols;
  const hd = rows / heads;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < hd / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h * hd + j * (hd / 2) + i) * cols;
        out.set(w.subarray(src, src + cols), (h * hd + 2 * i + j) * cols);
      }
    }
  }
  return out;
}

const QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** llama.cpp's pre-tokenizer name for a byte-level BPE tokenizer.json, or null if not recognised. */
function preTokenizerName(tok: Record<string, unknown>): string | null {
  const text = JSON.stringify(tok['pre_tokenizer'] ?? null);
  if (text.includes(JSON.stringify(QWEN2_REGEX))) return 'qwen2';
  if (text.includes(JSON.stringify(LLAMA3_REGEX))) return 'llama-bpe';
  if (text.includes('"Digits"') && text.includes('"ByteLevel"')) return 'smollm';
  if (/^\{"type":"ByteLevel"[^}]*"use_regex":true/.test(text)) return 'gpt2';
  return null;
}

/** GGUF tokenizer metadata for a byte-level BPE tokenizer.json, padded to `vocabSize` like convert_hf_to_gguf.py. */
export function ggufTokenizerMetadata(tokenizer: HfTokenizer, vocabSize: number): [string, GgufValue][] {
  const tok = tokenizer.files.tokenizer;
  const model = tok['model'] as { type?: string; merges?: unknown[] } | undefined;
  const pre = preTokenizerName(tok);
  if (model?.type !== 'BPE' || pre === null) {
    throw new InputError(`GGUF export supports byte-level BPE tokenizers (Qwen2, LLaMA 3, SmolLM2, GPT-2); this tokenizer.json has model ${model?.type ?? '?'} and an unrecognised pre_tokenizer`, {
      where: 'tokenizer.json: pre_tokenizer',
      hint: 'SentencePiece-style tokenizers (LLaMA 2, TinyLlama) are not exported to GGUF yet; export --format hf and convert with llama.cpp',
    });
  }
  const added = (tok['added_tokens'] as { id: number; special: boolean }[] | undefined) ?? [];
  const types = new Map(added.map((a) => [a.id, a.special ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined]));
  const tokens: string[] = [];
  const tokenTypes: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    if (id < tokenizer.vocabSize && tokenizer.tokenText(id) !== '') {
      tokens.push(tokenizer.tokenText(id));
      tokenTypes.push(types.get(id) ?? TOKEN_TYPE.normal);
    } else {
      tokens.push(`[PAD${id}]`);
      tokenTypes.push(TOKEN_TYPE.unused);
    }
  }
  const merges = (model.merges ?? []).map((m) => (Array.isArray(m) ? m.join(' ') : String(m)));
  const meta: [string, GgufValue][] = [
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: pre }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: tokenTypes }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: merges }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: tokenizer.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: tokenizer.eosId }],
    ['tokenizer.ggml.padding_token_id', { type: 'u32', value: tokenizer.padId }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: tokenizer.addBos }],
  ];
  if (tokenizer.chatTemplate !== null) meta.push(['tokenizer.chat_template', { type: 'string', value: tokenizer.chatTemplate }]);
  return meta;
}

/** What a GGUF export needs of a model's config: llama.cpp's architecture and the shape (a ParsedHfConfig is one). */
export interface GgufModelConfig {
  arch: HfArchitecture;
  model: ModelConfig;
}

/** GGUF tokenizer metadata for either tokenizer sieve has. */
function tokenizerMetadata(tokenizer: HfTokenizer | CharTokenizer, vocabSize: number): [string, GgufValue][] {
  if (tokenizer instanceof CharTokenizer) return charGgufTokenizerMetadata(tokenizer, vocabSize);
  if (tokenizer instanceof HfTokenizer) return ggufTokenizerMetadata(tokenizer, vocabSize);
  throw new InputError('GGUF export supports the char tokenizer and Hugging Face tokenizers');
}

/**
 * Writes a GGUF file (atomically) for a model given as HF tensors. `dtype` F16 stores matrices in
 * half precision (1-D norms and biases stay F32, as llama.cpp's converter does).
 */
export function exportGguf(
  file: string,
  m: { config: GgufModelConfig; tensors: readonly TensorToWrite[]; tokenizer: HfTokenizer | CharTokenizer; name?: string },
  opts: { dtype: GgmlType },
): void {
  const { arch, model: c } = m.config;
  const hd = c.dim / c.heads;
  const meta: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: arch }],
    ['general.name', { type: 'string', value: m.name ?? 'sieve export' }],
    ['general.file_type', { type: 'u32', value: opts.dtype === 'F32' ? 0 : 1 }],
    [`${arch}.context_length`, { type: 'u32', value: c.contextLength }],
    [`${arch}.embedding_length`, { type: 'u32', value: c.dim }],
    [`${arch}.block_count`, { type: 'u32', value: c.layers }],
    [`${arch}.feed_forward_length`, { type: 'u32', value: c.mlpDim }],
    [`${arch}.attention.head_count`, { type: 'u32', value: c.heads }],
    [`${arch}.attention.head_count_kv`, { type: 'u32', value: c.kvHeads }],
    [`${arch}.rope.freq_base`, { type: 'f32', value: c.ropeTheta }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: c.normEps }],
    ...(arch === 'llama'
      ? ([
          [`${arch}.rope.dimension_count`, { type: 'u32', value: hd }],
          [`${arch}.vocab_size`, { type: 'u32', value: c.vocabSize }],
        ] as [string, GgufValue][])
      : []),
    ...tokenizerMetadata(m.tokenizer, c.vocabSize),
  ];
  const tensors: GgufTensor[] = m.tensors.map((t) => {
    const permute = arch === 'llama' ? (/\.q_proj\.weight$/.test(t.name) ? c.heads : /\.k_proj\.weight$/.test(t.name) ? c.kvHeads : 0) : 0;
    const cols = t.shape[t.shape.length - 1] ?? 1;
    return {
      name: ggufTensorName(t.name),
      dims: [...t.shape].reverse(),
      type: t.shape.length === 1 ? 'F32' : opts.dtype,
      data: permute ? () => permuteRope(t.data(), permute, cols) : t.data,
    };
  });
  writeGguf(file, meta, tensors);
}
