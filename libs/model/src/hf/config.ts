/**
 * Hugging Face `config.json` for the architectures sieve runs: Qwen2 (Qwen2, Qwen2.5) and LLaMA
 * (LLaMA/Mistral-style without sliding windows: SmolLM2, TinyLlama). Keys that change the
 * computation and that sieve does not implement (rope_scaling, sliding windows, other
 * activations, extra biases, a head_dim other than hidden/heads) are refused with their name;
 * every other key is kept as is so an export writes the file back unchanged.
 */
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { parseModelConfig, type ModelConfig } from '../config';

export const HF_ARCHITECTURES = ['qwen2', 'llama'] as const;
export type HfArchitecture = (typeof HF_ARCHITECTURES)[number];

const posInt = z.number().int().positive();

export const HfConfigSchema = z
  .object({
    model_type: z.enum(HF_ARCHITECTURES),
    hidden_size: posInt,
    intermediate_size: posInt,
    num_hidden_layers: posInt,
    num_attention_heads: posInt,
    num_key_value_heads: posInt.optional(),
    rms_norm_eps: z.number().positive(),
    rope_theta: z.number().positive().default(10000),
    tie_word_embeddings: z.boolean().optional(),
    vocab_size: posInt,
    max_position_embeddings: posInt,
    torch_dtype: z.enum(['float32', 'float16', 'bfloat16']).optional(),
    bos_token_id: z.number().int().nonnegative().nullish(),
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullish(),
  })
  .passthrough();

export type HfConfig = z.output<typeof HfConfigSchema>;

/** A parsed config.json: the raw object (all keys, for writing back), the architecture and sieve's model config. */
export interface ParsedHfConfig {
  raw: Record<string, unknown>;
  arch: HfArchitecture;
  hf: HfConfig;
  model: ModelConfig;
}

/** Keys whose presence with a value other than the allowed one means a computation sieve does not do. */
const UNSUPPORTED: { key: string; ok: (v: unknown) => boolean; why: string }[] = [
  { key: 'rope_scaling', ok: (v) => v === null || v === undefined, why: 'RoPE scaling is not implemented' },
  { key: 'use_sliding_window', ok: (v) => v !== true, why: 'sliding-window attention is not implemented' },
  { key: 'hidden_act', ok: (v) => v === undefined || v === 'silu', why: 'only the SiLU (SwiGLU) MLP is implemented' },
  { key: 'attention_bias', ok: (v) => v !== true, why: 'LLaMA attention biases are not implemented' },
  { key: 'mlp_bias', ok: (v) => v !== true, why: 'MLP biases are not implemented' },
  { key: 'pretraining_tp', ok: (v) => v === undefined || v === 1, why: 'tensor-parallel slicing (pretraining_tp > 1) is not implemented' },
];

/**
 * Validates a parsed config.json (`file` names it in errors) and maps it to sieve's ModelConfig
 * (qkvBias for Qwen2, tieEmbeddings from tie_word_embeddings; default false for both architectures,
 * as in transformers' Qwen2Config and LlamaConfig).
 * @throws InputError naming the key and the file.
 */
export function parseHfConfig(raw: unknown, file: string): ParsedHfConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${file} is not a JSON object`, { where: file });
  }
  const obj = raw as Record<string, unknown>;
  const mt = obj['model_type'];
  if (typeof mt === 'string' && !(HF_ARCHITECTURES as readonly string[]).includes(mt)) {
    throw new InputError(`unsupported architecture: model_type "${mt}"`, {
      where: `${file}: model_type`,
      hint: `sieve runs model_type ${HF_ARCHITECTURES.join(' or ')} (Qwen2/Qwen2.5, LLaMA/SmolLM2/TinyLlama)`,
    });
  }
  const res = HfConfigSchema.safeParse(obj);
  if (!res.success) {
    const issues = res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(`invalid Hugging Face config: ${issues}`, { where: file, hint: 'is this the config.json of a Qwen2 or LLaMA checkpoint?' });
  }
  for (const u of UNSUPPORTED) {
    if (!u.ok(obj[u.key])) {
      throw new InputError(`unsupported config key ${u.key} = ${JSON.stringify(obj[u.key])}: ${u.why}`, {
        where: `${file}: ${u.key}`,
        hint: 'sieve refuses checkpoints it would run wrongly',
      });
    }
  }
  const c = res.data;
  const headDim = obj['head_dim'];
  if (headDim !== undefined && headDim !== null && headDim !== c.hidden_size / c.num_attention_heads) {
    throw new InputError(`unsupported config key head_dim = ${JSON.stringify(headDim)}: only hidden_size / num_attention_heads is implemented`, {
      where: `${file}: head_dim`,
    });
  }
  let model: ModelConfig;
  try {
    model = parseModelConfig(
      {
        vocabSize: c.vocab_size,
        dim: c.hidden_size,
        layers: c.num_hidden_layers,
        heads: c.num_attention_heads,
        kvHeads: c.num_key_value_heads ?? c.num_attention_heads,
        mlpDim: c.intermediate_size,
        contextLength: c.max_position_embeddings,
        ropeTheta: c.rope_theta,
        normEps: c.rms_norm_eps,
        qkvBias: c.model_type === 'qwen2',
        tieEmbeddings: c.tie_word_embeddings ?? false,
      },
      file,
    );
  } catch (err) {
    throw new InputError(`${file} describes a shape sieve cannot run`, { where: file, cause: err });
  }
  return { raw: obj, arch: c.model_type, hf: c, model };
}
