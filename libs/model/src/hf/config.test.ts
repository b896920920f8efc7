import { describe, expect, it } from 'vitest';
import { parseHfConfig } from './config';

/** Qwen2.5-0.5B's config.json, as published. */
const qwen = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 24,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.40.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

describe('parseHfConfig', () => {
  it("maps Qwen2.5-0.5B's config to sieve's model config and keeps every key", () => {
    const p = parseHfConfig(qwen, 'config.json');
    expect(p.arch).toBe('qwen2');
    expect(p.model).toEqual({
      vocabSize: 151936,
      dim: 896,
      layers: 24,
      heads: 14,
      kvHeads: 2,
      mlpDim: 4864,
      contextLength: 32768,
      ropeTheta: 1e6,
      normEps: 1e-6,
      qkvBias: true,
      tieEmbeddings: true,
    });
    expect(p.raw).toEqual(qwen);
  });

  it('llama has no biases and unties by default', () => {
    const { model } = parseHfConfig({ ...qwen, model_type: 'llama', tie_word_embeddings: undefined }, 'c.json');
    expect(model.qkvBias).toBe(false);
    expect(model.tieEmbeddings).toBe(false);
  });

  it('refuses an unknown architecture, rope scaling and a missing key, naming key and file', () => {
    expect(() => parseHfConfig({ ...qwen, model_type: 'gpt_neox' }, '/m/config.json')).toThrow(/model_type "gpt_neox"/);
    try {
      parseHfConfig({ ...qwen, model_type: 'gpt_neox' }, '/m/config.json');
    } catch (e) {
      expect((e as { where?: string }).where).toBe('/m/config.json: model_type');
    }
    expect(() => parseHfConfig({ ...qwen, rope_scaling: { type: 'yarn', factor: 4 } }, 'config.json')).toThrow(/rope_scaling/);
    expect(() => parseHfConfig({ ...qwen, use_sliding_window: true }, 'config.json')).toThrow(/use_sliding_window/);
    expect(() => parseHfConfig({ ...qwen, head_dim: 128 }, 'config.json')).toThrow(/head_dim/);
    const { hidden_size: _h, ...noHidden } = qwen;
    expect(() => parseHfConfig(noHidden, 'config.json')).toThrow(/hidden_size/);
  });
});
