/**
 * Decoder-only transformer in the Qwen2/LLaMA style (the block itself is in block.ts, what varies
 * between architectures in architecture.ts). Three ways to run it, all through the same block:
 * `forward` (training, scoring; optionally appending to a KVCache), and `prefill` + the returned
 * session's `step` (sampling: one new token per row per step on a block cache).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { bindWeights, paramShapes, type ModelWeights } from './architecture';
import { attendCausal, MASKED, type AttentionContext } from './attention';
import { runDecoder } from './block';
import { headDim, paramCountOf, parseModelConfig, type ModelConfig, type ModelConfigInput } from './config';
import { prefillSession, type DecodeSession, type PrefillOptions } from './decode-session';
import { initialValues } from './init';
import { KVCache, type KVLayer } from './kv-cache';

export interface ForwardOptions {
  /** [B, T] int32 absolute positions of the new tokens. Default: 0..T−1, or continuing after the cache. */
  positions?: tf.Tensor2D;
  /**
   * [B, Tk] key mask, 1 = real token, 0 = padding, with Tk = Tpast + T. With a cache, a [B, T]
   * mask of only the new tokens is accepted too (the past part comes from the cache). Default: all real.
   */
  keyMask?: tf.Tensor2D;
  /** Attend over the cached keys/values too, then append this call's keys/values to it. */
  cache?: KVCache;
  /** Only compute logits for the last position: returns [B, 1, V]. */
  lastOnly?: boolean;
}

let modelCounter = 0;

export class Transformer {
  readonly config: ModelConfig;
  /** Trainable parameters by name (`embed`, `layers.0.attn.wq`, …, `final_norm`); weights are [in, out]. */
  readonly params: Record<string, tf.Variable>;

  /** `values` by name, or a function giving one parameter's values (called once each, in order, so a loader can stream them). */
  constructor(config: ModelConfig, values: Map<string, Float32Array> | ((name: string, shape: number[]) => Float32Array)) {
    this.config = config;
    const uid = ++modelCounter;
    const params: Record<string, tf.Variable> = {};
    for (const [name, shape] of paramShapes(config)) {
      const v = typeof values === 'function' ? values(name, shape) : values.get(name);
      if (!v) throw new SieveError(`missing initial values for parameter ${name}`);
      // tfjs variable names are global: prefix with a per-model id so several models can coexist.
      params[name] = tf.tidy(() => tf.variable(tf.tensor(v, shape, 'float32'), true, `m${uid}/${name}`));
    }
    this.params = params;
  }

  paramCount(): number {
    return paramCountOf(this.config);
  }

  /** An empty KV cache for this model. */
  createCache(): KVCache {
    return new KVCache(this.config.layers);
  }

  /** Typed handles on the parameters (the variables themselves, no copies). */
  weights(): ModelWeights {
    return bindWeights(this.config, this.params);
  }

  /**
   * Prefills a batch of prompts (token ids, any lengths) for decoding: one left-padded forward per
   * chunk of rows. Returns the decode session (its block KV cache, rows in prompt order) and the
   * logits of each prompt's last token, [P·V] on the host. Dispose the session when done.
   */
  prefill(prompts: readonly (readonly number[])[], opts: PrefillOptions): { session: DecodeSession; logits: Float32Array } {
    return prefillSession(this, prompts, opts);
  }

  /** tokens [B, T] int32 → logits [B, T, V] (or [B, 1, V] with `lastOnly`). */
  forward(tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    if (tokens.rank !== 2) throw new SieveError(`forward: tokens must be [B, T], got shape [${tokens.shape}]`);
    const [b, t] = tokens.shape;
    const cache = opts.cache;
    const tpast = cache?.length ?? 0;
    if (cache && cache.batchSize !== null && cache.batchSize !== b) {
      throw new SieveError(`forward: batch ${b} does not match the KV cache batch ${cache.batchSize}`, {
        hint: 'use cache.selectRows() to reorder or compact the cache first',
      });
    }
    if (tpast + t > c.contextLength) {
      throw new SieveError(`forward: ${tpast + t} positions (${tpast} cached + ${t} new) exceed the context length ${c.contextLength}`, {
        hint: 'truncate the input or stop generation at the context length',
      });
    }
    checkShape('positions', opts.positions, [b, t]);
    const km = opts.keyMask;
    if (km && !(km.rank === 2 && km.shape[0] === b && (km.shape[1] === tpast + t || (cache && km.shape[1] === t)))) {
      throw new SieveError(`forward: keyMask must be [${b}, ${tpast + t}]${cache ? ` or [${b}, ${t}]` : ''}, got [${km.shape}]`);
    }

    return tf.tidy(() => {
      const n = b * t;
      const qpos = opts.positions ? tf.cast(opts.positions, 'int32') : defaultPositions(b, t, cache);
      const pastPos = cache?.positions ?? null;
      const kpos = pastPos ? tf.concat([pastPos, qpos], 1) : qpos; // [B, Tk]
      const kmask = keyMaskFor(km, b, t, cache); // [B, Tk]
      const plainCausal = !opts.positions && !km && tpast === 0;
      const ctx: AttentionContext = {
        batch: b,
        seq: t,
        heads: c.heads,
        kvHeads: c.kvHeads,
        headDim: headDim(c),
        bias: plainCausal ? causalBias(t) : maskBias(qpos, kpos, kmask),
      };
      const newKV: KVLayer[] = [];
      const logits = runDecoder(this.weights(), c, {
        tokens: tf.reshape(tf.cast(tokens, 'int32'), [n]) as tf.Tensor1D,
        positions: tf.reshape(qpos, [n]) as tf.Tensor1D,
        attend: (layer, q, k, v) => {
          const a = attendCausal(q, k, v, ctx, cache?.layer(layer) ?? null);
          newKV.push(a.kv);
          return a.out;
        },
        ...(opts.lastOnly ? { rows: (x: tf.Tensor2D) => tf.reshape(tf.slice(tf.reshape(x, [b, t, c.dim]), [0, t - 1, 0], [b, 1, c.dim]), [b, c.dim]) as tf.Tensor2D } : {}),
      }); // [N or B, V]
      const out = tf.reshape(logits, [b, opts.lastOnly ? 1 : t, c.vocabSize]) as tf.Tensor3D;
      // Committed last, so a forward that throws leaves the cache as it was.
      cache?.commit({ layers: newKV, positions: kpos as tf.Tensor2D, keyMask: kmask });
      return out;
    });
  }

