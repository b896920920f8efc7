/**
 * Drops the first `drop` cached columns of every row (padding left over from the prefill once the
 * longer prompts' rows are gone). The model refuses a cache longer than its context length, and
 * left padding counts there; trimming keeps a batch of mixed prompt lengths within it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import type { KVCache } from '@sieve/model';

export function trimLeft(cache: KVCache, drop: number): void {
  const len = cache.length;
  const pos = cache.positions;
  const mask = cache.keyMask;
  if (drop <= 0 || !pos || !mask) return;
  if (drop >= len) throw new SieveError(`cannot trim ${drop} of ${len} cached positions`, { where: 'sample trimLeft' });
  tf.tidy(() => {
    const layers = Array.from({ length: cache.numLayers }, (_, i) => {
      const l = cache.layer(i);
      if (!l) throw new SieveError(`KV cache layer ${i} is empty`, { where: 'sample trimLeft' });
      const [b, h, , d] = l.k.shape;
      return { k: tf.slice(l.k, [0, 0, drop, 0], [b, h, len - drop, d]), v: tf.slice(l.v, [0, 0, drop, 0], [b, h, len - drop, d]) };
    });
    const b = pos.shape[0];
    cache.commit({ layers, positions: tf.slice(pos, [0, drop], [b, len - drop]), keyMask: tf.slice(mask, [0, drop], [b, len - drop]) });
  });
}
