/** The transformer's shape, validated at the edge (checkpoint files, presets). */
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { paramShapes } from './architecture';

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
    // Architecture flags (see architecture.ts). Optional without defaults, so configs and
    // checkpoints written before them parse to the same object and keep their fingerprints.
    /** Biases on the q, k, v projections (Qwen2). Default false. */
    qkvBias: z.boolean().optional(),
    /** Output projection = embedding matrix transposed (true, default) or its own `lm_head` [D, V]. */
    tieEmbeddings: z.boolean().optional(),
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
      hint: 'fields: vocabSize, dim, layers, heads, kvHeads, mlpDim, contextLength (positive integers), ropeTheta, normEps, qkvBias, tieEmbeddings (booleans)',
    });
  }
  return res.data;
}

export function headDim(c: ModelConfig): number {
  return c.dim / c.heads;
}

/** Number of scalar parameters (a tied embedding counted once). */
export function paramCountOf(c: ModelConfig): number {
  return paramShapes(c).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}

/**
 * Training FLOPs per token (forward + backward): 6 × params for the weight matmuls
 * (a tied output projection included once through `embed`) plus 12 × layers × seqLen × dim
 * for the attention score and value matmuls (full T×T, masking not subtracted).
 */
export function flopsPerToken(c: ModelConfig, seqLen: number): number {
  return 6 * paramCountOf(c) + 12 * c.layers * seqLen * c.dim;
}
