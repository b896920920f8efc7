/**
 * The decoding KV cache, kept as a few blocks per layer instead of one tensor.
 *
 * Why: tfjs tensors are immutable, so appending one position to a single [B, K, T, hd] tensor
 * copies all T positions every step (on wasm that copy cost more than the attention itself).
 * Here each step's keys/values become a new block of width 1, and the last two blocks are
 * merged while the last is at least as wide as the one before (a binary counter): a position is
 * copied O(log T) times in all and a layer holds O(log T) blocks.
 *
 * Every block of a layer has the same batch rows; `bias` [B, T] holds 0 for a real key and
 * −1e9 for padding (only the prefill adds padding).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { MASKED } from './attention';
import type { KVCache, KVLayer } from './kv-cache';
import { gatherRows } from './wasm-kernels';

export interface LayerBlocks {
  k: tf.Tensor4D[]; // each [B, K, Tb, hd]
  v: tf.Tensor4D[]; // each [B, K, Tb, hd]
}

export class BlockCache {
  private constructor(
    readonly layers: LayerBlocks[],
    /** Width Tb of each block (the same for every layer). */
    readonly widths: number[],
    private biasT: tf.Tensor2D, // [B, T]
  ) {}

  /**
   * Takes over prefilled model caches of consecutive batch rows (all of the same length), which
   * are disposed: their rows, in order, become this cache's rows.
   */
  static fromKVCaches(parts: readonly KVCache[]): BlockCache {
    const first = parts[0];
    if (!first || !first.keyMask) throw new SieveError('cannot decode from an empty KV cache', { where: 'BlockCache.fromKVCaches' });
    const width = first.length;
    if (parts.some((p) => p.length !== width || p.numLayers !== first.numLayers)) {
      throw new SieveError('prefill caches differ in length or layers', { where: 'BlockCache.fromKVCaches' });
    }
    const join = <T extends tf.Tensor>(ts: T[]): T => (ts.length === 1 ? (tf.clone(ts[0] as T) as T) : (tf.concat(ts, 0) as T));
    const layers: LayerBlocks[] = [];
    for (let i = 0; i < first.numLayers; i++) {
      const ls = parts.map((p) => p.layer(i));
      if (ls.some((l) => !l)) throw new SieveError(`KV cache layer ${i} is empty`, { where: 'BlockCache.fromKVCaches' });
      layers.push({ k: [join(ls.map((l) => (l as KVLayer).k))], v: [join(ls.map((l) => (l as KVLayer).v))] });
    }
    const bias = tf.tidy(() => tf.mul(tf.sub(1, tf.concat(parts.map((p) => p.keyMask as tf.Tensor2D), 0)), MASKED) as tf.Tensor2D);
    for (const p of parts) p.dispose();
    return new BlockCache(layers, [width], bias);
  }

  get length(): number {
    return this.widths.reduce((a, b) => a + b, 0);
  }

  get batchSize(): number {
    return this.biasT.shape[0];
  }

  /** [B, T] additive mask of the cached keys. */
  get bias(): tf.Tensor2D {
    return this.biasT;
  }

  /** Appends one step's keys/values (each [B, K, 1, hd] per layer; the cache owns them), then merges blocks. */
  append(ks: tf.Tensor4D[], vs: tf.Tensor4D[]): void {
    if (ks.length !== this.layers.length || vs.length !== this.layers.length) {
      throw new SieveError(`append got ${ks.length} layers, the cache has ${this.layers.length}`, { where: 'BlockCache.append' });
    }
    this.layers.forEach((l, i) => {
      l.k.push(ks[i] as tf.Tensor4D);
      l.v.push(vs[i] as tf.Tensor4D);
    });
    this.widths.push(1);
    const b = this.batchSize;
    this.replaceBias(tf.tidy(() => tf.concat([this.biasT, tf.zeros([b, 1])], 1) as tf.Tensor2D));
    for (let n = this.widths.length; n >= 2 && (this.widths[n - 1] as number) >= (this.widths[n - 2] as number); n = this.widths.length) {
      for (const l of this.layers) {
        l.k.push(concatLast2(l.k));
        l.v.push(concatLast2(l.v));
      }
      const w = (this.widths.pop() as number) + (this.widths.pop() as number);
      this.widths.push(w);
    }
  }

  /** Keeps only these batch rows, in this order (compaction; rows may repeat to fork a row). */
  selectRows(rows: readonly number[]): void {
    const b = this.batchSize;
    const bad = rows.find((r) => !Number.isInteger(r) || r < 0 || r >= b);
    if (bad !== undefined) throw new SieveError(`block cache row ${bad} out of range (batch size ${b})`, { where: 'BlockCache.selectRows' });
    const pick = <T extends tf.Tensor>(t: T): T => {
      const out = gatherRows(t, rows);
      t.dispose();
      return out;
    };
    for (const l of this.layers) {
      l.k = l.k.map(pick);
      l.v = l.v.map(pick);
    }
    this.biasT = pick(this.biasT);
  }

  private replaceBias(next: tf.Tensor2D): void {
    this.biasT.dispose();
    this.biasT = next;
  }

  dispose(): void {
    for (const l of this.layers) tf.dispose([...l.k, ...l.v]);
    this.biasT.dispose();
  }
}

/** Pops the last two blocks, returns their concatenation along T (the inputs are disposed). */
function concatLast2(blocks: tf.Tensor4D[]): tf.Tensor4D {
  const b = blocks.pop() as tf.Tensor4D;
  const a = blocks.pop() as tf.Tensor4D;
  const out = tf.concat([a, b], 2);
  a.dispose();
  b.dispose();
  return out;
}
