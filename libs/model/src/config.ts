/** The transformer's shape, validated at the edge (checkpoint files, presets). */
import { z } from 'zod';
import { InputError } from '@sieve/core';

const posInt = z.number().int().positive();

export const ModelConfigSchema = z
  .object({
    vocabSize: posInt,
    dim: posInt,
    layers: posInt,
    heads: posInt,
    kvHeads: posInt,
    mlpDim: posInt,
    contextLength: posInt,
    ropeTheta: z.number().positive().default(10000),
    normEps: z.number().positive().default(1e-5),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.dim % c.heads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `dim (${c.dim}) must be divisible by heads (${c.heads})` });
      return;
    }
    if (c.heads % c.kvHeads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['kvHeads'], message: `heads (${c.heads}) must be divisible by kvHeads (${c.kvHeads})` });
    }
    if ((c.dim / c.heads) % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `head dim dim/heads (${c.dim / c.heads}) must be even for rotary embeddings` });
    }
  });

export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** Parses and validates a config; `where` names its source (a file, a preset key) in errors. */
export function parseModelConfig(raw: unknown, where = 'model config'): ModelConfig {
  const res = ModelConfigSchema.safeParse(raw);
  if (!res.success) {
    const issues = res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(`invalid model config: ${issues}`, {
      where,
      hint: 'fields: vocabSize, dim, layers, heads, kvHeads, mlpDim, contextLength (positive integers), ropeTheta, normEps',
    });
  }
  return res.data;
}

export function headDim(c: ModelConfig): number {
  return c.dim / c.heads;
}

/** Parameter names and shapes in a fixed order (the checkpoint order). Weights are [in, out]. */
export function paramShapes(c: ModelConfig): [string, number[]][] {
  const hd = headDim(c);
  const out: [string, number[]][] = [['embed', [c.vocabSize, c.dim]]];
  for (let i = 0; i < c.layers; i++) {
    const p = `layers.${i}`;
    out.push(
      [`${p}.attn_norm`, [c.dim]],
      [`${p}.attn.wq`, [c.dim, c.heads * hd]],
      [`${p}.attn.wk`, [c.dim, c.kvHeads * hd]],
      [`${p}.attn.wv`, [c.dim, c.kvHeads * hd]],
      [`${p}.attn.wo`, [c.heads * hd, c.dim]],
      [`${p}.mlp_norm`, [c.dim]],
      [`${p}.mlp.gate`, [c.dim, c.mlpDim]],
      [`${p}.mlp.up`, [c.dim, c.mlpDim]],
      [`${p}.mlp.down`, [c.mlpDim, c.dim]],
    );
  }
  out.push(['final_norm', [c.dim]]);
  return out;
}

/** Number of scalar parameters (the tied embedding counted once). */
export function paramCountOf(c: ModelConfig): number {
  return paramShapes(c).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}

/**
 * Training FLOPs per token (forward + backward): 6 × params for the weight matmuls
 * (the tied output projection included once through `embed`) plus 12 × layers × seqLen × dim
 * for the attention score and value matmuls (full T×T, masking not subtracted).
 */
export function flopsPerToken(c: ModelConfig, seqLen: number): number {
  return 6 * paramCountOf(c) + 12 * c.layers * seqLen * c.dim;
}
