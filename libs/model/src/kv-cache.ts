/**
 * Key/value cache for incremental decoding. `Transformer.forward(tokens, { cache })` attends over
 * the cached keys plus the new ones and then appends the new keys/values, their absolute
 * positions and their key mask. The cache owns its tensors (kept outside any tidy); call
 * `dispose()` when done.
 *
 * Layout per layer: k, v are [B, kvHeads, Tpast, headDim]. `positions` [B, Tpast] int32 holds
 * each cached key's absolute position (causality is by position, so left padding works);
 * `keyMask` [B, Tpast] float32 is 1 for a real token, 0 for padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { gatherRows } from './wasm-kernels';

export interface KVLayer {
  k: tf.Tensor4D; // [B, kvHeads, Tpast, headDim]
  v: tf.Tensor4D; // [B, kvHeads, Tpast, headDim]
}

/** What one forward pass appends; committed all at once so a failing forward leaves the cache intact. */
export interface KVUpdate {
  layers: KVLayer[];
  positions: tf.Tensor2D; // [B, Tpast + T] int32
  keyMask: tf.Tensor2D; // [B, Tpast + T] float32
}

export class KVCache {
  private layerState: KVLayer[] | null = null;
  private pos: tf.Tensor2D | null = null;
  private mask: tf.Tensor2D | null = null;

  constructor(readonly numLayers: number) {}

  /** Number of cached positions (Tpast); 0 when empty. */
  get length(): number {
    return this.pos?.shape[1] ?? 0;
  }

  /** Batch size of the cached rows, or null while empty. */
  get batchSize(): number | null {
    return this.pos?.shape[0] ?? null;
  }

  /** Layer i's cached keys/values, or null while empty. */
  layer(i: number): KVLayer | null {
    return this.layerState?.[i] ?? null;
  }

  /** [B, Tpast] int32 absolute positions of the cached keys, or null while empty. */
  get positions(): tf.Tensor2D | null {
    return this.pos;
  }

  /** [B, Tpast] float32 mask of the cached keys (1 real, 0 padding), or null while empty. */
  get keyMask(): tf.Tensor2D | null {
    return this.mask;
  }

  /** Replaces the cached state with `u` (its tensors are kept; the old ones disposed). Used by forward. */
  commit(u: KVUpdate): void {
    if (u.layers.length !== this.numLayers) {
      throw new SieveError(`KV cache update has ${u.layers.length} layers, expected ${this.numLayers}`);
    }
    const keep = <T extends tf.Tensor>(t: T): T => tf.keep(t);
    const next = u.layers.map((l) => ({ k: keep(l.k), v: keep(l.v) }));
    const pos = keep(u.positions);
    const mask = keep(u.keyMask);
    this.dispose();
    this.layerState = next;
    this.pos = pos;
    this.mask = mask;
  }

  /**
   * Keeps only the given batch rows, in the given order (compaction when sequences finish,
   * or duplication to fork a prompt into K samples: rows may repeat).
   */
  selectRows(rows: readonly number[]): void {
    if (!this.layerState || !this.pos || !this.mask) return;
    const b = this.pos.shape[0];
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= b) {
        throw new SieveError(`KV cache row ${r} out of range (batch size ${b})`, { where: 'KVCache.selectRows' });
      }
    }
    const pick = <T extends tf.Tensor>(t: T): T => tf.keep(gatherRows(t, rows));
    const next = this.layerState.map((l) => ({ k: pick(l.k), v: pick(l.v) }));
    const pos = pick(this.pos);
    const mask = pick(this.mask);
    this.dispose();
    this.layerState = next;
    this.pos = pos;
    this.mask = mask;
  }

  /** Frees all cached tensors; the cache is empty afterwards and can be reused. */
  dispose(): void {
    for (const l of this.layerState ?? []) {
      l.k.dispose();
      l.v.dispose();
    }
    this.pos?.dispose();
    this.mask?.dispose();
    this.layerState = null;
    this.pos = null;
    this.mask = null;
  }
}