  /** Frees the parameters (unregisters the variables). */
  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}

function checkShape(name: string, x: tf.Tensor | undefined, shape: number[]): void {
  if (x && (x.rank !== shape.length || x.shape.some((d, i) => d !== shape[i]))) {
    throw new SieveError(`forward: ${name} must have shape [${shape}], got [${x.shape}]`);
  }
}

/** [B, T] int32: 0..T−1, or continuing from each row's last cached position. */
function defaultPositions(b: number, t: number, cache: KVCache | undefined): tf.Tensor2D {
  const steps = tf.reshape(tf.range(0, t, 1, 'int32'), [1, t]);
  const past = cache?.positions;
  if (!past) return tf.tile(steps, [b, 1]) as tf.Tensor2D;
  const last = tf.slice(past, [0, past.shape[1] - 1], [b, 1]); // [B, 1]
  return tf.add(tf.add(last, 1), steps) as tf.Tensor2D;
}

/** Full key mask [B, Tpast + T] float32 from the option and the cache. */
function keyMaskFor(km: tf.Tensor2D | undefined, b: number, t: number, cache: KVCache | undefined): tf.Tensor2D {
  const past = cache?.keyMask ?? null;
  const pastLen = past?.shape[1] ?? 0;
  if (km && km.shape[1] === pastLen + t) return tf.cast(km, 'float32') as tf.Tensor2D;
  const fresh = km ? (tf.cast(km, 'float32') as tf.Tensor2D) : (tf.ones([b, t], 'float32') as tf.Tensor2D);
  return past ? (tf.concat([past, fresh], 1) as tf.Tensor2D) : fresh;
}

/** [1, 1, T, T]: key j visible to query i iff j ≤ i. */
function causalBias(t: number): tf.Tensor4D {
  const i = tf.reshape(tf.range(0, t, 1, 'int32'), [t, 1]);
  const j = tf.reshape(tf.range(0, t, 1, 'int32'), [1, t]);
  return tf.reshape(tf.where(tf.lessEqual(j, i), tf.zeros([t, t]), tf.fill([t, t], MASKED)), [1, 1, t, t]);
}

/** [B, 1, T, Tk]: key visible iff its position ≤ the query's position and it is not padding. */
function maskBias(qpos: tf.Tensor2D, kpos: tf.Tensor2D, kmask: tf.Tensor2D): tf.Tensor4D {
  const [b, t] = qpos.shape;
  const tk = kpos.shape[1];
  const causal = tf.lessEqual(tf.reshape(kpos, [b, 1, tk]), tf.reshape(qpos, [b, t, 1])); // [B, T, Tk]
  const real = tf.greater(tf.reshape(kmask, [b, 1, tk]), 0); // [B, 1, Tk]
  const allowed = tf.logicalAnd(causal, real);
  return tf.reshape(tf.where(allowed, tf.zeros([b, t, tk]), tf.fill([b, t, tk], MASKED)), [b, 1, t, tk]);
}

/** A new model with parameters initialised deterministically from `seed`. */
export function createModel(config: ModelConfigInput | ModelConfig, opts: { seed: number }): Transformer {
  const c = parseModelConfig(config);
  return new Transformer(c, initialValues(c, opts.seed));
}

/** A model from given parameter values (checkpoint loading); every parameter must be present with the right size. */
export function modelFromValues(config: ModelConfig, values: Map<string, Float32Array>): Transformer {
  return new Transformer(config, values);
}
