/**
 * sieve parameter names ↔ Hugging Face tensor names (Qwen2 and LLaMA share them). sieve keeps
 * weight matrices [in, out]; HF keeps nn.Linear weights [out, in], so those are transposed on
 * the way in and out (so is `lm_head`: HF [V, D], sieve [D, V]). `embed` is [V, D] on both sides.
 */
import { paramShapes } from '../architecture';
import type { ModelConfig } from '../config';

export interface HfParam {
  /** sieve's name, e.g. `layers.0.attn.wq`. */
  name: string;
  /** The HF tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  hfName: string;
  /** Shape in sieve ([in, out] for matrices). */
  shape: number[];
  /** Shape in the HF file ([out, in] for matrices). */
  hfShape: number[];
  /** Whether the HF tensor is the transpose of sieve's. */
  transposed: boolean;
}

const LAYER: Record<string, [string, boolean]> = {
  attn_norm: ['input_layernorm.weight', false],
  'attn.wq': ['self_attn.q_proj.weight', true],
  'attn.wk': ['self_attn.k_proj.weight', true],
  'attn.wv': ['self_attn.v_proj.weight', true],
  'attn.wo': ['self_attn.o_proj.weight', true],
  'attn.bq': ['self_attn.q_proj.bias', false],
  'attn.bk': ['self_attn.k_proj.bias', false],
  'attn.bv': ['self_attn.v_proj.bias', false],
  mlp_norm: ['post_attention_layernorm.weight', false],
  'mlp.gate': ['mlp.gate_proj.weight', true],
  'mlp.up': ['mlp.up_proj.weight', true],
  'mlp.down': ['mlp.down_proj.weight', true],
};
const TOP: Record<string, string> = { embed: 'model.embed_tokens.weight', final_norm: 'model.norm.weight', lm_head: 'lm_head.weight' };

/** Every parameter of `c` with its HF name and layout, in sieve's checkpoint order. */
export function hfParams(c: ModelConfig): HfParam[] {
  return paramShapes(c).map(([name, shape]) => {
    const m = /^layers\.(\d+)\.(.+)$/.exec(name);
    let hfName: string;
    let transposed = false;
    if (m) {
      const entry = LAYER[m[2] ?? ''];
      if (!entry) throw new Error(`no HF name for parameter ${name}`);
      hfName = `model.layers.${m[1]}.${entry[0]}`;
      transposed = entry[1];
    } else {
      const top = TOP[name];
      if (!top) throw new Error(`no HF name for parameter ${name}`);
      hfName = top;
      transposed = name === 'lm_head';
    }
    return { name, hfName, shape, hfShape: transposed ? [shape[1] ?? 0, shape[0] ?? 0] : shape, transposed };
  });
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transposeMatrix(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[base + c] ?? 0;
  }
  return out;
}
